/**
 * `npm run cluster -- up [--workers N] [--namespace NS]`, `npm run cluster -- down`,
 * `npm run cluster -- status [--json]`: the local Temporal cluster of src/cluster (docs/deployment.md).
 * Needs root (network namespaces, PostgreSQL as its own user).
 */
import { Command } from 'commander';
import { ENV } from '../src/env';
import { clusterDown, clusterStatus, clusterUp } from '../src/cluster/cluster';
import { CLUSTER_NAMESPACE } from '../src/cluster/layout';
import { docbatchHome } from '../src/temporal/paths';

const log = (message: string) => process.stderr.write(`${message}\n`);

/** Settings a worker host takes from the shell that runs `up` (the rest the cluster sets per host). */
const PASSED_TO_HOSTS = [
  ENV.anthropicApiKey,
  ENV.anthropicBaseUrl,
  ENV.taskQueue,
  ENV.maxConcurrentActivities,
  ENV.maxActivitiesPerSecond,
  ENV.encryptionKey,
  ENV.decodeTimeoutSeconds,
] as const;

const program = new Command('cluster').description('a real Temporal cluster (PostgreSQL, server from its Go module, worker hosts in network namespaces)');

program
  .command('up')
  .option('--workers <n>', 'worker hosts', '3')
  .option('--namespace <ns>', 'namespace for batches', CLUSTER_NAMESPACE)
  .action(async (options: { workers: string; namespace: string }) => {
    const workerEnv: Record<string, string> = {};
    for (const name of PASSED_TO_HOSTS) if (process.env[name]) workerEnv[name] = process.env[name]!;
    const state = await clusterUp({ home: docbatchHome(), workers: Number(options.workers), namespace: options.namespace, workerEnv, log });
    log(`cluster up: ${state.hosts.length} worker hosts; clients use TEMPORAL_ADDRESS=${state.address} TEMPORAL_NAMESPACE=${state.namespace}`);
  });

program.command('down').action(async () => {
  await clusterDown(docbatchHome(), log);
});

program
  .command('status')
  .option('--json', 'the state and the processes as JSON')
  .action(async (options: { json?: boolean }) => {
    const { state, rows } = await clusterStatus(docbatchHome());
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ state, processes: rows }, null, 2)}\n`);
      return;
    }
    if (!state) {
      process.stdout.write('no cluster: `npm run cluster -- up`\n');
      return;
    }
    const widths = [28, 30, 8];
    const line = (cells: string[]) => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join(' ');
    process.stdout.write(`${line(['what', 'where', 'pid', 'state'])}\n`);
    for (const row of rows) process.stdout.write(`${line([row.what, row.where, String(row.pid ?? '-'), row.state])}\n`);
    process.stdout.write(
      `\nclients: TEMPORAL_ADDRESS=${state.address} TEMPORAL_NAMESPACE=${state.namespace}` +
        `\nobject store: ${state.objectStore.endpoint} (bucket ${state.objectStore.bucket}); batch outputs: ${state.outputDir}` +
        `\na client host without a worker: ip netns exec ${state.clientHost.netns} … (${state.clientHost.address})\n`,
    );
  });

program.parseAsync().catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
