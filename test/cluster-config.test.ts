import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS } from '../src/env';
import { CLUSTER_NETWORK, CLUSTER_PORTS, hostLink, hostNetns } from '../src/cluster/layout';
import { clusterDynamicConfig, PARTITIONED_QUEUE_PARTITIONS, PARTITIONED_TASK_QUEUE, serverCommand, writeServerConfig } from '../src/cluster/temporal-server';
import { TEMPORAL_SERVER_MODULE, TEMPORAL_SERVER_VERSION } from '../src/cluster/server-build';
import { TEMPORAL_CLI_VERSION } from '../src/temporal/binary';
import { priorityDynamicConfig } from '../src/temporal/dynamic-config';

// The cluster's pure parts; test/cluster/ runs the cluster itself (root, network namespaces).

describe('the cluster dynamic config', () => {
  const config = clusterDynamicConfig();
  const forQueue = (key: string, queue: string) => config[key]?.find((entry) => entry.constraints?.taskQueueName === queue)?.value;

  test("keeps docbatch's queue as the dev server and compose have it (src/temporal/dynamic-config.ts)", () => {
    expect(config['matching.useNewMatcher']?.[0]?.value).toBe(priorityDynamicConfig['matching.useNewMatcher']);
    expect(forQueue('matching.numTaskqueueReadPartitions', DEFAULTS.taskQueue)).toBe(priorityDynamicConfig['matching.numTaskqueueReadPartitions']);
    expect(forQueue('matching.numTaskqueueWritePartitions', DEFAULTS.taskQueue)).toBe(priorityDynamicConfig['matching.numTaskqueueWritePartitions']);
  });

  test('has a queue with several partitions, and the forwarding that keeps priority first across them', () => {
    expect(PARTITIONED_QUEUE_PARTITIONS).toBeGreaterThan(1);
    expect(forQueue('matching.numTaskqueueReadPartitions', PARTITIONED_TASK_QUEUE)).toBe(PARTITIONED_QUEUE_PARTITIONS);
    expect(forQueue('matching.numTaskqueueWritePartitions', PARTITIONED_TASK_QUEUE)).toBe(PARTITIONED_QUEUE_PARTITIONS);
    expect(config['matching.priorityBacklogForwarding']?.[0]?.value).toBe(true);
  });
});

describe('the cluster layout', () => {
  test('hosts have distinct addresses on the bridge subnet, none the services', () => {
    const addresses = [CLUSTER_NETWORK.gateway, CLUSTER_NETWORK.clientAddress, ...[1, 2, 3, 4, 5].map(CLUSTER_NETWORK.hostAddress)];
    expect(new Set(addresses).size).toBe(addresses.length);
    for (const address of addresses) expect(address.startsWith('10.221.0.')).toBe(true);
    expect(new Set([1, 2, 3].map(hostNetns)).size).toBe(3);
    // Interface names must fit IFNAMSIZ (15 characters).
    for (const i of [1, 9, 99]) expect(hostLink(i).length).toBeLessThanOrEqual(15);
    expect(CLUSTER_NETWORK.bridge.length).toBeLessThanOrEqual(15);
  });

  test('the server release is the pinned CLI\'s server minor or newer', () => {
    // CLI 1.9.1 embeds server 1.32.0 (src/temporal/binary.ts).
    expect(TEMPORAL_CLI_VERSION).toBe('1.9.1');
    const [major, minor] = TEMPORAL_SERVER_VERSION.split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(32);
  });
});

/** The server module in the local module cache, when a `go` there has it (`npm run cluster -- up` downloads it). */
function cachedServerModule(): string | undefined {
  try {
    const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    const dir = path.join(modcache, `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`);
    return existsSync(path.join(dir, 'config', 'development-postgres12.yaml')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const moduleDir = cachedServerModule();
describe.skipIf(!moduleDir)("the server config written from the module's template", () => {
  test('binds every service to the bridge, points at the cluster PostgreSQL, and loads the dynamic config', async () => {
    const configDir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-cluster-config-'));
    const pg = { binDir: '', dataDir: '', socketDir: '', host: '127.0.0.1', port: CLUSTER_PORTS.postgres, user: 'temporal', password: 'secret' };
    const build = { server: '/bin/temporal-server', sqlTool: '', moduleDir: moduleDir!, version: TEMPORAL_SERVER_VERSION };
    const written = await writeServerConfig(build, pg, configDir);
    const config = parse(await readFile(path.join(configDir, `${written.env}.yaml`), 'utf8')) as {
      persistence: { defaultStore: string; visibilityStore: string; datastores: Record<string, { sql: { connectAddr: string; databaseName: string; pluginName: string; password: string } }> };
      services: Record<string, { rpc: { bindOnIP: string; grpcPort: number } }>;
      global: { membership: { broadcastAddress: string } };
      dynamicConfigClient: { filepath: string };
    };
    const stores = config.persistence.datastores;
    expect(stores[config.persistence.defaultStore]?.sql).toMatchObject({ connectAddr: `127.0.0.1:${CLUSTER_PORTS.postgres}`, databaseName: 'temporal', pluginName: 'postgres12', password: 'secret' });
    expect(stores[config.persistence.visibilityStore]?.sql).toMatchObject({ databaseName: 'temporal_visibility', pluginName: 'postgres12' });
    expect(Object.keys(config.services).sort()).toEqual(['frontend', 'history', 'matching', 'worker']);
    for (const service of Object.values(config.services)) expect(service.rpc.bindOnIP).toBe(CLUSTER_NETWORK.gateway);
    expect(config.services.frontend?.rpc.grpcPort).toBe(CLUSTER_PORTS.frontend);
    expect(config.global.membership.broadcastAddress).toBe(CLUSTER_NETWORK.gateway);
    expect(parse(await readFile(config.dynamicConfigClient.filepath, 'utf8'))).toEqual(clusterDynamicConfig());
    expect(serverCommand(build, written)).toEqual(['/bin/temporal-server', '--root', configDir, '--config', '.', '--env', written.env, '--allow-no-auth', 'start']);
  });
});
