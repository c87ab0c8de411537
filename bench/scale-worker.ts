/**
 * The benchmark's docbatch worker, run as a child process so its peak RSS is its own: the real
 * worker (src/worker.ts) with the zero-latency extractor and the result cache off, on a prebuilt
 * workflow bundle. Prints "worker ready" once it polls; SIGTERM drains it.
 */
import { NativeConnection } from '@temporalio/worker';
import { createDocbatchWorker } from '../src/worker';
import { createZeroLatencyExtractor } from './zero-latency-extractor';

const { BENCH_TEMPORAL_ADDRESS, BENCH_TASK_QUEUE, BENCH_WORKFLOW_BUNDLE, BENCH_ACTIVITY_SLOTS, BENCH_DOCUMENTS_IN_FLIGHT } = process.env;
if (!BENCH_TEMPORAL_ADDRESS || !BENCH_TASK_QUEUE || !BENCH_WORKFLOW_BUNDLE || !BENCH_ACTIVITY_SLOTS || !BENCH_DOCUMENTS_IN_FLIGHT) {
  throw new Error('bench/scale-worker.ts needs BENCH_TEMPORAL_ADDRESS, BENCH_TASK_QUEUE, BENCH_WORKFLOW_BUNDLE, BENCH_ACTIVITY_SLOTS and BENCH_DOCUMENTS_IN_FLIGHT (bench/run.ts sets them)');
}

const extractor = createZeroLatencyExtractor(Number(BENCH_DOCUMENTS_IN_FLIGHT));
const connection = await NativeConnection.connect({ address: BENCH_TEMPORAL_ADDRESS });
const worker = await createDocbatchWorker({
  connection,
  namespace: 'default',
  taskQueue: BENCH_TASK_QUEUE,
  workflowBundle: { codePath: BENCH_WORKFLOW_BUNDLE },
  maxConcurrentActivityTaskExecutions: Number(BENCH_ACTIVITY_SLOTS),
  // BENCH_EXTRACTOR=local: the worker's own offline extractor (its rules' CPU is what a user's text documents cost).
  activityDeps: { ...(process.env.BENCH_EXTRACTOR === 'local' ? {} : { extractorFor: () => extractor }), resultCache: null },
});
process.stdout.write('worker ready\n');
// BENCH_MEMORY_LOG=1: where the worker's memory is, every 5 s (bench/run.ts shows these lines).
if (process.env.BENCH_MEMORY_LOG) {
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(`[memory] rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, array buffers ${mb(m.arrayBuffers)} MB\n`);
  }, 5000).unref();
}
await worker.run();
await connection.close();
