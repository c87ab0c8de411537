import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { docbatchHome } from '../temporal/paths';
import { quietNodeVersionNotice } from './s3-client';

const execFileAsync = promisify(execFile);

/**
 * A real S3-compatible server for tests, benchmarks and the local cluster: Versity's S3 gateway
 * over a folder (its posix backend), built from the Go module proxy once and cached in the
 * docbatch home. v1.8.0 answers conditional PUTs and GETs (If-Match / If-None-Match) with 412,
 * which the batch-mode records rely on.
 */
export const VERSITYGW_VERSION = 'v1.8.0';
export const VERSITYGW_GO_PACKAGE = 'github.com/versity/versitygw/cmd/versitygw';

type Log = (message: string) => void;

export interface Versitygw {
  path: string;
  version: string;
}

/** The cached binary, or a `go install` of the pinned release into `<docbatch home>/bin` (about two minutes on 2 cores). */
export async function ensureVersitygw(options: { log?: Log; env?: Record<string, string | undefined> } = {}): Promise<Versitygw> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const binDir = path.join(docbatchHome(env), 'bin');
  const binary = path.join(binDir, 'versitygw');
  const marker = `${binary}.version`;
  const cached = await readFile(marker, 'utf8').catch(() => '');
  if (cached.trim() === VERSITYGW_VERSION && (await access(binary, constants.X_OK).then(() => true, () => false))) return { path: binary, version: VERSITYGW_VERSION };

  log(`building versitygw ${VERSITYGW_VERSION} from the Go module proxy into ${binDir} (once; about two minutes)`);
  const buildDir = path.join(binDir, `.versitygw-build-${process.pid}`);
  await mkdir(buildDir, { recursive: true });
  try {
    await execFileAsync('go', ['install', `${VERSITYGW_GO_PACKAGE}@${VERSITYGW_VERSION}`], {
      env: { ...process.env, GOBIN: buildDir, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
      timeout: 15 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const missingGo = (error as NodeJS.ErrnoException).code === 'ENOENT';
    await rm(buildDir, { recursive: true, force: true });
    throw new Error(
      missingGo
        ? 'the S3 test server (versitygw) is built with Go, and `go` is not on PATH: install Go 1.24 or newer'
        : `could not build versitygw ${VERSITYGW_VERSION}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
      { cause: error },
    );
  }
  // Rename into place, so two runs building at once leave one whole binary.
  await rename(path.join(buildDir, 'versitygw'), binary);
  await writeFile(marker, `${VERSITYGW_VERSION}\n`);
  await rm(buildDir, { recursive: true, force: true });
  return { path: binary, version: VERSITYGW_VERSION };
}

export interface ObjectStoreServer {
  /** e.g. `http://127.0.0.1:40123`: what AWS_ENDPOINT_URL_S3 is set to. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The variables a docbatch process (or any AWS SDK) needs to use this server. */
  env: Record<string, string>;
  /** Creates a bucket (no error if it exists already). */
  createBucket(name: string): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL); its data stays in dataDir. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data: for tests of a store that went away mid-batch. */
  restart(): Promise<void>;
  readonly process: ChildProcess;
}

export interface StartObjectStoreOptions {
  /** Where the buckets live (one folder per bucket) and the metadata sidecar. */
  dataDir: string;
  host?: string;
  port?: number;
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  binary?: string;
  log?: Log;
}

/** Starts versitygw on a free port over `dataDir`, and waits until it answers S3 requests. */
export async function startObjectStoreServer(options: StartObjectStoreOptions): Promise<ObjectStoreServer> {
  const binary = options.binary ?? (await ensureVersitygw(options.log ? { log: options.log } : {})).path;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const accessKeyId = options.accessKeyId ?? 'docbatch';
  const secretAccessKey = options.secretAccessKey ?? 'docbatch-secret-key';
  const region = options.region ?? 'us-east-1';
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const buckets = path.join(options.dataDir, 'buckets');
  const sidecar = path.join(options.dataDir, 'meta');
  await mkdir(buckets, { recursive: true });
  await mkdir(sidecar, { recursive: true });
  quietNodeVersionNotice();
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });

  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(binary, ['--port', `${host.includes(':') ? `[${host}]` : host}:${port}`, '--access', accessKeyId, '--secret', secretAccessKey, '--region', region, '--quiet', 'posix', '--sidecar', sidecar, buckets], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`versitygw exited with ${child.exitCode}: ${stderr.trim()}`);
      try {
        await client.send(new ListBucketsCommand({}));
        return child;
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`versitygw did not answer at ${endpoint} within 30 s: ${stderr.trim()}`);
        }
        await sleep(100);
      }
    }
  };

  let child = await launch();
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killed);
  };
  options.log?.(`object store (versitygw) at ${endpoint}, data in ${options.dataDir}`);
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    region,
    env: { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region },
    async createBucket(name) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } catch (error) {
        const code = (error as { name?: string }).name;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
      }
    },
    stop: stopChild,
    async restart() {
      await stopChild();
      child = await launch();
    },
    get process() {
      return child;
    },
  };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
