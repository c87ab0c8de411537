import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV } from '../env';
import { ensureVersitygw } from '../storage/versitygw';
import type { Log } from '../temporal/binary';
import { projectRoot } from '../temporal/paths';
import { CLIENT_NETNS, CLUSTER_NAMESPACE, CLUSTER_NETWORK, CLUSTER_PORTS, clusterPaths, hostName, hostNetns, type ClusterPaths } from './layout';
import { clusterNetnsNames, ensureBridge, ensureClientHostNetwork, ensureWorkerHostNetwork, hostPids, removeNetwork } from './network';
import { ensurePostgresBinaries, ensureTemporalRole, initPostgres, postgresCommand, postgresReady, type PostgresSettings } from './postgres';
import { ensureTemporalServerBuild } from './server-build';
import { alive, serviceStatus, stopService, supervise, type Supervisor } from './supervisor';
import { ensureNamespace, serverCommand, setupSchemas, waitForFrontend, writeServerConfig } from './temporal-server';

/**
 * `npm run cluster -- up | down | status`: a real Temporal cluster on this machine without Docker.
 * PostgreSQL (Debian's) for persistence and SQL visibility, the Temporal server built from its Go
 * module, docbatch's namespace and search attributes, the object store the batches run on, and N
 * worker hosts, each a network namespace with its own DOCBATCH_HOME that reaches the services only
 * over the cluster's bridge.
 */
export interface ClusterOptions {
  /** DOCBATCH_HOME of the machine: binaries, databases, logs, the hosts' homes. */
  home: string;
  workers: number;
  namespace?: string;
  /** Env every worker host gets on top of the cluster's (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, DOCBATCH_* settings). */
  workerEnv?: Record<string, string>;
  log?: Log;
}

export interface ClusterState {
  /** The frontend address a client uses (from any host on the bridge, and from this machine). */
  address: string;
  namespace: string;
  serverVersion: string;
  postgres: { host: string; port: number; dataDir: string };
  /** Where batch outputs go: `s3://docbatch/output` (every host's DOCBATCH_OUTPUT_DIR). */
  outputDir: string;
  /** `env`: what a client's AWS SDK needs to reach the store (the cluster's local credentials). */
  objectStore: { endpoint: string; bucket: string; dataDir: string; env: Record<string, string> };
  hosts: Array<{ name: string; netns: string; address: string; home: string }>;
  clientHost: { netns: string; address: string };
  workerEnv: Record<string, string>;
  startedAt: string;
}

export const SERVICE = {
  postgres: 'postgres',
  temporal: 'temporal-server',
  objectStore: 'object-store',
  worker: (i: number) => `worker-${hostName(i)}`,
} as const;

export function clusterSupervisor(home: string): Supervisor {
  const paths = clusterPaths(home);
  return { runDir: paths.run, logDir: paths.logs };
}

export function postgresSettings(paths: ClusterPaths, binDir: string): PostgresSettings {
  const root = postgresRoot(paths);
  return {
    binDir,
    dataDir: path.join(root, 'data'),
    socketDir: path.join(root, 'socket'),
    host: '127.0.0.1',
    port: CLUSTER_PORTS.postgres,
    user: 'temporal',
    password: 'temporal',
  };
}

/**
 * `<home>/cluster/postgres`, when the `postgres` user can reach it (every directory above it
 * searchable by others); else a directory of this home's own under /var/lib/postgresql (a checkout
 * under a private home directory, as CI's may be).
 */
function postgresRoot(paths: ClusterPaths): string {
  const wanted = path.dirname(paths.postgresData);
  for (let dir = path.dirname(wanted); ; dir = path.dirname(dir)) {
    const searchable = (() => {
      try {
        return (statSync(dir).mode & 0o001) !== 0;
      } catch {
        return true; // not made yet: mkdir makes it 0755
      }
    })();
    if (!searchable) return path.join('/var/lib/postgresql', `docbatch-cluster-${createHash('sha256').update(paths.root).digest('hex').slice(0, 12)}`);
    if (dir === path.dirname(dir)) return wanted;
  }
}

/** Seconds a worker host takes to come back after every process of it died. */
export const HOST_REBOOT_SECONDS = 15;

export const frontendAddress = `${CLUSTER_NETWORK.gateway}:${CLUSTER_PORTS.frontend}`;

/** The env of a process on worker host i: the cluster's addresses and the host's own home. */
export function workerHostEnv(paths: ClusterPaths, i: number, namespace: string, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: paths.hostHome(i),
    ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
    [ENV.temporalAddress]: frontendAddress,
    [ENV.temporalNamespace]: namespace,
    [ENV.homeDir]: paths.hostHome(i),
    [ENV.cacheDir]: `${paths.hostHome(i)}/cache`,
    [ENV.outputDir]: CLUSTER_OUTPUT,
    // 2 cores for everything: one decoder per host.
    [ENV.decodeWorkers]: '1',
    [ENV.metricsPort]: String(CLUSTER_PORTS.workerMetrics),
    ...extra,
  };
}

/** Starts worker host i's worker under its supervisor, in the host's network namespace. */
export async function startWorkerHost(home: string, i: number, namespace: string, extra: Record<string, string>): Promise<void> {
  const paths = clusterPaths(home);
  await mkdir(paths.hostHome(i), { recursive: true });
  await ensureWorkerHostNetwork(i);
  await supervise(clusterSupervisor(home), {
    name: SERVICE.worker(i),
    // Its own network namespace, and its own hostname (a UTS namespace), so Temporal's worker
    // identity (`pid@host`) says which host ran an activity.
    command: [
      'ip', 'netns', 'exec', hostNetns(i),
      'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', hostName(i),
      process.execPath, '--max-old-space-size=512', '--import', 'tsx', 'src/worker.ts',
    ],
    env: workerHostEnv(paths, i, namespace, extra),
    cwd: projectRoot,
    cleanEnv: true,
    // A host whose processes all died comes back like a rebooted machine, not at once: its chunks
    // move to the others meanwhile (and its start, a workflow bundle, does not compete with them).
    restartDelaySeconds: HOST_REBOOT_SECONDS,
  });
}

export const OBJECT_STORE_BUCKET = 'docbatch';
/** Every host's DOCBATCH_OUTPUT_DIR: batches write every file to the bucket. */
export const CLUSTER_OUTPUT = `s3://${OBJECT_STORE_BUCKET}/output`;
const OBJECT_STORE_CREDENTIALS = { accessKeyId: 'docbatch', secretAccessKey: 'docbatch-secret-key', region: 'us-east-1' };

/**
 * versitygw (src/storage/versitygw.ts builds and caches it) under the cluster's supervisor, with the
 * same command line startObjectStoreServer uses, so it outlives `up` and restarts like the rest;
 * creates the `docbatch` bucket. Returns the env a host's AWS SDK needs.
 */
async function startClusterObjectStore(home: string, log: Log): Promise<{ endpoint: string; env: Record<string, string> }> {
  const paths = clusterPaths(home);
  const sup = clusterSupervisor(home);
  const { path: binary } = await ensureVersitygw({ log });
  const endpoint = `http://${CLUSTER_NETWORK.gateway}:${CLUSTER_PORTS.objectStore}`;
  const { accessKeyId, secretAccessKey, region } = OBJECT_STORE_CREDENTIALS;
  const buckets = path.join(paths.objectStoreData, 'buckets');
  const sidecar = path.join(paths.objectStoreData, 'meta');
  await mkdir(buckets, { recursive: true });
  await mkdir(sidecar, { recursive: true });
  if (!(await serviceStatus(sup, SERVICE.objectStore)).running) {
    await supervise(sup, {
      name: SERVICE.objectStore,
      command: [binary, '--port', `${CLUSTER_NETWORK.gateway}:${CLUSTER_PORTS.objectStore}`, '--access', accessKeyId, '--secret', secretAccessKey, '--region', region, '--quiet', 'posix', '--sidecar', sidecar, buckets],
    });
  }
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  try {
    for (const deadline = Date.now() + 30_000; ; await sleep(200)) {
      try {
        await client.send(new ListBucketsCommand({}));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`object store did not answer at ${endpoint} within 30 s: ${(err as Error).message}`, { cause: err });
      }
    }
    await client.send(new CreateBucketCommand({ Bucket: OBJECT_STORE_BUCKET })).catch((err: Error) => {
      if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
    });
  } finally {
    client.destroy();
  }
  log(`object store at ${endpoint}, bucket ${OBJECT_STORE_BUCKET}`);
  return { endpoint, env: { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region } };
}

export async function clusterUp(options: ClusterOptions): Promise<ClusterState> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const namespace = options.namespace ?? CLUSTER_NAMESPACE;
  const paths = clusterPaths(options.home);
  const sup = clusterSupervisor(options.home);
  await mkdir(paths.root, { recursive: true });

  const build = await ensureTemporalServerBuild({ home: options.home, log });
  await ensureBridge();

  // PostgreSQL: Debian's server, this cluster's own data directory and port; stopped by SIGINT (fast
  // shutdown: SIGTERM would wait for the server's pooled connections to end).
  const pg = postgresSettings(paths, await ensurePostgresBinaries(log));
  await initPostgres(pg, log);
  if (!(await serviceStatus(sup, SERVICE.postgres)).running) await supervise(sup, { name: SERVICE.postgres, command: postgresCommand(pg), stopSignal: 'INT' });
  for (const deadline = Date.now() + 60_000; !(await postgresReady(pg)); await sleep(250)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections on ${pg.host}:${pg.port} within 60 s: see ${paths.logs}/${SERVICE.postgres}.log`);
  }
  await ensureTemporalRole(pg);
  await setupSchemas(build, pg, log);

  // The Temporal server, with PostgreSQL persistence and SQL visibility, bound to the bridge.
  const config = await writeServerConfig(build, pg, paths.temporalConfig);
  if (!(await serviceStatus(sup, SERVICE.temporal)).running) await supervise(sup, { name: SERVICE.temporal, command: serverCommand(build, config) });
  await waitForFrontend(frontendAddress, 120_000);
  log(`Temporal server ${build.version} answers at ${frontendAddress}`);
  for (const ns of new Set(['default', namespace])) await ensureNamespace(frontendAddress, ns, log);

  // The object store (versitygw over a folder of this machine), on the bridge like the server.
  const store = await startClusterObjectStore(options.home, log);

  // Batches run on the object store: sources at s3://docbatch/…, every batch file under
  // s3://docbatch/output/ (DOCBATCH_OUTPUT_DIR on each host), so hosts share nothing but the network.
  const workerEnv = { ...store.env, ...(options.workerEnv ?? {}) };
  await ensureClientHostNetwork();
  const hosts: ClusterState['hosts'] = [];
  for (let i = 1; i <= options.workers; i++) {
    if (!(await serviceStatus(sup, SERVICE.worker(i))).running) await startWorkerHost(options.home, i, namespace, workerEnv);
    hosts.push({ name: hostName(i), netns: hostNetns(i), address: CLUSTER_NETWORK.hostAddress(i), home: paths.hostHome(i) });
  }
  const state: ClusterState = {
    address: frontendAddress,
    namespace,
    serverVersion: build.version,
    postgres: { host: pg.host, port: pg.port, dataDir: pg.dataDir },
    outputDir: CLUSTER_OUTPUT,
    objectStore: { endpoint: store.endpoint, bucket: OBJECT_STORE_BUCKET, dataDir: paths.objectStoreData, env: store.env },
    hosts,
    clientHost: { netns: CLIENT_NETNS, address: CLUSTER_NETWORK.clientAddress },
    workerEnv,
    startedAt: new Date().toISOString(),
  };
  await writeFile(paths.state, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

export async function readClusterState(home: string): Promise<ClusterState | undefined> {
  const file = clusterPaths(home).state;
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as ClusterState;
}

/** Stops workers (gracefully: they hand their chunks back), the server, PostgreSQL; removes the network. */
export async function clusterDown(home: string, log: Log): Promise<void> {
  const sup = clusterSupervisor(home);
  const state = await readClusterState(home);
  const workers = state?.hosts.length ?? 16;
  for (let i = 1; i <= workers; i++) {
    const status = await serviceStatus(sup, SERVICE.worker(i));
    if (status.supervisorPid === undefined) continue;
    await stopService(sup, SERVICE.worker(i), 60_000);
    log(`stopped worker host ${hostName(i)}`);
  }
  for (const name of [SERVICE.objectStore, SERVICE.temporal, SERVICE.postgres]) {
    if ((await serviceStatus(sup, name)).supervisorPid === undefined) continue;
    await stopService(sup, name);
    log(`stopped ${name}`);
  }
  const namespaces = await clusterNetnsNames();
  for (const netns of namespaces) {
    for (const pid of await hostPids(netns)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await removeNetwork(namespaces);
  log('removed the cluster network');
}

export interface ClusterStatusRow {
  what: string;
  where: string;
  pid?: number;
  state: string;
}

export async function clusterStatus(home: string): Promise<{ state: ClusterState | undefined; rows: ClusterStatusRow[] }> {
  const sup = clusterSupervisor(home);
  const state = await readClusterState(home);
  const rows: ClusterStatusRow[] = [];
  const row = async (what: string, name: string, where: string) => {
    const s = await serviceStatus(sup, name);
    rows.push({ what, where, ...(s.pid !== undefined ? { pid: s.pid } : {}), state: s.running ? 'running' : s.supervisorPid !== undefined && alive(s.supervisorPid) ? 'restarting' : 'stopped' });
  };
  await row('PostgreSQL', SERVICE.postgres, `127.0.0.1:${CLUSTER_PORTS.postgres}`);
  await row(`Temporal server ${state?.serverVersion ?? ''}`.trim(), SERVICE.temporal, frontendAddress);
  await row('object store (versitygw)', SERVICE.objectStore, state?.objectStore.endpoint ?? `${CLUSTER_NETWORK.gateway}:${CLUSTER_PORTS.objectStore}`);
  for (const host of state?.hosts ?? []) await row(`worker host ${host.name}`, SERVICE.worker(Number(host.name.slice(1))), `${host.netns} ${host.address}`);
  return { state, rows };
}
