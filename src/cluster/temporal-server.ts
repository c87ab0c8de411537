import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { parse, stringify } from 'yaml';
import { ensureSearchAttributes } from '../temporal/register-search-attributes';
import { priorityDynamicConfig } from '../temporal/dynamic-config';
import { docbatchSearchAttributes } from '../batch/search-attributes';
import type { Log } from '../temporal/binary';
import { CLUSTER_NETWORK, CLUSTER_PORTS } from './layout';
import type { PostgresSettings } from './postgres';
import type { TemporalServerBuild } from './server-build';

const execFileAsync = promisify(execFile);

export const TEMPORAL_DATABASE = 'temporal';
export const VISIBILITY_DATABASE = 'temporal_visibility';

/**
 * A task queue of the cluster with 4 partitions (docs/deployment.md: what more than one partition
 * does to priority). docbatch's own queue keeps 1 (src/temporal/dynamic-config.ts).
 */
export const PARTITIONED_TASK_QUEUE = 'docbatch-partitioned';
export const PARTITIONED_QUEUE_PARTITIONS = 4;

/**
 * The server's dynamic config on the cluster: what priority needs (the same keys as the dev server
 * and compose), the partitioned queue, and faster namespace and search-attribute propagation so a
 * fresh cluster is usable seconds after `up`.
 */
export function clusterDynamicConfig(): Record<string, Array<{ value: unknown; constraints?: Record<string, string> }>> {
  return {
    'matching.useNewMatcher': [{ value: priorityDynamicConfig['matching.useNewMatcher'] }],
    'matching.numTaskqueueReadPartitions': [
      { value: priorityDynamicConfig['matching.numTaskqueueReadPartitions'], constraints: { taskQueueName: 'docbatch' } },
      { value: PARTITIONED_QUEUE_PARTITIONS, constraints: { taskQueueName: PARTITIONED_TASK_QUEUE } },
    ],
    'matching.numTaskqueueWritePartitions': [
      { value: priorityDynamicConfig['matching.numTaskqueueWritePartitions'], constraints: { taskQueueName: 'docbatch' } },
      { value: PARTITIONED_QUEUE_PARTITIONS, constraints: { taskQueueName: PARTITIONED_TASK_QUEUE } },
    ],
    // Polls go to the partition that holds higher-priority backlog (the server's default, stated):
    // this is what keeps priority first on a queue with several partitions.
    'matching.priorityBacklogForwarding': [{ value: true }],
    'limit.maxIDLength': [{ value: 255 }],
    'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }],
  };
}

function sqlToolArgs(pg: PostgresSettings, database: string): string[] {
  return ['--plugin', 'postgres12', '--endpoint', pg.host, '--port', String(pg.port), '--user', pg.user, '--password', pg.password, '--database', database];
}

async function sqlTool(build: TemporalServerBuild, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(build.sqlTool, args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`temporal-sql-tool ${args.filter((a, i) => args[i - 1] !== '--password').join(' ')}: ${(e.stderr || e.stdout || e.message).trim().split('\n').slice(-8).join('\n')}`, { cause: err });
  }
}

/**
 * The server's two databases and their schemas, with the server's own tool and the versioned
 * schema directories shipped in its module: create-database, setup-schema -v 0.0, update-schema
 * (what auto-setup does; idempotent, so a re-run upgrades to the server's schema version).
 */
export async function setupSchemas(build: TemporalServerBuild, pg: PostgresSettings, log: Log): Promise<void> {
  const schemaRoot = path.join(build.moduleDir, 'schema', 'postgresql', 'v12');
  for (const [database, dir] of [
    [TEMPORAL_DATABASE, 'temporal'],
    [VISIBILITY_DATABASE, 'visibility'],
  ] as const) {
    const args = sqlToolArgs(pg, database);
    await sqlTool(build, [...args, 'create-database']).catch((err: Error) => {
      if (!/already exists/i.test(err.message)) throw err;
    });
    await sqlTool(build, [...args, 'setup-schema', '-v', '0.0']);
    await sqlTool(build, [...args, 'update-schema', '-d', path.join(schemaRoot, dir, 'versioned')]);
    log(`schema ${database}: ${path.join(schemaRoot, dir, 'versioned')} applied`);
  }
}

/** The parts of the server's config template this module changes. */
interface ServerConfigTemplate {
  persistence: { defaultStore: string; visibilityStore: string; datastores: Record<string, { sql: Record<string, unknown> }> };
  global: { membership: Record<string, unknown>; pprof?: unknown; metrics: { prometheus: Record<string, unknown> } };
  services: unknown;
  clusterMetadata: { clusterInformation: Record<string, { rpcAddress: string }> };
  archival: unknown;
  namespaceDefaults: unknown;
  dynamicConfigClient: unknown;
}

/**
 * The server's config, from the module's own `config/development-postgres12.yaml` with what this
 * cluster changes: the PostgreSQL address and role, every service bound to the bridge address (so
 * hosts reach the frontend and nothing binds the loopback ports a dev server uses), archival off,
 * and the dynamic config file. Returns the config directory for `temporal-server --config`.
 */
export async function writeServerConfig(build: TemporalServerBuild, pg: PostgresSettings, configDir: string): Promise<{ configDir: string; env: string }> {
  const template = parse(await readFile(path.join(build.moduleDir, 'config', 'development-postgres12.yaml'), 'utf8')) as ServerConfigTemplate;
  const bind = CLUSTER_NETWORK.gateway;
  for (const store of Object.values(template.persistence.datastores)) {
    store.sql.connectAddr = `${pg.host}:${pg.port}`;
    store.sql.user = pg.user;
    store.sql.password = pg.password;
  }
  const datastore = (name: string) => {
    const store = template.persistence.datastores[name];
    if (!store) throw new Error(`the server's config/development-postgres12.yaml has no datastore ${name}`);
    return store.sql;
  };
  datastore(template.persistence.defaultStore).databaseName = TEMPORAL_DATABASE;
  datastore(template.persistence.visibilityStore).databaseName = VISIBILITY_DATABASE;
  datastore(template.persistence.visibilityStore).maxConns = 10;
  datastore(template.persistence.visibilityStore).maxIdleConns = 10;
  template.global.membership.broadcastAddress = bind;
  template.global.pprof = { port: 0 };
  template.global.metrics.prometheus.listenAddress = `${bind}:${CLUSTER_PORTS.serverMetrics}`;
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({ rpc: { grpcPort, membershipPort, bindOnIP: bind, ...extra } });
  template.services = {
    frontend: rpc(CLUSTER_PORTS.frontend, CLUSTER_PORTS.membershipFrontend, { httpPort: CLUSTER_PORTS.frontendHttp }),
    history: rpc(CLUSTER_PORTS.history, CLUSTER_PORTS.membershipHistory),
    matching: rpc(CLUSTER_PORTS.matching, CLUSTER_PORTS.membershipMatching),
    worker: rpc(CLUSTER_PORTS.worker, CLUSTER_PORTS.membershipWorker),
  };
  for (const cluster of Object.values(template.clusterMetadata.clusterInformation)) cluster.rpcAddress = `${bind}:${CLUSTER_PORTS.frontend}`;
  template.archival = { history: { state: 'disabled' }, visibility: { state: 'disabled' } };
  template.namespaceDefaults = { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } };
  await mkdir(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  template.dynamicConfigClient = { filepath: dynamicConfigFile, pollInterval: '10s' };
  await writeFile(dynamicConfigFile, stringify(clusterDynamicConfig()));
  const env = 'docbatch-cluster';
  await writeFile(path.join(configDir, `${env}.yaml`), `# Written by \`npm run cluster -- up\` from the server module's config/development-postgres12.yaml.\n${stringify(template)}`);
  return { configDir, env };
}

export function serverCommand(build: TemporalServerBuild, config: { configDir: string; env: string }): string[] {
  return [build.server, '--root', config.configDir, '--config', '.', '--env', config.env, '--allow-no-auth', 'start'];
}

/** Waits until the frontend answers the health check. */
export async function waitForFrontend(address: string, timeoutMs: number, dead?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (dead?.()) throw new Error('the Temporal server process exited');
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.healthService.check({});
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`Temporal frontend at ${address} did not answer within ${timeoutMs / 1000} s: ${last}`);
}

/**
 * The namespace (registered when missing, 3 days retention) with docbatch's search attributes, and
 * waits until both are usable: a visibility query on the attributes answers.
 */
export async function ensureNamespace(address: string, namespace: string, log: Log): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
      log(`namespace ${namespace} registered`);
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
    }
    const deadline = Date.now() + 60_000;
    let last: unknown;
    for (;;) {
      try {
        const added = await ensureSearchAttributes(connection, namespace);
        if (added.length > 0) log(`search attributes ${added.join(', ')} registered in ${namespace}`);
        const query = docbatchSearchAttributes.map((key) => `${key.name} IS NULL`).join(' AND ');
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1, query });
        return;
      } catch (err) {
        last = err;
        if (Date.now() > deadline) throw new Error(`namespace ${namespace} not usable within 60 s: ${(last as Error).message}`, { cause: err });
        await sleep(1000);
      }
    }
  } finally {
    await connection.close();
  }
}
