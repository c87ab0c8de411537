import { ENV } from '../env';
import { batchInputSchema } from '../batch/input';
import { defaultChunkSize, textChunkSize } from '../batch/chunk-size';

/**
 * The README's configuration tables, generated from src/env.ts and the batch input schema, so the
 * documented names and defaults are the ones the code uses (test/cli.test.ts keeps them in sync).
 */

const envDescriptions: Record<keyof typeof ENV, { purpose: string; fallback: string }> = {
  temporalAddress: { purpose: 'Temporal frontend (gRPC) address', fallback: '`localhost:7233`; `docbatch run` starts the embedded dev server when nothing answers there' },
  temporalNamespace: { purpose: 'Temporal namespace', fallback: '`default`' },
  temporalCliPath: { purpose: 'the `temporal` CLI binary to use', fallback: 'found on PATH, in the project cache, or installed from a registry' },
  temporalApiKey: { purpose: 'API key for Temporal Cloud (never logged, never in workflow input)', fallback: 'none' },
  temporalTls: { purpose: 'TLS to the Temporal frontend (`true`/`false`)', fallback: 'on when an API key is set, else off' },
  temporalUiUrl: { purpose: 'Web UI base URL for the links docbatch prints', fallback: 'the dev server convention: gRPC port + 1000' },
  taskQueue: { purpose: 'task queue of workers and batches', fallback: '`docbatch`' },
  maxConcurrentActivities: { purpose: 'chunk activities one worker runs at once (its documents in flight are sized by its rate limiter, or its decoder pool, not by this)', fallback: '`32`' },
  maxActivitiesPerSecond: { purpose: 'batch-wide chunk starts per second across all workers of the task queue', fallback: 'unlimited' },
  outputDir: { purpose: 'where batch outputs go (`<dir>/<batch id>/`): a folder, or `s3://bucket/prefix` for a fleet that shares no disk', fallback: '`./output`' },
  cacheDir: { purpose: 'result cache (content hash + settings): a folder, or `s3://bucket/prefix` so a fleet shares it', fallback: '`$DOCBATCH_HOME/cache`' },
  homeDir: { purpose: 'docbatch\'s state: dev server database, temporal binary, cache, logs', fallback: '`.docbatch` in a clone; `~/.docbatch` for an installed package' },
  anthropicApiKey: { purpose: 'Claude API key, read by workers only; `--extractor auto` uses Claude when it is set', fallback: 'none: the local extractor' },
  anthropicBaseUrl: { purpose: 'Messages API base URL (the local emulator in tests)', fallback: 'the SDK default' },
  decodeWorkers: { purpose: 'decoder processes per worker: PDF parsing, rendering and OCR run isolated in them, one document each', fallback: 'the number of cores' },
  decodeTimeoutSeconds: { purpose: 'seconds a document may go without progress (a page, an image) while decoded before it fails as `timeout`', fallback: '`120`' },
  ocr: {
    purpose: 'how the offline extractor reads scans: `accurate` (pages deskewed, small print enlarged, read in the document\'s language) or `fast` (the page as it came, English only: about 5× less time a page, fewer fields on tilted, small or faded scans; docs/benchmarks.md)',
    fallback: '`accurate`',
  },
  encryptionKey: { purpose: 'encrypts Temporal payloads with AES-256-GCM: base64 of 32 random bytes (`openssl rand -base64 32`); more keys after the first (comma-separated) only decrypt, for rotation', fallback: 'none: payloads in the clear' },
  encryptionKeyFile: { purpose: 'instead of `DOCBATCH_ENCRYPTION_KEY`: a file of such keys, one a line, the first encrypting', fallback: 'none' },
  metricsPort: { purpose: 'a worker serves Prometheus metrics (docbatch\'s and the Temporal SDK\'s) at `http://<host>:<port>/metrics`', fallback: 'none: no metrics endpoint' },
  s3ForcePathStyle: {
    purpose: 'path-style S3 addressing (`http://host/bucket/key`) on or off; the AWS SDK\'s own `AWS_ENDPOINT_URL_S3`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and profiles choose the endpoint and credentials',
    fallback: 'on for an IP or localhost endpoint, off otherwise (virtual-hosted, as AWS wants)',
  },
  databaseUrl: {
    purpose: 'the PostgreSQL results database (`postgres://user:password@host:5432/db`): the default of `--sink`, and where workers find the password of a batch\'s sink (batch input holds the URL without it)',
    fallback: 'none (no sink); workers then use PGPASSWORD or ~/.pgpass',
  },
  logLevel: {
    purpose: 'level of the Temporal SDK and worker logs (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`); for `docbatch run` it also brings them back to the terminal, as `--verbose` does',
    fallback: '`docbatch worker`: `INFO`; `docbatch run`: `WARN`, to `$DOCBATCH_HOME/logs/worker.log` only',
  },
  logFormat: { purpose: 'log line format: `text`, or `json` (one JSON object per line: time, level, message and the SDK\'s metadata)', fallback: '`text`' },
};

/** Every field of the batch input, by dotted path; the defaults come from the schema itself. */
const inputDescriptions: Record<string, string> = {
  'source.dir': 'directory of documents (absolute: the worker resolves it); `docbatch run [dir]`',
  'source.url': 'instead of `dir`: `s3://bucket/prefix/`, the objects under a prefix of any S3-compatible store (credentials from the AWS SDK\'s chain, never the input); `docbatch run s3://…`',
  'source.include': 'glob patterns inside `dir` or under `url`; `--include`',
  'source.exclude': 'glob patterns to leave out; `--exclude`',
  'source.followSymlinks': 'walk into symlinked directories (each directory once, so links cannot loop); off, each is a failed entry saying so; `--follow-symlinks`',
  'source.manifest': 'instead of `dir`: a file with one document path (or `s3://` URL) per line, or an earlier manifest.jsonl; `--manifest`',
  schema: 'what to extract',
  extractor: '`auto` (Claude when the worker has ANTHROPIC_API_KEY, else local), `local` or `anthropic`; `--extractor`',
  mode: '`realtime` (a Messages API call per document) or `batch` (Message Batches: half the price, results within 24 hours; see docs/anthropic.md); Claude only: with `batch`, extractor `local` is refused and `auto` means Claude; `--mode`',
  'messageBatches.pollInterval': 'batch mode: how often a Message Batch at Anthropic is checked (a retried activity, no worker slot held in between); `--poll-interval`',
  'messageBatches.deadline': 'batch mode: longest a chunk waits for its Message Batches (Anthropic expires what is not done after 24 hours)',
  'messageBatches.resubmits': 'batch mode: times a document that errored with a server error or expired is submitted again',
  'messageBatches.whenResubmitsRunOut': 'batch mode: then `realtime` (one realtime call) or `fail` (a failed document with the reason)',
  'models.simple': 'model for small text-layer documents',
  'models.complex': 'model for scans, images, long or complex documents',
  'models.escalation': 'model tried once when output stays invalid after a repair turn',
  outputDir: 'output root, a folder or `s3://bucket/prefix`; the batch writes `<outputDir>/<batch id>/`; `--output`',
  chunkSize: 'documents per chunk activity, extracted in parallel within the worker\'s limits; `--chunk-size`',
  concurrency: 'chunks in flight at once (the sliding window); with `chunkSize`, the documents open to the workers; `--concurrency`',
  priority: 'task-queue priority of the chunks, 1 highest; `--priority`, `docbatch priority`',
  order: '`path`, `largest` or `smallest` first; `--order`',
  'retry.initialInterval': 'first retry delay of a chunk',
  'retry.backoffCoefficient': 'retry delay multiplier',
  'retry.maximumInterval': 'longest retry delay',
  'retry.maximumAttempts': 'attempts per chunk before the batch pauses (0 = unlimited)',
  'timeouts.chunkStartToClose': 'longest one chunk attempt may take',
  'timeouts.chunkHeartbeat': 'a chunk silent for this long is presumed dead and retried (it heartbeats every third of this, also during a long extraction)',
  toleratedFailurePercent: 'stop the batch once more than this share of documents failed; `--tolerated-failure-percent`',
  cache: 'reuse results of identical documents and settings; `--no-cache`',
  redriveOf: 'the batch whose failed documents this one redrives; `docbatch redrive`',
  chunksPerRun: 'chunks one workflow run completes before it continues as new',
  collection: 'the collection the documents belong to: the sink\'s rows and the `onlyNew` ledger are kept per collection; `--collection`, `--only-new <collection>`',
  onlyNew: 'extract only documents no earlier batch of `collection` extracted with the same schema and settings (new or changed ones); `--only-new <collection>`',
  sink: 'also write each result as a PostgreSQL row as its chunk journals it: `postgres://user@host:5432/db` without the password (workers read it from `DOCBATCH_DATABASE_URL` or `PGPASSWORD`); `--sink`',
};

/** Defaults chosen when the batch runs rather than fixed in the schema. */
const chosenDefaults: Record<string, string> = {
  chunkSize: `chosen by planning: \`${textChunkSize}\` for text (plain, XML, HTML) with the offline extractor, else \`${defaultChunkSize}\``,
};

/** The input fields and their defaults: `{ "source.dir": undefined, chunkSize: 10, ... }`. */
export function inputDefaults(): Map<string, unknown> {
  const parsed = batchInputSchema.parse({ source: { dir: '/documents' } }) as Record<string, unknown>;
  const defaults = new Map<string, unknown>();
  const walk = (value: Record<string, unknown>, prefix: string) => {
    for (const [key, field] of Object.entries(value)) {
      const name = prefix + key;
      if (field !== null && typeof field === 'object' && !Array.isArray(field)) walk(field as Record<string, unknown>, `${name}.`);
      else defaults.set(name, field);
    }
  };
  walk(parsed, '');
  defaults.set('source.dir', undefined);
  defaults.set('source.manifest', undefined);
  defaults.set('source.url', undefined);
  defaults.set('redriveOf', undefined);
  defaults.set('collection', undefined);
  defaults.set('sink', undefined);
  defaults.set('chunkSize', undefined);
  return defaults;
}

export function documentedInputFields(): string[] {
  return Object.keys(inputDescriptions);
}

export function configurationMarkdown(): string {
  const defaults = inputDefaults();
  const envRows = (Object.keys(ENV) as (keyof typeof ENV)[]).map(
    (key) => `| \`${ENV[key]}\` | ${envDescriptions[key].purpose} | ${envDescriptions[key].fallback} |`,
  );
  const inputRows = Object.entries(inputDescriptions).map(([field, purpose]) => {
    const value = defaults.get(field);
    const shown = value === undefined ? (chosenDefaults[field] ?? (field.startsWith('source.') && field !== 'source.exclude' && field !== 'source.include' ? 'one of dir / url / manifest is required' : '–')) : `\`${JSON.stringify(value)}\``;
    return `| \`${field}\` | ${purpose} | ${shown} |`;
  });
  return [
    '### Environment',
    '',
    '| Variable | What it sets | Default |',
    '| --- | --- | --- |',
    ...envRows,
    '',
    '### Batch input',
    '',
    'The workflow input is plain JSON (`docbatch run` builds it from its flags; the Temporal CLI passes it with `--input`).',
    'Only `source` is required: `{"source":{"dir":"/abs/path"}}` is a complete batch.',
    '',
    '| Field | What it sets | Default |',
    '| --- | --- | --- |',
    ...inputRows,
  ].join('\n');
}
