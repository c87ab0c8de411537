import { isObjectUrl, resolveLocation } from '../storage/location';
import path from 'node:path';
import { DEFAULTS, readEnv } from '../env';
import { schemaLabel, type SchemaReference } from '../extraction/schemas';
import { extractorMismatch } from '../extraction/schemas/compatibility';
import { resolveSchemaArgument, SchemaError } from '../extraction/schemas/load';
import { documentOrders, extractionModes, extractorKinds, parseBatchInput, type BatchInput, type BatchInputJson } from '../batch/input';
import { definedOnly } from './defined-only';
import { InvalidBatchSettingsError, SchemaUnusableError } from './errors';

/** The batch settings a person gives on the command line (`docbatch run` / `start`). */
export interface BatchOptions {
  /** A directory of documents, or an `s3://bucket/prefix/` of objects; ignored when `manifest` is given. */
  dir?: string;
  manifest?: string;
  include?: string[];
  exclude?: string[];
  /** --schema: a built-in name or a schema file (as typed), or an earlier batch's reference (redrive). */
  schema?: string | Exclude<SchemaReference, string>;
  /** Walk into symlinked directories (--follow-symlinks). */
  followSymlinks?: boolean;
  output?: string;
  chunkSize?: number;
  concurrency?: number;
  priority?: number;
  order?: string;
  extractor?: string;
  /** realtime (default) or batch: Message Batches. */
  mode?: string;
  /** Batch mode's settings given here (--poll-interval), over the defaults or an earlier batch's (redrive). */
  messageBatches?: BatchInputJson['messageBatches'];
  toleratedFailurePercent?: number;
  /** false with --no-cache. */
  cache?: boolean;
  redriveOf?: string;
}

const DEFAULT_SOURCE_DIR = 'samples/invoices';

/** The output directory: --output, else DOCBATCH_OUTPUT_DIR, else ./output — always absolute. */
function resolveOutputDir(output: string | undefined, cwd = process.cwd()): string {
  const location = output ?? readEnv('outputDir') ?? DEFAULTS.outputDir;
  return isObjectUrl(location) ? resolveLocation(location) : path.resolve(cwd, location);
}

/**
 * The workflow input for the options: paths made absolute (the worker may run elsewhere), only the
 * settings the person gave (the schema's defaults fill the rest), validated before anything starts.
 */
export async function batchInputFromOptions(options: BatchOptions, cwd = process.cwd()): Promise<{ json: BatchInputJson; input: BatchInput }> {
  const globs = { ...(options.include?.length ? { include: options.include } : {}), ...(options.exclude?.length ? { exclude: options.exclude } : {}) };
  const source: BatchInputJson['source'] = options.manifest
    ? { manifest: path.resolve(cwd, options.manifest) }
    : options.dir !== undefined && isObjectUrl(options.dir)
      ? { url: options.dir, ...globs }
      : { dir: path.resolve(cwd, options.dir ?? DEFAULT_SOURCE_DIR), ...globs, ...(options.followSymlinks ? { followSymlinks: true } : {}) };

  const json: BatchInputJson = {
    source,
    outputDir: resolveOutputDir(options.output, cwd),
    ...definedOnly({ schema: await schemaReference(options, cwd) }),
    ...definedOnly({
      chunkSize: options.chunkSize,
      concurrency: options.concurrency,
      priority: options.priority,
      order: options.order as BatchInput['order'] | undefined,
      extractor: options.extractor as BatchInput['extractor'] | undefined,
      mode: options.mode as BatchInput['mode'] | undefined,
      messageBatches: options.messageBatches,
      toleratedFailurePercent: options.toleratedFailurePercent,
      redriveOf: options.redriveOf,
    }),
    ...(options.cache === false ? { cache: false } : {}),
  };
  const parsed = parseBatchInput(json);
  if (!parsed.ok) throw new InvalidBatchSettingsError(parsed.problems.map(toFlagNames));
  return { json, input: parsed.input };
}

/**
 * The --schema reference: a file is resolved and pinned by its fingerprint here, where the person
 * is, and refused at once when the chosen extractor cannot fill it.
 */
async function schemaReference(options: BatchOptions, cwd: string): Promise<SchemaReference | undefined> {
  if (options.schema === undefined || typeof options.schema !== 'string') return options.schema;
  try {
    const { reference, schema } = await resolveSchemaArgument(options.schema, cwd);
    const mismatch = options.extractor === 'local' ? extractorMismatch(schemaLabel(reference), schema, 'local', 'request') : null;
    if (mismatch !== null) throw new SchemaUnusableError(mismatch, null);
    return reference;
  } catch (error) {
    if (error instanceof SchemaError) throw new SchemaUnusableError(`--schema: ${error.message}`, null);
    throw error;
  }
}

/** Problems name the command-line flag rather than the input field: "--chunk-size: ...". */
function toFlagNames(problem: string): string {
  const flags: Record<string, string> = {
    chunkSize: '--chunk-size',
    concurrency: '--concurrency',
    priority: '--priority',
    order: `--order (${documentOrders.join('|')})`,
    extractor: `--extractor (${extractorKinds.join('|')})`,
    mode: `--mode (${extractionModes.join('|')})`,
    'messageBatches.pollInterval': '--poll-interval',
    toleratedFailurePercent: '--tolerated-failure-percent',
    outputDir: '--output',
  };
  const field = problem.split(':')[0]!;
  return flags[field] ? `${flags[field]}${problem.slice(field.length)}` : problem;
}
