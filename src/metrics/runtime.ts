import { Runtime } from '@temporalio/worker';
import { freePort } from '../temporal/dev-server';

/**
 * Turns on the Temporal SDK's own metrics (workflow and activity task latencies, slots, polls,
 * sticky cache, …) through Runtime.install's Prometheus exporter, on a private port of
 * 127.0.0.1: the docbatch metrics server serves them together with its own on one port. Must run
 * before the process makes any Temporal connection (the runtime is created then).
 */
export async function installSdkMetrics(): Promise<string> {
  const port = await freePort();
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } });
  return `http://127.0.0.1:${port}/metrics`;
}
