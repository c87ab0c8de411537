import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import proto, { type temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/env';
import { docbatchSearchAttributes, cliSearchAttributeTypes } from '../../src/batch/search-attributes';
import { setPriorityUpdate } from '../../src/batch/messages';
import type { BatchSummary } from '../../src/batch/summary';
import { frontendAddress, readClusterState } from '../../src/cluster/cluster';
import { CLIENT_NETNS, CLUSTER_NAMESPACE } from '../../src/cluster/layout';
import { ensureNamespace, PARTITIONED_QUEUE_PARTITIONS, PARTITIONED_TASK_QUEUE } from '../../src/cluster/temporal-server';
import { ensureTemporalCli } from '../../src/temporal/binary';
import { docbatchHome, projectRoot } from '../../src/temporal/paths';
import { createDocbatchWorker } from '../../src/worker';
import { clusterCommand, uploadCorpus } from '../helpers/cluster';
import { documentDir } from '../helpers/documents';
import { countingExtractor } from '../helpers/extractors';

const execFileAsync = promisify(execFile);
const { IndexedValueType } = proto.temporal.api.enums.v1;

/**
 * What only a real cluster shows: SQL visibility's search-attribute slots on PostgreSQL, a
 * namespace other than `default`, a task queue with several partitions where priority still
 * dispatches first, and `docbatch` driven from a host that runs no worker.
 */
const home = docbatchHome();
let client: Client;

beforeAll(async () => {
  await clusterCommand(['down']);
  await clusterCommand(['up', '--workers', '2']);
  client = new Client({ connection: await Connection.connect({ address: frontendAddress }), namespace: CLUSTER_NAMESPACE });
  Object.assign(process.env, (await readClusterState(home))!.objectStore.env);
}, 60 * 60_000);

afterAll(async () => {
  await client?.connection.close();
  if (!process.env.DOCBATCH_CHAOS_KEEP_CLUSTER) await clusterCommand(['down']).catch(() => undefined);
});

/** `docbatch …` on the client host (its own network namespace, no worker), as a person there would run it. */
async function docbatchOnClientHost(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('ip', ['netns', 'exec', CLIENT_NETNS, process.execPath, 'bin/docbatch.js', ...args], {
    cwd: projectRoot,
    // process.env carries the object store's AWS_* (beforeAll): a client host reads the bucket too.
    env: { ...process.env, TEMPORAL_ADDRESS: frontendAddress, TEMPORAL_NAMESPACE: CLUSTER_NAMESPACE },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  return stdout;
}

describe('SQL visibility on PostgreSQL', () => {
  it("registers docbatch's search attributes on a fresh namespace, and refuses a fourth Int (3 slots per type)", async () => {
    const namespace = `sa-${Date.now().toString(36)}`;
    await ensureNamespace(frontendAddress, namespace, () => undefined);
    const listed = await client.connection.operatorService.listSearchAttributes({ namespace });
    for (const key of docbatchSearchAttributes) expect(Object.keys(listed.customAttributes ?? {})).toContain(key.name);
    // DocbatchDocuments, DocbatchFailed and DocbatchPriority take Int01..Int03 (schema/postgresql/v12/visibility).
    const ints = docbatchSearchAttributes.filter((key) => cliSearchAttributeTypes[key.type] === 'Int');
    expect(ints).toHaveLength(3);
    await expect(
      client.connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { DocbatchOneIntTooMany: IndexedValueType.INDEXED_VALUE_TYPE_INT } }),
    ).rejects.toThrow(/more than 3 search attributes? of type Int/i);
  });

  it('runs a batch started from a host with no worker, and finds it with `temporal workflow list --query` and `docbatch list`', async () => {
    const state = await readClusterState(home);
    const id = `client-host-${Date.now().toString(36)}`;
    const samples = path.join(projectRoot, 'samples', 'invoices');
    const source = `s3://${state!.objectStore.bucket}/sources/${id}`;
    await uploadCorpus((await readdir(samples)).map((name) => path.join(samples, name)), source);
    const summary = JSON.parse(
      await docbatchOnClientHost(['run', `${source}/`, '--no-worker', '--id', id, '--output', state!.outputDir, '--extractor', 'local', '--json']),
    ) as BatchSummary;
    expect(summary.state).toBe('completed');

    const temporalCli = (await ensureTemporalCli({ log: () => undefined })).path;
    const { stdout } = await execFileAsync(temporalCli, [
      'workflow', 'list', '--address', frontendAddress, '--namespace', CLUSTER_NAMESPACE, '--output', 'json',
      '--query', `WorkflowId='${id}' AND DocbatchState='completed' AND DocbatchDocuments=${summary.total} AND DocbatchPercent=100`,
    ]);
    expect(stdout).toContain(id);

    const listed = JSON.parse(await docbatchOnClientHost(['list', '--state', 'completed', '--json'])) as Array<{ batchId?: string; id?: string }>;
    expect(JSON.stringify(listed)).toContain(id);
    const status = JSON.parse(await docbatchOnClientHost(['status', id, '--json'])) as { state: string };
    expect(status.state).toBe('completed');
  });
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
interface Chunk {
  scheduledMs: number;
  startedMs: number;
  priorityKey: number | undefined;
}

function chunks(events: HistoryEvent[]): Chunk[] {
  const started = new Map<number, number>();
  for (const event of events) if (event.activityTaskStartedEventAttributes) started.set(Number(event.activityTaskStartedEventAttributes.scheduledEventId), tsToMs(event.eventTime));
  return events
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'extractChunk')
    .map((event) => ({
      scheduledMs: tsToMs(event.eventTime),
      startedMs: started.get(Number(event.eventId)) ?? Number.POSITIVE_INFINITY,
      priorityKey: event.activityTaskScheduledEventAttributes!.priority?.priorityKey ?? undefined,
    }));
}

describe(`a task queue with ${PARTITIONED_QUEUE_PARTITIONS} partitions`, () => {
  it('dispatches a raised batch before the backlog of another (priority-aware forwarding between partitions)', async () => {
    // One activity slot: every other chunk waits in the partitions' backlogs.
    const connection = await NativeConnection.connect({ address: frontendAddress });
    const worker = await createDocbatchWorker({
      connection,
      namespace: CLUSTER_NAMESPACE,
      taskQueue: PARTITIONED_TASK_QUEUE,
      maxConcurrentActivityTaskExecutions: 1,
      activityDeps: { extractorFor: () => countingExtractor(150), resultCache: null },
    });
    const running = worker.run();
    try {
      const state = await readClusterState(home);
      const input = async (documents: number, concurrency: number) => ({
        source: { dir: await documentDir(documents) },
        outputDir: state!.outputDir,
        chunkSize: 1,
        concurrency,
        priority: 3,
        extractor: 'local' as const,
        cache: false,
      });
      const start = async (name: string, documents: number, concurrency: number): Promise<WorkflowHandle> =>
        client.workflow.start(DEFAULTS.workflowType, { taskQueue: PARTITIONED_TASK_QUEUE, workflowId: `partitions-${name}-${Date.now().toString(36)}`, args: [await input(documents, concurrency)] });
      const a = await start('a', 60, 12);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const b = await start('b', 36, 6);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await b.executeUpdate(setPriorityUpdate, { args: [{ priority: 1 }] });
      await Promise.all([a.result(), b.result()]);
      const chunksA = chunks((await a.fetchHistory()).events ?? []);
      const raisedB = chunks((await b.fetchHistory()).events ?? []).filter((c) => c.priorityKey === 1);
      expect(raisedB.length).toBeGreaterThan(20);
      // An A chunk that started while a raised B chunk had waited past backlogNegligibleAge (5 s,
      // until which a young backlog still goes by sync match) jumped the queue. With one partition
      // there are none (test/priority.test.ts). Temporal enforces priority within a partition; with
      // four, a lighter partition's lower-priority task may go first ("priority ordering closely
      // approximates the task queue as a whole", Temporal's docs), so some do: measured 0 and 7 on
      // a busy 2-core machine, 12 of 60 with the cores saturated by other work. Without priority,
      // the whole backlog of A queued before B's chunks would jump them.
      const jumps = chunksA.filter((ca) => raisedB.some((cb) => cb.scheduledMs + 5000 < ca.startedMs && ca.startedMs < cb.startedMs));
      process.stderr.write(`partitioned queue: ${raisedB.length} raised chunks of B, ${jumps.length} chunks of A jumped ahead of them\n`);
      expect(jumps.length).toBeLessThan(raisedB.length / 2);
      // Priority still decides: B, raised, finishes while A still has chunks waiting.
      const lastB = Math.max(...raisedB.map((c) => c.startedMs));
      expect(chunksA.filter((ca) => ca.startedMs > lastB).length).toBeGreaterThan(0);
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });
});
