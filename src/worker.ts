import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { createReviewActivities } from './review/activities';
import { createAnthropicFor, createExtractorFor, createMessageBatchesClient } from './activities/extractor-for';
import { dataConverterFromEnv } from './encryption/data-converter';
import { createDocbatchMetrics } from './metrics/docbatch-metrics';
import type { ExtractionObserver } from './metrics/observer';
import { sdkMetricsEndpoint } from './metrics/runtime';
import { installWorkerRuntime } from './logging/runtime';
import { startMetricsServer } from './metrics/server';
import { DEFAULTS, readEnv, readIntEnv } from './env';
import { createFileResultCache } from './store/result-cache';
import { connectWorkerConnection } from './temporal/connection';
import { docbatchHome } from './temporal/paths';
import { builtFile, packageRoot, runsCompiled } from './package-layout';
import { ocrSettingsFromEnv } from './extraction/ocr-settings';

/** The workflow sources, which a worker running from them bundles when it starts. */
export const workflowsPath = path.join(packageRoot, 'src', 'workflows', 'index.ts');

/**
 * The workflow code of a worker: compiled, the bundle the build made (with the encrypting failure
 * converter when payloads are encrypted), so an installed worker starts without bundling; from the
 * sources, bundled at start.
 */
function workflowCode(dataConverter: DataConverter | undefined): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (!runsCompiled) return { workflowsPath };
  return { workflowBundle: { codePath: builtFile(dataConverter?.failureConverterPath ? 'workflow-bundle-encrypted.js' : 'workflow-bundle.js') } };
}

export interface DocbatchWorkerOptions {
  connection?: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Chunk activities this worker runs at once (its activity slots). */
  maxConcurrentActivityTaskExecutions?: number;
  /** A batch-wide budget the server enforces across every worker of the task queue. */
  maxTaskQueueActivitiesPerSecond?: number;
  /** Replace some activity dependencies (tests: a counting or slow extractor, another cache). */
  activityDeps?: Partial<ActivityDeps>;
  /**
   * A prebuilt workflow bundle, to skip bundling when a process starts several workers. With
   * encryption on, bundle it with the data converter's failureConverterPath.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload encryption; default from DOCBATCH_ENCRYPTION_KEY / _FILE (none when unset). */
  dataConverter?: DataConverter;
  /** Told of documents, API responses and rate-limit waits (the metrics of runWorkerFromEnv). */
  observer?: ExtractionObserver;
}

export function defaultActivityDeps(env = process.env, observer?: ExtractionObserver): ActivityDeps {
  const cacheDir = readEnv('cacheDir', env) ?? path.join(docbatchHome(env), 'cache');
  return {
    extractorFor: createExtractorFor(env, observer),
    anthropicFor: createAnthropicFor(env, observer),
    messageBatchesClient: createMessageBatchesClient(env),
    resultCache: createFileResultCache(cacheDir),
    hasAnthropicKey: () => readEnv('anthropicApiKey', env) !== undefined,
    now: () => Date.now(),
    ...(observer ? { observer } : {}),
  };
}

/** A worker for the docbatch task queue. Any number of them, on any machines, share the queue. */
export async function createDocbatchWorker(options: DocbatchWorkerOptions = {}): Promise<Worker> {
  // Settings the decoder processes read later, refused now rather than on the first scan.
  ocrSettingsFromEnv();
  const connection = options.connection ?? (await connectWorkerConnection());
  const activities = { ...createActivities({ ...defaultActivityDeps(process.env, options.observer), ...options.activityDeps }), ...createReviewActivities() };
  // 0 (unset) means no batch-wide cap.
  const maxPerSecond = options.maxTaskQueueActivitiesPerSecond ?? readIntEnv('maxActivitiesPerSecond', 0);
  const dataConverter = options.dataConverter ?? dataConverterFromEnv();
  return Worker.create({
    connection,
    namespace: options.namespace ?? readEnv('temporalNamespace') ?? DEFAULTS.temporalNamespace,
    taskQueue: options.taskQueue ?? readEnv('taskQueue') ?? DEFAULTS.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : workflowCode(dataConverter)),
    activities,
    maxConcurrentActivityTaskExecutions:
      options.maxConcurrentActivityTaskExecutions ?? readIntEnv('maxConcurrentActivities', DEFAULTS.maxConcurrentActivities),
    ...(maxPerSecond ? { maxTaskQueueActivitiesPerSecond: maxPerSecond } : {}),
    ...(dataConverter ? { dataConverter } : {}),
  });
}

/** `docbatch worker` and `node src/worker.ts`: a worker configured from env until SIGINT/SIGTERM. */
export async function runWorkerFromEnv(): Promise<void> {
  // DOCBATCH_METRICS_PORT: Prometheus metrics, docbatch's and the SDK's (whose runtime must be set up before connecting).
  const metricsPort = readIntEnv('metricsPort', 0);
  const metrics = metricsPort ? createDocbatchMetrics() : undefined;
  const sdkMetrics = metricsPort ? await sdkMetricsEndpoint() : undefined;
  const sdkMetricsUrl = sdkMetrics?.url;
  // Logs on stderr: the SDK's format at INFO, or one JSON object per line with DOCBATCH_LOG_FORMAT=json.
  const runtime = installWorkerRuntime({ defaultLevel: 'INFO', to: 'stderr', ...(sdkMetrics ? { prometheusBindAddress: sdkMetrics.bindAddress } : {}) });
  const worker = await createDocbatchWorker(metrics ? { observer: metrics } : {});
  const metricsServer = metrics ? await startMetricsServer({ registry: metrics.registry, port: metricsPort, ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}) }) : undefined;
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before it resolves.
  const banner =
    `docbatch worker on task queue ${worker.options.taskQueue} (namespace ${worker.options.namespace})` +
    `${metricsServer ? `, metrics at ${metricsServer.url}` : ''}; Ctrl-C to stop`;
  // In JSON, the banner is a log line like the others, so every line of stderr parses.
  console.error(runtime.settings.format === 'json' ? JSON.stringify({ time: new Date().toISOString(), level: 'INFO', message: banner }) : banner);
  try {
    await worker.run();
  } finally {
    await metricsServer?.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Exit once the worker has drained: forwarded runtime logs or an open connection would keep the process up.
  runWorkerFromEnv().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
