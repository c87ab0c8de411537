import { Option, type Command } from 'commander';
import type { BatchOptions } from '../client/batch-input';
import { ENV } from '../env';
import { batchInputSchema, documentOrders, extractionModes, extractorKinds } from '../batch/input';
import { defaultChunkSize, textChunkSize } from '../batch/chunk-size';
import { definedOnly } from '../client/defined-only';
import { integerArg, numberArg } from './command';
import { schemaLabel, schemaNames } from '../extraction/schemas';

/** What commander hands `run` and `start` (and `redrive` for the settings it may override). */
export type BatchCommandOptions = Omit<BatchOptions, 'dir' | 'redriveOf' | 'cache' | 'schema' | 'messageBatches'> & {
  pollInterval?: string;
  schema?: string;
  id?: string;
  cache: boolean;
  rerun?: boolean;
  json?: boolean;
};

/** The defaults come from the input schema, so help text never disagrees with the workflow. */
const defaults = batchInputSchema.parse({ source: { dir: '.' } });

/** The extraction settings (shared by run, start and redrive). */
export function addSettingsOptions(command: Command): Command {
  return command
    .option('--chunk-size <n>', `documents per chunk activity (default: chosen by planning, ${textChunkSize} for text read offline, else ${defaultChunkSize})`, integerArg('--chunk-size', 1, 1000))
    .option('--concurrency <n>', `chunks in flight at once (default ${defaults.concurrency})`, integerArg('--concurrency', 1, 500))
    .option('--priority <1-5>', `task-queue priority, 1 highest (default ${defaults.priority})`, integerArg('--priority', 1, 5))
    .addOption(new Option('--order <order>', `processing order (default ${defaults.order})`).choices(documentOrders))
    .addOption(new Option('--extractor <kind>', `auto = Claude when ANTHROPIC_API_KEY is set, else local (default ${defaults.extractor})`).choices(extractorKinds))
    .addOption(
      new Option('--mode <mode>', `how documents reach Claude: realtime calls, or batch = Message Batches at half the price, results within 24 h (default ${defaults.mode})`).choices(
        extractionModes,
      ),
    )
    .option('--poll-interval <duration>', `batch mode: how often a Message Batch at Anthropic is checked, e.g. 30s (default ${String(defaults.messageBatches.pollInterval)})`)
    .option(
      '--tolerated-failure-percent <percent>',
      `stop the batch once more than this share of documents failed (default ${defaults.toleratedFailurePercent})`,
      numberArg('--tolerated-failure-percent', 0, 100),
    )
    .option('--no-cache', 'extract again even when the result cache has the document');
}

/** Source, output, id and settings of a new batch (run and start). */
export function addBatchOptions(command: Command): Command {
  command.option('--id <batchId>', 'batch id (default: derived from the source and settings, so re-running resumes)');
  addSourceOptions(command);
  addSettingsOptions(command);
  return command
    .option('--rerun', 'start again even if a batch with this id already completed')
    .option('--json', 'print JSON only');
}

/** Where the documents come from and where results go (run, start and schedule create). */
export function addSourceOptions(command: Command): Command {
  return command
    .option('--output <dir|s3://bucket/prefix>', `output directory or bucket prefix (default ${ENV.outputDir} or ./output)`)
    .option('--include <glob...>', 'include patterns relative to the directory or bucket prefix (default: every file)')
    .option('--exclude <glob...>', 'exclude patterns relative to the directory or bucket prefix')
    .option('--follow-symlinks', 'walk into symlinked directories of the source (each directory once)')
    .option('--manifest <file>', 'a file listing one document path per line (instead of a directory)')
    .option('--collection <name>', 'the collection these documents belong to: rows of --sink and the ledger of --only-new are kept per collection (default: the source folder\'s name)')
    .option('--only-new <collection>', 'extract only documents no earlier batch of this collection extracted with the same schema and settings (new or changed ones)')
    .option('--examples-from <output>', 'learn from the corrections earlier reviews recorded under this output location (usually the same as --output): Claude sees them as examples, the local extractor reads each known issuer\'s fields by the labels they taught')
    .option('--sink <url>', 'also write each result as a row in PostgreSQL as it is extracted: postgres://user:password@host:5432/db (default DOCBATCH_DATABASE_URL)')
    .option('--schema <name|file>', `what to extract: ${schemaNames.join(', ')}, a JSON Schema file or a JS/TS module exporting a zod schema (default ${schemaLabel(defaults.schema)})`);
}

export function toBatchOptions(dir: string | undefined, options: BatchCommandOptions): BatchOptions {
  return {
    ...definedOnly({ dir, manifest: options.manifest, include: options.include, exclude: options.exclude, output: options.output, schema: options.schema }),
    ...definedOnly({ collection: options.collection, onlyNew: options.onlyNew, sink: options.sink, examplesFrom: options.examplesFrom }),
    ...(options.followSymlinks ? { followSymlinks: true } : {}),
    ...settingsOf(options),
  };
}

export function settingsOf(options: Partial<BatchCommandOptions>): BatchOptions {
  const { chunkSize, concurrency, priority, order, extractor, mode, toleratedFailurePercent, pollInterval } = options;
  return {
    ...definedOnly({ chunkSize, concurrency, priority, order, extractor, mode, toleratedFailurePercent }),
    ...(pollInterval !== undefined ? { messageBatches: { pollInterval } } : {}),
    ...(options.cache === false ? { cache: false } : {}),
  };
}
