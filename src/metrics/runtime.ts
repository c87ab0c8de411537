import { freePort } from '../temporal/dev-server';

/**
 * Where the Temporal SDK's own metrics (workflow and activity task latencies, slots, polls, sticky
 * cache, …) are exported by the runtime's Prometheus exporter (installWorkerRuntime's
 * `prometheusBindAddress`): a private port of 127.0.0.1, which the docbatch metrics server reads
 * and serves together with its own on one port.
 */
export async function sdkMetricsEndpoint(): Promise<{ bindAddress: string; url: string }> {
  const port = await freePort();
  return { bindAddress: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/metrics` };
}
