import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { inspectSource } from '../src/client/batch-source';
import { startOrAttachBatch } from '../src/client/start-batch';
import { parseBatchInput } from '../src/batch/input';
import { pauseUpdate, progressQuery, resumeUpdate } from '../src/batch/messages';
import type { Progress } from '../src/batch/progress';
import { eventuallyTrue } from './fixtures/poll';
import { documentDir } from './helpers/documents';
import { countingExtractor } from './helpers/extractors';
import { startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { launchChromium, screenshot } from './helpers/browser';
import { testTemporal } from './helpers/temporal';

/**
 * A real browser (Debian's chromium through playwright-core) on the dev server's Web UI (2.54):
 * what a person sees of a batch that sits paused — the static summary given at start, the
 * current details the workflow keeps up to date, the chunk summaries on the timeline, and the
 * custom search attributes to filter by. Screenshots land in test-output/web-ui/.
 */

const DOCUMENTS = 12;
const PAUSE_REASON = 'looking at it in the Web UI';

describe('the Temporal Web UI of a running batch', () => {
  const { uiUrl, namespace } = testTemporal();
  const batchId = uniqueId('web-ui-batch');
  let client: Client;
  let handle: WorkflowHandle;
  let sourceDir: string;
  let paused: Progress;
  let stopWorker: (() => Promise<void>) | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    // First: no chromium fails the file at once, with the line that says what to install.
    browser = await launchChromium();
    const taskQueue = uniqueId('web-ui');
    // 300 ms a document: a chunk of 2 is still in flight when the pause arrives.
    ({ stop: stopWorker } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => countingExtractor(300), resultCache: null } }));
    client = await testClient();
    sourceDir = await documentDir(DOCUMENTS);
    const parsed = parseBatchInput({ source: { dir: sourceDir }, outputDir: await tempDir('web-ui-out'), chunkSize: 2, concurrency: 1, extractor: 'local', cache: false });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    // The client's own start path, so the static summary and details are the ones `docbatch start` gives.
    ({ handle } = await startOrAttachBatch(client, { batchId, json: parsed.input, input: parsed.input, taskQueue, source: await inspectSource(parsed.input) }));

    // Pause once a chunk is done (its summary is on the timeline), then let the chunk in flight
    // finish: from then on the batch sits still, state paused, and every page shows the same thing.
    await eventuallyTrue(async () => (await handle.query(progressQuery)).processed >= 2, 30_000, 'the first chunk');
    await handle.executeUpdate(pauseUpdate, { args: [{ reason: PAUSE_REASON }] });
    await eventuallyTrue(async () => (await handle.query(progressQuery)).chunks.inFlight === 0, 30_000, 'the chunk in flight to finish');
    paused = await handle.query(progressQuery);

    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    const description = await handle?.describe().catch(() => undefined);
    if (description?.status.name === 'RUNNING') await handle.terminate('web-ui test cleanup');
    await stopWorker?.();
  });

  it('sits paused, with documents left to do', () => {
    expect(paused.state).toBe('paused');
    expect(paused.pauseReason).toBe(PAUSE_REASON);
    expect(paused.processed).toBeGreaterThanOrEqual(2);
    expect(paused.processed).toBeLessThan(DOCUMENTS);
    expect(paused.chunks.inFlight).toBe(0);
  });

  it('is found by its custom search attributes', async () => {
    // Visibility is eventually consistent: poll, with a bound.
    const listed = async (query: string) => {
      for await (const execution of client.workflow.list({ query })) if (execution.workflowId === batchId) return true;
      return false;
    };
    await eventuallyTrue(() => listed(`DocbatchState='paused' AND WorkflowId='${batchId}'`), 20_000, 'DocbatchState=paused in visibility');
    expect(await listed(`DocbatchState='paused'`)).toBe(true);
    expect(await listed(`DocbatchDocuments=${DOCUMENTS} AND DocbatchPriority=3 AND WorkflowId='${batchId}'`)).toBe(true);
    expect(await listed(`DocbatchState='running' AND WorkflowId='${batchId}'`)).toBe(false);
  });

  it('shows each chunk activity with its summary on the timeline', async () => {
    await page.goto(`${uiUrl}/namespaces/${namespace}/workflows/${batchId}`, { waitUntil: 'domcontentloaded' });
    await page.getByText('extractChunk • chunk 0: documents 1–2').first().waitFor();
    await page.getByText('extractChunk • chunk 1: documents 3–4').first().waitFor();
    await screenshot(page, 'timeline');
  });

  it('shows the static summary and details, and the current details in Markdown', async () => {
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    const summary = page.frameLocator('#user-metadata-summary');
    const details = page.frameLocator('#user-metadata-details');
    const current = page.frameLocator('#user-metadata-current-details');
    await summary.getByText(`invoice extraction from ${sourceDir}`).waitFor();
    await details.getByText('Chunk size').waitFor();
    await current.getByText(`docbatch ${batchId}: paused — ${PAUSE_REASON}`).waitFor();
    await current.getByText(`${paused.processed} of ${DOCUMENTS} documents`).waitFor();
    // Rendered Markdown, not the raw text: the first line is bold.
    expect(await current.locator('strong').first().innerText()).toBe(`docbatch ${batchId}: paused — ${PAUSE_REASON}`);
    await screenshot(page, 'user-metadata-paused');
  });

  it('shows the search attributes on the batch page', async () => {
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    await page.getByText('DocbatchState').first().waitFor();
    await page.getByText('DocbatchDocuments').first().waitFor();
    await screenshot(page, 'search-attributes');
  });

  it('filters the workflow list by DocbatchState', async () => {
    const query = encodeURIComponent(`DocbatchState="paused"`);
    await page.goto(`${uiUrl}/namespaces/${namespace}/workflows?query=${query}`, { waitUntil: 'domcontentloaded' });
    await page.getByText(batchId).first().waitFor();
    await screenshot(page, 'workflow-list-paused');
  });

  it('keeps the current details up to date until the batch completes', async () => {
    await handle.executeUpdate(resumeUpdate, { args: [{}] });
    await handle.result();
    const { runId } = await handle.describe();
    await page.goto(`${uiUrl}/namespaces/${namespace}/workflows/${batchId}/${runId}/user-metadata`, { waitUntil: 'domcontentloaded' });
    const current = page.frameLocator('#user-metadata-current-details');
    await current.getByText(`docbatch ${batchId}: completed`).waitFor();
    await current.getByText(`${DOCUMENTS} of ${DOCUMENTS} documents`).waitFor();
    await screenshot(page, 'user-metadata-completed');
  });
});
