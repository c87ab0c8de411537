import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  registry: Registry;
  /** The SDK's Prometheus exporter (installSdkMetrics), whose text is appended; optional. */
  sdkMetricsUrl?: string;
  port: number;
  host?: string;
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** GET /metrics: docbatch's metrics and the Temporal SDK's, in one Prometheus text exposition. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || new URL(request.url ?? '/', 'http://metrics').pathname !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    void (async () => {
      try {
        const own = await options.registry.metrics();
        const sdk = options.sdkMetricsUrl ? await sdkMetrics(options.sdkMetricsUrl) : '';
        response.writeHead(200, { 'Content-Type': options.registry.contentType }).end(`${own}\n${sdk}`);
      } catch (error) {
        response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/metrics`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The SDK exporter's text; a scrape still answers (with a comment) if the exporter does not. */
async function sdkMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return await response.text();
  } catch (error) {
    return `# temporal SDK metrics unavailable at ${url}: ${(error as Error).message}\n`;
  }
}
