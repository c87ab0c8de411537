import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewQuery, reviewWorkflowId, type ReviewView } from '../src/batch/review';
import { closeReview, decideReview, openBatchReview, ReviewBatchRunningError, ReviewOutputsMissingError, ReviewRefusedError } from '../src/client/batch-review';
import type { ReviewedResult } from '../src/review/reviewed-outputs';
import { readJsonLines, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';
import { reviewableBatch, reviewInvoiceText, reviewInvoiceTotal } from './helpers/review-batch';
import { writeFile, symlink } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testTemporal } from './helpers/temporal';
import { testBucketUrl } from './helpers/object-store';
import { storageAt } from '../src/storage/location';
import { readText } from '../src/storage/storage';

/**
 * The review workflow end to end: a real batch (offline extractor) on the dev server, its review
 * opened through the client, decisions through the updates, the reviewed outputs on disk.
 */
const taskQueue = uniqueId('review');
let client: Client;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
  client = await testClient();
});
afterAll(async () => {
  await stop?.();
});

function byName(view: ReviewView, name: string) {
  const item = view.items.find((candidate) => path.basename(candidate.path) === name);
  if (!item) throw new Error(`${name} is not in the queue: ${view.items.map((candidate) => candidate.path).join(', ')}`);
  return item;
}

describe('batchReview', () => {
  it('queues the flagged and failed documents, takes decisions, refuses bad ones with the reason, and writes the reviewed outputs', async () => {
    const { batchId, summary } = await reviewableBatch(client, taskQueue);
    expect(summary).toMatchObject({ state: 'completed', needsReview: 3, failed: 2 });

    const { view, started } = await openBatchReview(client, batchId, { taskQueue });
    expect(started).toBe(true);
    expect(view.items.map((item) => path.basename(item.path))).toEqual(['b-total-off.txt', 'c-total-off.txt', 'd-fabrikam.txt', 'f-corrupt.pdf', 'g-empty.txt']);
    expect(byName(view, 'b-total-off.txt')).toMatchObject({ kind: 'needs_review', checks: ['totals add up'], issuer: 'Northwind Traders Ltd', status: 'pending' });
    expect(byName(view, 'd-fabrikam.txt')).toMatchObject({ issuer: 'Fabrikam Inc' });
    expect(byName(view, 'f-corrupt.pdf')).toMatchObject({ kind: 'failed', failureType: 'corrupt' });
    expect(view.counts).toEqual({ total: 5, pending: 5, approved: 0, corrected: 0, rejected: 0 });
    // Opening again attaches to the same review.
    expect((await openBatchReview(client, batchId, { taskQueue })).started).toBe(false);

    const b = byName(view, 'b-total-off.txt');
    const c = byName(view, 'c-total-off.txt');
    const corrupt = byName(view, 'f-corrupt.pdf');
    const results = await readJsonLines<ReviewedResult>(summary.files.results);
    const bData = results.find((result) => result.index === b.index)!.data!;

    // Bad input: each a refusal that says why; nothing changes.
    await expect(decideReview(client, batchId, { action: 'approve', document: 999 })).rejects.toThrow(/document 999 is not in the review of batch .*: it reviews documents/);
    await expect(decideReview(client, batchId, { action: 'correct', document: b.index, data: { ...bData, total: 'lots' } })).rejects.toThrow(/does not fit the invoice schema: total: /);
    await expect(decideReview(client, batchId, { action: 'correct', document: b.index, data: { ...bData, total: bData.total } })).rejects.toThrow(
      /still fails a consistency check: totals add up: subtotal .* Fix the values, or send it with acceptWarnings: true/,
    );
    await expect(decideReview(client, batchId, { action: 'approve', document: corrupt.index })).rejects.toThrow(/failed \(corrupt\) and has no extracted data to approve/);
    await expect(decideReview(client, batchId, { action: 'reject', document: c.index, reason: '  ' })).rejects.toThrow(/say why the document is rejected/);

    // Refused in the updates' validators (a built-in schema's zod and checks run in workflow code): none reached history.
    const history = await client.workflow.getHandle(reviewWorkflowId(batchId)).fetchHistory();
    expect(history.events!.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);

    // Decisions.
    const corrected = await decideReview(client, batchId, { action: 'correct', document: b.index, data: { ...bData, total: reviewInvoiceTotal(2) }, by: 'alice' });
    expect(corrected).toMatchObject({ status: 'corrected', by: 'alice', changedFields: ['total'], revision: 1 });
    expect(await decideReview(client, batchId, { action: 'approve', document: c.index, by: 'bob' })).toMatchObject({ status: 'approved', by: 'bob' });
    await expect(decideReview(client, batchId, { action: 'approve', document: c.index, by: 'carol' })).rejects.toThrow(ReviewRefusedError);
    await expect(decideReview(client, batchId, { action: 'approve', document: c.index, by: 'carol' })).rejects.toThrow(/is already approved by bob at .*: reopen it first/);
    expect(await decideReview(client, batchId, { action: 'reject', document: corrupt.index, reason: 'not an invoice', by: 'bob' })).toMatchObject({ status: 'rejected', reason: 'not an invoice' });
    expect(await decideReview(client, batchId, { action: 'reopen', document: c.index, by: 'carol' })).toMatchObject({ status: 'pending', revision: 2 });
    expect(await decideReview(client, batchId, { action: 'approve', document: c.index, by: 'carol' })).toMatchObject({ status: 'approved', by: 'carol', revision: 3 });

    const decidedAt = Date.now();
    const handle = client.workflow.getHandle(reviewWorkflowId(batchId));
    const after = await handle.query(reviewQuery);
    expect(after.counts).toEqual({ total: 5, pending: 2, approved: 1, corrected: 1, rejected: 1 });

    // The reviewed outputs catch up within seconds; the original extraction stays as it was.
    const batchDir = summary.outputDir;
    const reviewed = await eventually(async () => {
      const lines = await readJsonLines<ReviewedResult>(path.join(batchDir, 'results.reviewed.jsonl'));
      const line = lines.find((result) => result.index === c.index);
      if (line?.review?.by !== 'carol') throw new Error('not yet');
      return lines;
    });
    // For the closing note, not asserted (tests never assert on wall time).
    console.info(`[review] reviewed outputs caught up ${Date.now() - decidedAt} ms after the last decision (refreshDelay 2s); history ${(await handle.describe()).historyLength} events after 6 decisions and 5 refused updates`);
    expect(reviewed).toHaveLength(summary.total);
    const bLine = reviewed.find((result) => result.index === b.index)!;
    expect(bLine).toMatchObject({ status: 'succeeded', needsReview: false, data: { total: reviewInvoiceTotal(2) }, review: { status: 'corrected', by: 'alice', changedFields: ['total'], extracted: { total: bData.total } } });
    expect(reviewed.find((result) => result.index === corrupt.index)).toMatchObject({ status: 'failed', review: { status: 'rejected', reason: 'not an invoice' } });
    expect(reviewed.find((result) => path.basename(result.path) === 'a-good.txt')).not.toHaveProperty('review');
    expect((await readJsonLines<ReviewedResult>(summary.files.results)).find((result) => result.index === b.index)!.data).toEqual(bData);
    const rows = parse<Record<string, string>>(await readFile(path.join(batchDir, 'results.reviewed.csv'), 'utf8'), { columns: true });
    expect(rows.find((row) => row.path === b.path)).toMatchObject({ review_status: 'corrected', review_by: 'alice', review_changed_fields: 'total', total: String(reviewInvoiceTotal(2)) });
    // report.html shows the review's progress.
    await eventually(async () => expect(await readFile(path.join(batchDir, 'report.html'), 'utf8')).toMatch(/<h2>Review <small>open, 3 of 5 decided/));

    // Closing: refused while documents are pending, unless forced.
    await expect(closeReview(client, batchId)).rejects.toThrow(/2 documents are still pending/);
    expect(await closeReview(client, batchId, { force: true })).toMatchObject({ pending: 2 });
    expect(await handle.result()).toMatchObject({ corrected: 1 });
    // A new review starts from the decisions of the closed one.
    const reopened = await openBatchReview(client, batchId, { taskQueue });
    expect(reopened.started).toBe(true);
    expect(reopened.view.counts).toEqual({ total: 5, pending: 2, approved: 1, corrected: 1, rejected: 1 });
    await closeReview(client, batchId, { force: true });
  });

  it('hands over with continue-as-new and keeps every decision', async () => {
    const { batchId, summary } = await reviewableBatch(client, taskQueue, 'review-can');
    await client.workflow.start('batchReview', { taskQueue, workflowId: reviewWorkflowId(batchId), args: [{ batchId, batchLocation: summary.outputDir, decisionsPerRun: 2, refreshDelay: '100ms' }] });
    const { view } = await openBatchReview(client, batchId, { taskQueue });
    const [first, second, third] = view.items;
    await decideReview(client, batchId, { action: 'approve', document: first!.index, by: 'a' });
    await decideReview(client, batchId, { action: 'reject', document: second!.index, reason: 'duplicate', by: 'a' });
    // The run hands over here; the next decision reaches the new run.
    await decideReview(client, batchId, { action: 'approve', document: third!.index, by: 'b' });
    const handle = client.workflow.getHandle(reviewWorkflowId(batchId));
    const later = await eventually(async () => {
      const current = await handle.query(reviewQuery);
      if (current.runs < 2) throw new Error('no hand-over yet');
      return current;
    });
    expect(later.counts).toMatchObject({ approved: 2, rejected: 1, pending: 2 });
    await expect(decideReview(client, batchId, { action: 'approve', document: first!.index })).rejects.toThrow(/already approved by a/);
    await closeReview(client, batchId, { force: true });
  });

  it('refuses a batch still running, and a batch whose outputs were deleted', async () => {
    const dir = await tempDir('review-refusals');
    for (let n = 0; n < 6; n++) await writeFile(path.join(dir, `invoice-${n}.txt`), reviewInvoiceText(n, { totalOff: 5 }));
    const running = uniqueId('review-running');
    // Paused right away, so it is still running when the review is asked for.
    const handle = await startBatch(client, taskQueue, running, { source: { dir }, outputDir: path.join(dir, 'out'), extractor: 'local', chunkSize: 1, concurrency: 1, cache: false });
    await handle.signal('pause', { reason: 'for the test' });
    await expect(openBatchReview(client, running, { taskQueue })).rejects.toThrow(ReviewBatchRunningError);
    await expect(openBatchReview(client, running, { taskQueue })).rejects.toThrow(`batch ${running} is still running: a review opens once it has ended`);
    await handle.signal('cancel', { reason: 'done with it' });
    await handle.result();

    const { batchId, summary } = await reviewableBatch(client, taskQueue, 'review-deleted');
    await rm(path.join(summary.outputDir, 'results.jsonl'));
    await expect(openBatchReview(client, batchId, { taskQueue })).rejects.toThrow(ReviewOutputsMissingError);
    await expect(openBatchReview(client, batchId, { taskQueue })).rejects.toThrow(/cannot be reviewed: .*results\.jsonl is missing \(its outputs were deleted or moved\): run the batch again/);
    await expect(openBatchReview(client, 'no-such-batch', { taskQueue })).rejects.toThrow(/batch no-such-batch not found/);
  });

  it('keeps decisions when the outputs vanish under an open review, and says so', async () => {
    const { batchId, summary } = await reviewableBatch(client, taskQueue, 'review-vanish');
    const { view } = await openBatchReview(client, batchId, { taskQueue });
    await rm(summary.outputDir, { recursive: true });
    await decideReview(client, batchId, { action: 'approve', document: view.items[0]!.index, by: 'a' });
    const handle = client.workflow.getHandle(reviewWorkflowId(batchId));
    const current = await eventually(async () => {
      const now = await handle.query(reviewQuery);
      if (now.outputProblem === null) throw new Error('not yet');
      return now;
    }, 60_000);
    expect(current.outputProblem).toMatch(/has no results\.jsonl at .*: its outputs were deleted or moved/);
    expect(current.counts.approved).toBe(1);
    await closeReview(client, batchId, { force: true });
  });
});

describe('README review recipes, run with the real temporal binary', () => {
  async function recipes(): Promise<string[]> {
    const readme = await readFile(path.resolve('README.md'), 'utf8');
    const section = /<!-- section:review -->([\s\S]*?)<!-- \/section:review -->/.exec(readme)?.[1] ?? '';
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, script]) => script!).filter((script) => script.startsWith('temporal '));
  }

  it('queries the review, approves and rejects by update (a second approve refused), and lists reviews with documents pending', async () => {
    const scripts = await recipes();
    expect(scripts.map((script) => /--name (\w+)|workflow (list)/.exec(script)?.slice(1).find(Boolean))).toEqual(['review', 'approve', 'reject', 'list']);
    const { batchId } = await reviewableBatch(client, taskQueue, 'review-recipes');
    const { view } = await openBatchReview(client, batchId, { taskQueue });
    const binDir = await tempDir('review-recipes-bin');
    await symlink(testTemporal().temporalCliPath, path.join(binDir, 'temporal'));
    const run = async (script: string) => {
      const { address, namespace } = testTemporal();
      const text = script.replaceAll('invoices-1-review', reviewWorkflowId(batchId)).replaceAll('"document":1', `"document":${view.items[0]!.index}`).replaceAll('"document":2', `"document":${view.items[1]!.index}`);
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', text], { env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace } });
      return stdout;
    };
    const [query, approve, reject, list] = scripts as [string, string, string, string];
    const answered = JSON.parse(await run(query)) as { queryResult: ReviewView[] };
    expect(answered.queryResult[0]!.counts).toMatchObject({ total: 5, pending: 5 });
    expect(await run(approve)).toMatch(/status:approved/);
    await expect(run(approve)).rejects.toThrow(/is already approved by alice/);
    expect(await run(reject)).toMatch(/status:rejected/);
    // The search attribute follows the pending count.
    await eventually(async () => expect(await run(list)).toContain(reviewWorkflowId(batchId)));
    await eventually(async () => {
      const description = await client.workflow.getHandle(reviewWorkflowId(batchId)).describe();
      expect(description.searchAttributes.DocbatchReviewPending).toEqual([3]);
    });
    await closeReview(client, batchId, { force: true });
  });
});

describe('a review of a batch whose outputs are in a bucket', () => {
  it('reads and writes them through the same Storage: the queue, a correction, the reviewed outputs and report.html', async () => {
    const { batchId, summary } = await reviewableBatch(client, taskQueue, 'review-s3');
    // The batch's outputs as a bucket holds them (docbatch's own batch files move to Storage separately).
    const location = `${testBucketUrl('review')}/${batchId}`;
    const bucket = storageAt(location);
    for (const name of ['summary.json', 'results.jsonl', 'report.html']) await bucket.write(name, await readFile(path.join(summary.outputDir, name)));
    await client.workflow.start('batchReview', { taskQueue, workflowId: reviewWorkflowId(batchId), args: [{ batchId, batchLocation: location, refreshDelay: '100ms' }] });
    const { view } = await openBatchReview(client, batchId, { taskQueue });
    expect(view).toMatchObject({ batchLocation: location, counts: { total: 5, pending: 5 } });
    const b = byName(view, 'b-total-off.txt');
    const data = (JSON.parse((await readText(bucket, 'results.jsonl'))!.split('\n')[b.index]!) as ReviewedResult).data!;
    await decideReview(client, batchId, { action: 'correct', document: b.index, data: { ...data, total: reviewInvoiceTotal(2) }, by: 'alice' });
    const lines = await eventually(async () => {
      const text = await readText(bucket, 'results.reviewed.jsonl');
      const parsed = (text ?? '').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ReviewedResult);
      if (parsed.find((line) => line.index === b.index)?.review?.status !== 'corrected') throw new Error('not yet');
      return parsed;
    });
    expect(lines.find((line) => line.index === b.index)).toMatchObject({ data: { total: reviewInvoiceTotal(2) }, review: { by: 'alice', changedFields: ['total'] } });
    expect(await readText(bucket, 'results.reviewed.csv')).toContain('corrected,alice');
    // report.html is the last file of a write.
    await eventually(async () => expect(await readText(bucket, 'report.html')).toMatch(/<h2>Review <small>open, 1 of 5 decided/));
    // Nothing was written next to the local copy.
    await expect(readFile(path.join(summary.outputDir, 'results.reviewed.jsonl'))).rejects.toThrow(/ENOENT/);
    await closeReview(client, batchId, { force: true });
  });
});

describe('a review across worker restarts', () => {
  it('keeps its queue and decisions when its worker goes away, takes decisions sent meanwhile once a new worker polls', async () => {
    const queue = uniqueId('review-restart');
    let worker = await startTestWorker({ taskQueue: queue, activityDeps: { resultCache: null } });
    const { batchId } = await reviewableBatch(client, queue, 'review-restart');
    const { view } = await openBatchReview(client, batchId, { taskQueue: queue });
    await decideReview(client, batchId, { action: 'approve', document: view.items[0]!.index, by: 'before' });
    await worker.stop();
    // No worker: the update waits in Temporal (the caller's request is still open) …
    const pendingDecision = decideReview(client, batchId, { action: 'reject', document: view.items[1]!.index, reason: 'duplicate', by: 'during' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // … and a new worker, with a fresh workflow cache, replays the history and takes it.
    worker = await startTestWorker({ taskQueue: queue, activityDeps: { resultCache: null } });
    expect(await pendingDecision).toMatchObject({ status: 'rejected', by: 'during' });
    const after = await client.workflow.getHandle(reviewWorkflowId(batchId)).query(reviewQuery);
    expect(after.counts).toMatchObject({ approved: 1, rejected: 1, pending: 3 });
    expect(after.items[0]).toMatchObject({ status: 'approved', by: 'before' });
    await closeReview(client, batchId, { force: true });
    await worker.stop();
  });
});
