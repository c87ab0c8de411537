/**
 * Every environment variable docbatch reads, in one place. Other modules import these readers;
 * docker-compose.yml and the README use the same names.
 */
export const ENV = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  temporalCliPath: 'TEMPORAL_CLI_PATH',
  temporalApiKey: 'TEMPORAL_API_KEY',
  temporalTls: 'TEMPORAL_TLS',
  temporalUiUrl: 'TEMPORAL_UI_URL',
  taskQueue: 'DOCBATCH_TASK_QUEUE',
  maxConcurrentActivities: 'DOCBATCH_MAX_CONCURRENT_ACTIVITIES',
  maxActivitiesPerSecond: 'DOCBATCH_MAX_ACTIVITIES_PER_SECOND',
  outputDir: 'DOCBATCH_OUTPUT_DIR',
  cacheDir: 'DOCBATCH_CACHE_DIR',
  homeDir: 'DOCBATCH_HOME',
  anthropicApiKey: 'ANTHROPIC_API_KEY',
  anthropicBaseUrl: 'ANTHROPIC_BASE_URL',
  decodeWorkers: 'DOCBATCH_DECODE_WORKERS',
  decodeTimeoutSeconds: 'DOCBATCH_DECODE_TIMEOUT_SECONDS',
  ocr: 'DOCBATCH_OCR',
  encryptionKey: 'DOCBATCH_ENCRYPTION_KEY',
  encryptionKeyFile: 'DOCBATCH_ENCRYPTION_KEY_FILE',
  metricsPort: 'DOCBATCH_METRICS_PORT',
  s3ForcePathStyle: 'DOCBATCH_S3_FORCE_PATH_STYLE',
  /** The results database (`--sink`): its password stays in the environment of the CLI and the workers, never in a batch's input. */
  databaseUrl: 'DOCBATCH_DATABASE_URL',
  logLevel: 'DOCBATCH_LOG_LEVEL',
  logFormat: 'DOCBATCH_LOG_FORMAT',
} as const;

export const DEFAULTS = {
  temporalAddress: 'localhost:7233',
  temporalNamespace: 'default',
  taskQueue: 'docbatch',
  workflowType: 'batchExtraction',
  outputDir: 'output',
  homeDir: '.docbatch',
  // Enough chunks for a batch's default concurrency (24) and more: documents are bounded per worker by its limiter, not by chunks.
  maxConcurrentActivities: 32,
} as const;

type Env = Record<string, string | undefined>;

export function readEnv(name: keyof typeof ENV, env: Env = process.env): string | undefined {
  const value = env[ENV[name]];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readIntEnv(name: keyof typeof ENV, fallback: number, env: Env = process.env): number {
  const raw = readEnv(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${ENV[name]}=${raw} is not a positive number: unset it or set a number like ${fallback}`);
  }
  return value;
}
