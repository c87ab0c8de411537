import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBatchInput, type BatchInputJson } from '../src/batch/input';
import type { BatchSummary } from '../src/batch/summary';
import { controlBatchSchedule, createBatchSchedule, describeBatchSchedule, listBatchSchedules, type ScheduleDetails } from '../src/client/schedules';
import { describeLines } from '../src/cli/schedule';
import type { DocumentResult } from '../src/store/document-result';
import { readJsonLines, samplesDir, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';

/**
 * Issue 23, items 1, 2 and 5: a schedule firing every few seconds on the real dev server starts
 * batches named after it and the scheduled time; with onlyNew the second run extracts only the
 * documents added (or changed) in between, and the summary says how many were new, changed and
 * already known. The schedule is paused while documents are added, so which run sees what does
 * not depend on timing.
 */
const taskQueue = uniqueId('schedule');
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  ({ stop: stopWorker } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
});
afterAll(async () => stopWorker?.());

async function completedRuns(name: string, count: number): Promise<ScheduleDetails> {
  return eventually(
    async () => {
      const details = await describeBatchSchedule(await testClient(), name);
      const completed = details.recentRuns.filter((run) => run.status === 'COMPLETED');
      expect(completed.length).toBeGreaterThanOrEqual(count);
      return details;
    },
    120_000,
    500,
  );
}

async function summaryOf(batchId: string): Promise<BatchSummary> {
  return (await (await testClient()).workflow.getHandle(batchId).result()) as BatchSummary;
}

describe('a schedule of only-new batches', () => {
  const name = uniqueId('nightly');
  let sourceDir: string;
  const invoices = async () => (await readdir(samplesDir)).filter((file) => file.startsWith('invoice-') && file.endsWith('.txt')).sort();

  afterAll(async () => controlBatchSchedule(await testClient(), name, { action: 'delete' }).catch(() => undefined));

  it('runs on its interval, and its second run extracts only the documents added or changed in between', async () => {
    sourceDir = await tempDir('schedule-source');
    const files = await invoices();
    for (const file of files.slice(0, 3)) await copyFile(path.join(samplesDir, file), path.join(sourceDir, file));
    const json: BatchInputJson = { source: { dir: sourceDir }, outputDir: await tempDir('schedule-output'), extractor: 'local', chunkSize: 2, collection: 'nightly-invoices', onlyNew: true };
    const parsed = parseBatchInput(json);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const client = await testClient();
    await createBatchSchedule(client, { name, json, input: parsed.input, taskQueue, every: '5s' });

    const first = await completedRuns(name, 1);
    await controlBatchSchedule(client, name, { action: 'pause', note: 'adding documents' });
    const firstRun = first.recentRuns.find((run) => run.status === 'COMPLETED')!;
    expect(firstRun.batchId).toMatch(new RegExp(`^${name}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
    expect(firstRun.collection).toEqual({ name: 'nightly-invoices', new: 3, changed: 0, known: 0 });
    expect({ documents: firstRun.documents, failed: firstRun.failed, costUsd: firstRun.costUsd }).toEqual({ documents: 3, failed: 0, costUsd: 0 });

    // Wait for anything the schedule started before the pause to end, then add two documents and change one.
    await completedRuns(name, (await describeBatchSchedule(client, name)).recentRuns.length);
    const seen = new Set((await describeBatchSchedule(client, name)).recentRuns.map((run) => run.batchId));
    for (const file of files.slice(3, 5)) await copyFile(path.join(samplesDir, file), path.join(sourceDir, file));
    const changed = path.join(sourceDir, files[0]!);
    await writeFile(changed, (await readFile(changed, 'utf8')).replace(/\n/, '\nCorrected copy\n'));
    await controlBatchSchedule(client, name, { action: 'unpause' });

    const second = await eventually(
      async () => {
        const details = await describeBatchSchedule(client, name);
        const next = details.recentRuns.find((run) => !seen.has(run.batchId) && run.status === 'COMPLETED');
        expect(next).toBeDefined();
        return next!;
      },
      120_000,
      500,
    );
    await controlBatchSchedule(client, name, { action: 'pause' });
    expect(second.collection).toEqual({ name: 'nightly-invoices', new: 2, changed: 1, known: 2 });
    const results = await readJsonLines<DocumentResult>((await summaryOf(second.batchId)).files.results);
    expect(results.map((result) => path.basename(result.path)).sort()).toEqual([files[0], files[3], files[4]].sort());
    expect(results.every((result) => result.status === 'succeeded')).toBe(true);

    // Every run after the second one (the schedule kept firing until paused) found nothing new.
    const details = await describeBatchSchedule(client, name);
    for (const run of details.recentRuns.filter((run) => !seen.has(run.batchId) && run.batchId !== second.batchId && run.status === 'COMPLETED')) {
      expect(run.collection).toEqual({ name: 'nightly-invoices', new: 0, changed: 0, known: 5 });
    }
    const lines = describeLines(details);
    expect(lines[0]).toBe(`schedule ${name}: every 5s · overlap skip · catch-up 1d · PAUSED`);
    expect(lines).toContain(`  ${second.batchId}  completed  3 documents, 0 failed · 2 new, 1 changed, 2 known · $0.0000`);
    expect((await listBatchSchedules(client)).find((schedule) => schedule.name === name)).toMatchObject({ paused: true, docbatch: { collection: 'nightly-invoices', onlyNew: true } });
  });

  it('trigger, backfill and delete map to the Schedule API', async () => {
    const client = await testClient();
    const before = (await describeBatchSchedule(client, name)).runsTaken;
    await controlBatchSchedule(client, name, { action: 'trigger', overlap: 'allow-all' });
    await eventually(async () => expect((await describeBatchSchedule(client, name)).runsTaken).toBe(before + 1), 30_000, 200);
    const now = Date.now();
    await controlBatchSchedule(client, name, { action: 'backfill', start: new Date(now - 12_000), end: new Date(now - 6_000), overlap: 'allow-all' });
    await eventually(async () => expect((await describeBatchSchedule(client, name)).runsTaken).toBeGreaterThan(before + 1), 30_000, 200);
    await controlBatchSchedule(client, name, { action: 'delete' });
    await expect(describeBatchSchedule(client, name)).rejects.toThrow(`no schedule named ${name}`);
  });

  it('shows a cron schedule as its expression, with the next nightly runs', async () => {
    const client = await testClient();
    const cronName = uniqueId('cron');
    const json: BatchInputJson = { source: { dir: samplesDir }, extractor: 'local', collection: 'cron-invoices', onlyNew: true };
    const parsed = parseBatchInput(json);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    await createBatchSchedule(client, { name: cronName, json, input: parsed.input, taskQueue, cron: '0 2 * * *', paused: true });
    try {
      const details = await describeBatchSchedule(client, cronName);
      expect(describeLines(details)[0]).toBe(`schedule ${cronName}: cron 0 2 * * * · overlap skip · catch-up 1d · PAUSED`);
      expect(details.nextRuns.every((time) => time.getUTCHours() === 2 && time.getUTCMinutes() === 0)).toBe(true);
    } finally {
      await controlBatchSchedule(client, cronName, { action: 'delete' });
    }
  });
});
