import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { DEFAULTS, ENV, readEnv } from '../env';
import { ensureTemporalCli, type Log } from './binary';
import { portAnswers, temporalSettingsFromEnv, webUiUrlFor, type TemporalSettings } from './connection';
import { dynamicConfigArgs } from './dynamic-config';
import { defaultDevServerDbFile } from './paths';
import { ensureSearchAttributes, searchAttributeArgs } from './register-search-attributes';

export { ensureSearchAttributes } from './register-search-attributes';

/** A Temporal server docbatch talks to, whether it started it or found it running. */
export interface TemporalServer {
  /** gRPC frontend, `host:port`. */
  address: string;
  namespace: string;
  /** How to reach it: env's TLS and API key only for the server TEMPORAL_ADDRESS names. */
  connection: TemporalSettings;
  /** Web UI base URL, e.g. `http://127.0.0.1:8233`. */
  uiUrl: string;
  /** True when this process started the server (then stop() ends it). */
  started: boolean;
  /** Stops a server this process started (SIGTERM to its process group, SIGKILL after 10 s); no-op otherwise. */
  stop(): Promise<void>;
  /** For a started server: settles with the reason when the server process ends. */
  exited?: Promise<string>;
  /** For a started server: its process (group leader) id, e.g. for fault tests that SIGKILL it. */
  pid?: number;
}

export interface DevServerOptions {
  /** SQLite file; its directory is created. Default `<DOCBATCH_HOME>/temporal.db`. */
  dbFile?: string;
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; a free one when omitted (ignored when headless). */
  uiPort?: number;
  /** No Web UI. Default false. */
  headless?: boolean;
  /** Namespace to create besides `default`. Default TEMPORAL_NAMESPACE or `default`. */
  namespace?: string;
  /** The CLI to run; found or installed with ensureTemporalCli when omitted. */
  cliPath?: string;
  /** How long to wait for the frontend to answer. Default 60 s. */
  readyTimeoutMs?: number;
  /** A codec server the Web UI decodes payloads with (`docbatch codec-server`), for encrypted payloads. */
  uiCodecEndpoint?: string;
  log?: Log;
}

const HOST = '127.0.0.1';
const stderrLog: Log = (message) => process.stderr.write(`${message}\n`);

/** A port that is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Keeps the last lines a child wrote, for error messages. */
class OutputTail {
  private lines: string[] = [];
  constructor(private readonly max = 40) {}
  push(chunk: Buffer): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

/**
 * Starts `temporal server start-dev` bound to 127.0.0.1 with a file-backed database, the Web UI
 * (unless headless), docbatch's search attributes and the dynamic config priority needs, and waits
 * until the frontend answers.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<TemporalServer> {
  const log = options.log ?? stderrLog;
  const cliPath = options.cliPath ?? (await ensureTemporalCli({ log })).path;
  const dbFile = path.resolve(options.dbFile ?? defaultDevServerDbFile());
  const namespace = options.namespace ?? readEnv('temporalNamespace') ?? DEFAULTS.temporalNamespace;
  const headless = options.headless ?? false;
  await mkdir(path.dirname(dbFile), { recursive: true });

  // Free ports can be taken between probing and binding: retry with new ones unless they were given.
  const attempts = options.port === undefined || (!headless && options.uiPort === undefined) ? 3 : 1;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    const uiPort = headless ? undefined : (options.uiPort ?? (await freePort()));
    try {
      return await launch({ cliPath, dbFile, namespace, port, uiPort, readyTimeoutMs: options.readyTimeoutMs ?? 60_000, uiCodecEndpoint: options.uiCodecEndpoint });
    } catch (err) {
      lastError = err as Error;
      if (!/address already in use/i.test(lastError.message)) throw lastError;
      log(`port ${port} or ${uiPort} was taken; retrying the dev server on other ports`);
    }
  }
  throw lastError ?? new Error('dev server did not start');
}

interface LaunchOptions {
  cliPath: string;
  dbFile: string;
  namespace: string;
  port: number;
  uiPort: number | undefined;
  readyTimeoutMs: number;
  uiCodecEndpoint: string | undefined;
}

async function launch(o: LaunchOptions): Promise<TemporalServer> {
  const address = `${HOST}:${o.port}`;
  const args = [
    'server', 'start-dev',
    '--ip', HOST,
    '--port', String(o.port),
    '--db-filename', o.dbFile,
    '--log-level', 'warn',
    ...(o.uiPort === undefined ? ['--headless'] : ['--ui-port', String(o.uiPort), '--ui-disable-news-fetch']),
    ...(o.uiCodecEndpoint !== undefined && o.uiPort !== undefined ? ['--ui-codec-endpoint', o.uiCodecEndpoint] : []),
    ...(o.namespace !== DEFAULTS.temporalNamespace ? ['--namespace', o.namespace] : []),
    ...searchAttributeArgs(),
    ...dynamicConfigArgs(),
  ];
  // Its own process group, so stop() also ends anything the CLI spawned.
  const child = spawn(o.cliPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputTail();
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not run ${o.cliPath}: ${err.message}`));
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
  });
  let dead: string | undefined;
  void exited.then((why) => (dead = why));

  const stop = () => stopProcessGroup(child);
  try {
    await waitForFrontend(address, o.namespace, o.readyTimeoutMs, () => dead);
  } catch (err) {
    await stop();
    const why = dead ? `the dev server ${dead}` : (err as Error).message;
    throw new Error(
      `Temporal dev server (${o.cliPath} ${args.slice(0, 2).join(' ')} on ${address}, db ${o.dbFile}) did not become ready: ${why}\n` +
        `--- last server output ---\n${output.toString() || '(none)'}`,
      { cause: err },
    );
  }
  // A server this process started must not outlive it (a crash or process.exit skips stop()).
  const killOnExit = () => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  // Keep the pipes drained but let the parent exit without waiting for the server.
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    address,
    namespace: o.namespace,
    connection: { address, namespace: o.namespace, tls: false },
    uiUrl: o.uiPort === undefined ? '' : `http://${HOST}:${o.uiPort}`,
    started: true,
    stop,
    exited,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
  };
}

async function waitForFrontend(address: string, namespace: string, timeoutMs: number, dead: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (dead()) throw new Error(dead());
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        // The namespace and search attributes exist once this answers.
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no answer from ${address} within ${Math.round(timeoutMs / 1000)} s (last error: ${lastError})`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function answers(address: string, namespace: string, timeout: string): Promise<Connection | undefined> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeout });
    await connection.workflowService.describeNamespace({ namespace });
    return connection;
  } catch {
    return undefined;
  }
}

/**
 * The server `docbatch run` uses: TEMPORAL_ADDRESS when set (it must answer); otherwise a server
 * already answering at localhost:7233; otherwise the embedded dev server on 7233 / UI 8233 with the
 * project-local database, so re-running a command resumes the same batch. Search attributes are
 * registered on servers it did not start.
 */
export async function ensureTemporalServer(options: { log?: Log; env?: Record<string, string | undefined> } = {}): Promise<TemporalServer> {
  const log = options.log ?? stderrLog;
  const env = options.env ?? process.env;
  const settings = temporalSettingsFromEnv(env);
  const noop = async () => {};

  if (readEnv('temporalAddress', env) !== undefined) {
    let connection: Connection;
    try {
      connection = await Connection.connect({
        address: settings.address,
        tls: settings.tls,
        ...(settings.apiKey !== undefined ? { apiKey: settings.apiKey } : {}),
        connectTimeout: '10s',
      });
      await connection.workflowService.describeNamespace({ namespace: settings.namespace });
    } catch (err) {
      throw new Error(
        `${ENV.temporalAddress}=${settings.address} (namespace ${settings.namespace}) is not reachable: ${(err as Error).message.split('\n')[0]}. ` +
          `Start that server (or \`docbatch server\`), fix ${ENV.temporalAddress}/${ENV.temporalNamespace}, or unset ${ENV.temporalAddress} to use the embedded dev server.`,
        { cause: err },
      );
    }
    try {
      await ensureSearchAttributes(connection, settings.namespace);
    } finally {
      await connection.close();
    }
    return { address: settings.address, namespace: settings.namespace, connection: settings, uiUrl: webUiUrlFor(settings.address, env), started: false, stop: noop };
  }

  const local = (await portAnswers(DEFAULTS.temporalAddress, 500)) ? await answers(DEFAULTS.temporalAddress, settings.namespace, '1s') : undefined;
  if (local) {
    try {
      await ensureSearchAttributes(local, settings.namespace);
    } finally {
      await local.close();
    }
    return {
      address: DEFAULTS.temporalAddress,
      namespace: settings.namespace,
      connection: { address: DEFAULTS.temporalAddress, namespace: settings.namespace, tls: false },
      uiUrl: webUiUrlFor(DEFAULTS.temporalAddress, env),
      started: false,
      stop: noop,
    };
  }

  const dbFile = defaultDevServerDbFile(env);
  log(`no Temporal server at ${DEFAULTS.temporalAddress}; starting the embedded dev server (database ${path.relative(process.cwd(), dbFile)}) …`);
  return startDevServer({ dbFile, port: 7233, uiPort: 8233, namespace: settings.namespace, log });
}

/** `docbatch server`: the embedded dev server in the foreground until SIGINT/SIGTERM. */
export async function runServerForeground(options: Pick<DevServerOptions, 'port' | 'uiPort' | 'dbFile' | 'headless' | 'log'> = {}): Promise<void> {
  const log = options.log ?? stderrLog;
  const server = await startDevServer({
    port: options.port ?? 7233,
    uiPort: options.uiPort ?? 8233,
    dbFile: options.dbFile ?? defaultDevServerDbFile(),
    headless: options.headless ?? false,
    log,
  });
  console.log(`Temporal dev server: ${server.address} (namespace ${server.namespace})`);
  if (server.uiUrl) console.log(`Web UI: ${server.uiUrl}`);
  console.log(`Workers and \`docbatch run\` use it by default; press Ctrl-C to stop.`);
  // The server process is unref'd (so `docbatch run` can exit); this keeps the foreground command alive.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const ended = await new Promise<string | undefined>((resolve) => {
    process.once('SIGINT', () => resolve(undefined));
    process.once('SIGTERM', () => resolve(undefined));
    void server.exited?.then(resolve);
  });
  clearInterval(keepAlive);
  if (ended !== undefined) throw new Error(`the Temporal dev server ${ended}; run \`docbatch server\` again`);
  log('stopping the Temporal dev server …');
  await server.stop();
}
