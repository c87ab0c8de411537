import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * A Temporal codec server: POST /decode and /encode take and return `{"payloads": [...]}` in
 * protobuf JSON (metadata values and data in base64), for the Web UI (which sends X-Namespace and
 * Content-Type, from the browser, so it needs CORS) and the `temporal` CLI's --codec-endpoint.
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call it (the Web UI's), e.g. `http://localhost:8233`; `*` for any. */
  allowOrigins: string[];
  host?: string;
  /** 0 for a free port. */
  port: number;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const maxBodyBytes = 64 * 1024 * 1024;

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}

/** `http://host:port/` → `http://host:port`, so configured URLs compare with the browser's Origin header. */
export function originOf(url: string): string {
  return url === '*' ? url : new URL(url).origin;
}

function corsHeaders(request: http.IncomingMessage, allowOrigins: Set<string>): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined || !(allowOrigins.has('*') || allowOrigins.has(origin))) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
    // The UI may send its credentials ("include cross-origin credentials" in its codec settings).
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new Error(`request body over ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const allowOrigins = new Set(options.allowOrigins.map(originOf));
  const server = http.createServer((request, response) => {
    const cors = corsHeaders(request, allowOrigins);
    const send = (status: number, body?: unknown) => {
      response.writeHead(status, { ...cors, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const route = new URL(request.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (request.method === 'OPTIONS') return send(204);
    if (request.method !== 'POST' || (route !== '/decode' && route !== '/encode')) {
      return send(404, { error: 'POST /decode or /encode with {"payloads": [...]}' });
    }
    void (async () => {
      let payloads: Payload[];
      try {
        const body = JSON.parse(await readBody(request)) as { payloads?: JsonPayload[] } | null;
        if (body === null || typeof body !== 'object') throw new Error('the body is not a JSON object');
        // Protobuf JSON leaves out an empty list: `{}` is zero payloads (the temporal CLI sends it for a query without arguments).
        if (body.payloads !== undefined && !Array.isArray(body.payloads)) throw new Error('"payloads" is not an array');
        payloads = (body.payloads ?? []).map(fromJson);
      } catch (error) {
        return send(400, { error: `bad request: ${(error as Error).message}` });
      }
      try {
        const out = route === '/decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
        send(200, { payloads: out.map(toJson) });
      } catch (error) {
        send(422, { error: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
