import { isObjectUrl, resolveLocation } from '../storage/location';
import path from 'node:path';
import { DEFAULTS, ENV, readEnv } from '../env';
import { isSourceCheckout, packageRoot } from '../package-layout';
import { schemaLabel, type SchemaReference } from '../extraction/schemas';
import { extractorMismatch, resolveExtractor } from '../extraction/schemas/compatibility';
import { loadSchema, resolveSchemaArgument, SchemaError } from '../extraction/schemas/load';
import { documentOrders, extractionModes, extractorKinds, parseBatchInput, type BatchInput, type BatchInputJson } from '../batch/input';
import { definedOnly } from './defined-only';
import { InvalidBatchSettingsError, SchemaUnusableError, SinkUnusableError } from './errors';

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
  /** --collection: the collection the documents belong to (sink rows, the ledger). */
  collection?: string;
  /** --only-new <collection>: only documents the collection does not hold yet. */
  onlyNew?: string;
  /** --examples-from: the output location whose reviews recorded the corrections to learn from. */
  examplesFrom?: string;
  /** --sink: a postgres:// URL (a password in it stays in this process: the batch input gets the URL without it). Default: DOCBATCH_DATABASE_URL. */
  sink?: string;
  /**
   * Whether the workers that will plan the batch have ANTHROPIC_API_KEY, when this process knows
   * (`run` with its in-process worker: its own environment); unknown when they run elsewhere. With
   * it, `auto` resolves here as planning will, and a schema it cannot fill is refused at once.
   */
  workersHaveAnthropicKey?: boolean;
}

/** `samples/invoices` of the clone (relative: `npm start` runs there), or the one shipped in the installed package. */
const DEFAULT_SOURCE_DIR = isSourceCheckout ? 'samples/invoices' : path.join(packageRoot, 'samples', 'invoices');

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
    ? { manifest: isObjectUrl(options.manifest) ? options.manifest : path.resolve(cwd, options.manifest) }
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
    ...(options.examplesFrom !== undefined ? { examples: { from: isObjectUrl(options.examplesFrom) ? resolveLocation(options.examplesFrom) : path.resolve(cwd, options.examplesFrom) } } : {}),
    ...(await collectionSettings(options)),
  };
  const parsed = parseBatchInput(json);
  if (!parsed.ok) throw new InvalidBatchSettingsError(parsed.problems.map(toFlagNames));
  await refuseUnfillableSchema(parsed.input, options.workersHaveAnthropicKey);
  return { json, input: parsed.input };
}

/**
 * Refuses, before a workflow exists, a schema the extractor that will run cannot fill — built-in or
 * file, named or by default — with the message planning would fail the batch with. When `auto`
 * depends on workers elsewhere, planning still refuses it (the Temporal CLI path too).
 */
async function refuseUnfillableSchema(input: BatchInput, workersHaveAnthropicKey: boolean | undefined): Promise<void> {
  const extractor = resolveExtractor(input, workersHaveAnthropicKey);
  if (extractor === null) return;
  let schema;
  try {
    schema = await loadSchema(input.schema);
  } catch (error) {
    if (error instanceof SchemaError) throw new SchemaUnusableError(`--schema: ${error.message}`, null);
    throw error;
  }
  const mismatch = extractorMismatch(schemaLabel(input.schema), schema, extractor, input.extractor === 'auto' ? 'auto' : 'request');
  if (mismatch !== null) throw new SchemaUnusableError(mismatch, null);
}

/** The --schema reference: a file is resolved and pinned by its fingerprint here, where the person is. */
async function schemaReference(options: BatchOptions, cwd: string): Promise<SchemaReference | undefined> {
  if (options.schema === undefined || typeof options.schema !== 'string') return options.schema;
  try {
    return (await resolveSchemaArgument(options.schema, cwd)).reference;
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
    collection: '--collection',
    onlyNew: '--only-new',
    sink: '--sink',
    'examples.from': '--examples-from',
  };
  const field = problem.split(':')[0]!;
  return flags[field] ? `${flags[field]}${problem.slice(field.length)}` : problem;
}

/**
 * --collection, --only-new and --sink as input fields. The database is checked here, before
 * anything starts (a refused login or a wrong host is one line naming it and the fix); the input
 * gets its URL without the password, which this process keeps in DOCBATCH_DATABASE_URL for the
 * in-process worker of `run` (other workers read their own).
 */
async function collectionSettings(options: BatchOptions): Promise<Pick<BatchInputJson, 'collection' | 'onlyNew' | 'sink'>> {
  const collection = options.onlyNew ?? options.collection;
  const url = options.sink ?? readEnv('databaseUrl');
  const settings: Pick<BatchInputJson, 'collection' | 'onlyNew' | 'sink'> = {
    ...(collection !== undefined ? { collection } : {}),
    ...(options.onlyNew !== undefined ? { onlyNew: true } : {}),
  };
  if (url === undefined) return settings;
  const { checkDatabase, connectionStringFor, isPostgresUrl, redactSinkUrl, SinkConnectionError } = await import('../sink/postgres');
  if (!isPostgresUrl(url)) throw new SinkUnusableError(`--sink ${url} is not a PostgreSQL URL`, 'pass postgres://user:password@host:5432/database');
  try {
    // A URL without a password (an earlier batch's, on redrive) gets it from DOCBATCH_DATABASE_URL as a worker would.
    await checkDatabase(connectionStringFor(url));
  } catch (error) {
    if (error instanceof SinkConnectionError) throw new SinkUnusableError(error.message, null);
    throw error;
  }
  const { reference, hadPassword } = redactSinkUrl(url);
  if (hadPassword && readEnv('databaseUrl') === undefined) process.env[ENV.databaseUrl] = url;
  return { ...settings, sink: reference };
}
