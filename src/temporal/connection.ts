import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { dataConverterFromEnv } from '../encryption/data-converter';
import { DEFAULTS, ENV, readEnv } from '../env';

type Env = Record<string, string | undefined>;

/** How to reach Temporal, from env (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS). */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** TLS on; defaults to on when an API key is set (Temporal Cloud), off otherwise. */
  tls: boolean;
  /** Never logged, never put into workflow input. */
  apiKey?: string;
}

export function temporalSettingsFromEnv(env: Env = process.env): TemporalSettings {
  const apiKey = readEnv('temporalApiKey', env);
  return {
    address: readEnv('temporalAddress', env) ?? DEFAULTS.temporalAddress,
    namespace: readEnv('temporalNamespace', env) ?? DEFAULTS.temporalNamespace,
    tls: parseTls(readEnv('temporalTls', env), apiKey !== undefined),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

function parseTls(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${ENV.temporalTls}=${raw} is not a boolean: set it to true or false`);
}

/**
 * The Web UI address for a server: TEMPORAL_UI_URL when set; Temporal Cloud's UI for `*.tmprl.cloud`;
 * otherwise the dev server's convention (gRPC port + 1000 on the same host).
 */
export function webUiUrlFor(address: string, env: Env = process.env): string {
  const fromEnv = readEnv('temporalUiUrl', env);
  if (fromEnv !== undefined) return fromEnv.replace(/\/+$/, '');
  if (/\.tmprl\.cloud(:\d+)?$/.test(address)) return 'https://cloud.temporal.io';
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) return `http://${address}:8233`;
  return `http://${match[1]}:${Number(match[2]) + 1000}`;
}

/** The Web UI page of one workflow (batch). */
export function workflowUiUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function connectionOptions(settings: TemporalSettings) {
  return {
    address: settings.address,
    tls: settings.tls,
    ...(settings.apiKey !== undefined ? { apiKey: settings.apiKey } : {}),
  };
}

function unreachable(settings: TemporalSettings, err: unknown): Error {
  return new Error(
    `Temporal server at ${settings.address} is not reachable (${(err as Error).message}): ` +
      `start one with \`docbatch server\`, or set ${ENV.temporalAddress} to a running server.`,
    { cause: err },
  );
}

/**
 * A @temporalio/client Client for the server and namespace in `settings` (env by default), with the
 * payload encryption DOCBATCH_ENCRYPTION_KEY asks for (src/encryption).
 */
export async function connectClient(
  settings: TemporalSettings = temporalSettingsFromEnv(),
  dataConverter: DataConverter | undefined = dataConverterFromEnv(),
): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(settings), connectTimeout: '10s' });
  } catch (err) {
    throw unreachable(settings, err);
  }
  return new Client({ connection, namespace: settings.namespace, ...(dataConverter ? { dataConverter } : {}) });
}

/** The NativeConnection a Worker needs, for the server in `settings` (env by default). */
export async function connectWorkerConnection(
  settings: TemporalSettings = temporalSettingsFromEnv(),
): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(settings));
  } catch (err) {
    throw unreachable(settings, err);
  }
}

/** Whether something accepts TCP connections at `host:port` (false only on a definite refusal or timeout).
 * A refused port answers in milliseconds, where a gRPC connect waits out its whole timeout. */
export function portAnswers(address: string, timeoutMs = 3_000): Promise<boolean> {
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) return Promise.resolve(true);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(match[2]) });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
