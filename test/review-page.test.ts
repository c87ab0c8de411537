import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewQuery, reviewWorkflowId } from '../src/batch/review';
import { openBatchReview } from '../src/client/batch-review';
import { startReviewPage, type ReviewPage } from '../src/review/page-server';
import type { ReviewedResult } from '../src/review/reviewed-outputs';
import { readJsonLines, startTestWorker, testClient, uniqueId } from './helpers/batch';
import { validPng } from './helpers/bad-documents';
import { launchChromium, screenshot } from './helpers/browser';
import { testTemporal } from './helpers/temporal';
import { closeReview, decideReview } from '../src/client/batch-review';
import { eventually } from './helpers/eventually';
import { reviewableBatch, reviewInvoiceText, reviewInvoiceTotal, textLinesPdf } from './helpers/review-batch';

/**
 * The review page in Debian's chromium: a real batch's review, two page servers (two reviewers),
 * every action through the review workflow's updates. Screenshots in test-output/web-ui/review-*.png.
 */
const taskQueue = uniqueId('review-page');
let client: Client;
let stop: () => Promise<void>;
let browser: Browser;
const pages: ReviewPage[] = [];

beforeAll(async () => {
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
  client = await testClient();
  browser = await launchChromium();
});
afterAll(async () => {
  for (const page of pages) await page.close();
  await browser?.close();
  await stop?.();
});

async function queueNames(page: Page): Promise<string[]> {
  return (await page.locator('#queue .item .name').allInnerTexts()).map((text) => text.replace(/^#\d+ /, ''));
}

describe('the review page', () => {
  it('shows the queue and each document beside its fields, takes a correction and an approval by keyboard, and keeps them across a reload and another reviewer', async () => {
    const { batchId, summary } = await reviewableBatch(client, taskQueue, 'review-page', {
      'h-fabrikam.pdf': textLinesPdf(reviewInvoiceText(5, { issuer: 'Fabrikam Inc', totalOff: 50 })),
      'i-scan.png': validPng(600, 300),
    });
    await openBatchReview(client, batchId, { taskQueue });
    const alice = await startReviewPage({ client, batchId, reviewer: 'alice' });
    const bob = await startReviewPage({ client, batchId, reviewer: 'bob' });
    pages.push(alice, bob);
    expect(alice.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
    await page.goto(alice.url);
    await page.locator('#queue .item').first().waitFor();
    await expect.poll(() => queueNames(page)).toEqual(['b-total-off.txt', 'c-total-off.txt', 'd-fabrikam.txt', 'f-corrupt.pdf', 'g-empty.txt', 'h-fabrikam.pdf', 'i-scan.png']);
    await expect.poll(() => page.locator('#reviewer').innerText()).toBe('alice');

    // The first document: its text beside its fields, the failed check on the total.
    await page.locator('#document pre').waitFor({ timeout: 10_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'review-failed');
      throw new Error(`${String(error)}; page errors: ${pageErrors.join(' | ')}`);
    });
    expect(await page.locator('#document pre').innerText()).toContain('Total Due');
    expect(await page.locator('#fields h2').innerText()).toContain('b-total-off.txt');
    expect(await page.locator('.warnings li').allInnerTexts()).toEqual([expect.stringMatching(/^totals add up: subtotal .* not the total/)]);
    expect(await page.locator('.field.flagged').evaluateAll((fields) => fields.map((field) => (field as unknown as { dataset: { field: string } }).dataset.field))).toEqual(['subtotal', 'tax', 'total']);
    await screenshot(page, 'review-queue');

    // Filters: by check, issuer, failure type.
    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-issuer', 'Fabrikam Inc');
    await expect.poll(() => queueNames(page)).toEqual(['d-fabrikam.txt', 'h-fabrikam.pdf']);
    // A PDF's pages are rendered.
    await page.locator('#queue .item', { hasText: 'h-fabrikam.pdf' }).click();
    await page.locator('#document img').first().waitFor();
    await expect.poll(() => page.locator('#document img').evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(500);
    await screenshot(page, 'review-pdf');
    await page.selectOption('#filter-issuer', '');
    await page.selectOption('#filter-failure', 'corrupt');
    await expect.poll(() => queueNames(page)).toEqual(['f-corrupt.pdf']);
    await page.selectOption('#filter-failure', '');
    await page.selectOption('#filter-check', 'totals add up');
    await expect.poll(() => queueNames(page)).toEqual(['b-total-off.txt', 'c-total-off.txt', 'd-fabrikam.txt', 'h-fabrikam.pdf']);
    // An image is shown as it is.
    await page.selectOption('#filter-check', '');
    await page.locator('#queue .item', { hasText: 'i-scan.png' }).click();
    await page.locator('#document img').waitFor();
    await page.selectOption('#filter-status', 'pending');
    await page.locator('#queue .item', { hasText: 'b-total-off.txt' }).click();
    await expect.poll(() => page.locator('#fields h2').innerText()).toContain('b-total-off.txt');

    // A correction that does not parse is refused, with the reason, and nothing changes.
    await page.locator('#f-total').fill('lots');
    await page.locator('#f-total').press('Control+Enter');
    await expect.poll(() => page.locator('.refusal').innerText()).toMatch(/does not fit the invoice schema: total: /);
    await screenshot(page, 'review-refused');
    // One that still fails the check is refused too, and says how to insist.
    await page.locator('#f-total').fill(String(reviewInvoiceTotal(2) + 1));
    await page.locator('#f-total').press('Control+Enter');
    await expect.poll(() => page.locator('.refusal').innerText()).toMatch(/still fails a consistency check: totals add up/);
    expect(await page.locator('#accept-warnings').count()).toBe(1);

    // The right total, then `a`: corrected, and on to the next pending document.
    await page.locator('#f-total').fill(String(reviewInvoiceTotal(2)));
    await page.locator('#f-total').press('Escape');
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('#toast').innerText()).toMatch(/^Corrected #\d+/);
    await expect.poll(() => page.locator('#fields h2').innerText()).toContain('c-total-off.txt');
    // `a` again: approved as extracted.
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('#fields h2').innerText()).toContain('d-fabrikam.txt');
    await expect.poll(() => page.locator('#counts').innerText()).toMatch(/^2 of 7 decided · 5 pending · 1 approved · 1 corrected/);
    // `r`: rejected with the reason asked for.
    page.once('dialog', (dialog) => void dialog.accept('a duplicate of NW-7003'));
    await page.keyboard.press('r');
    await expect.poll(() => page.locator('#toast').innerText()).toMatch(/^Rejected #\d+/);
    await expect.poll(() => page.locator('#counts').innerText()).toMatch(/^3 of 7 decided · 4 pending · 1 approved · 1 corrected · 1 rejected/);
    await screenshot(page, 'review-after-decisions');

    // Reload: the state is the workflow's.
    await page.reload();
    await page.locator('#queue .item').first().waitFor();
    await page.selectOption('#filter-status', '');
    await page.locator('#queue .item', { hasText: 'b-total-off.txt' }).click();
    await expect.poll(() => page.locator('.decision').innerText()).toMatch(/^corrected by alice at .* · changed total$/);
    expect(await page.locator('#f-total').inputValue()).toBe(String(reviewInvoiceTotal(2)));
    expect(await page.locator('#f-total').isDisabled()).toBe(true);
    await screenshot(page, 'review-reloaded');

    // Bob, on his own page server, sees the same state, and cannot approve what Alice corrected.
    const other = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await other.goto(bob.url);
    await other.locator('#queue .item').first().waitFor();
    await other.selectOption('#filter-status', 'corrected');
    await expect.poll(() => queueNames(other)).toEqual(['b-total-off.txt']);
    const bIndex = (await client.workflow.getHandle(reviewWorkflowId(batchId)).query(reviewQuery)).items.find((item) => item.path.endsWith('b-total-off.txt'))!.index;
    const refused = await other.evaluate(async (index) => {
      const response = await fetch(`/api/documents/${index}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-docbatch-review': '1' }, body: '{}' });
      return { status: response.status, body: (await response.json()) as { error: string } };
    }, bIndex);
    expect(refused).toEqual({ status: 409, body: { error: expect.stringMatching(/is already corrected by alice at .*: reopen it first/) } });
    // A page of another origin cannot decide (no custom header without a preflight).
    expect((await fetch(new URL(`/api/documents/${bIndex}/reopen`, bob.url), { method: 'POST', body: '{}' })).status).toBe(403);

    // Reopen from the page (u), then the reviewed outputs hold the corrected total.
    await page.keyboard.press('u');
    await expect.poll(() => page.locator('#toast').innerText()).toMatch(/^Reopened #/);
    await page.locator('#f-total').fill(String(reviewInvoiceTotal(2)));
    await page.locator('#f-total').press('Control+Enter');
    await expect.poll(() => page.locator('#toast').innerText()).toMatch(/^Corrected #/);
    const reviewed = await eventually(async () => {
      const lines = await readJsonLines<ReviewedResult>(path.join(summary.outputDir, 'results.reviewed.jsonl'));
      const line = lines.find((result) => result.path.endsWith('b-total-off.txt'))!;
      if (line.review?.status !== 'corrected') throw new Error('not yet');
      return line;
    });
    expect(reviewed).toMatchObject({ data: { total: reviewInvoiceTotal(2) }, review: { status: 'corrected', by: 'alice', changedFields: ['total'] } });
    // Nothing was fetched from anywhere but the page's own server.
    expect(requests.filter((url) => !url.startsWith(alice.url))).toEqual([]);
    await other.close();
    await page.close();
    await closeReview(client, batchId, { force: true });
  });
});

describe('the review in the Temporal Web UI', () => {
  it('shows its counts as current details and DocbatchReviewPending as a search attribute', async () => {
    const { uiUrl, namespace } = testTemporal();
    const { batchId } = await reviewableBatch(client, taskQueue, 'review-web-ui');
    const { view } = await openBatchReview(client, batchId, { taskQueue });
    await decideReview(client, batchId, { action: 'approve', document: view.items[0]!.index, by: 'alice' });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(20_000);
    await page.goto(`${uiUrl}/namespaces/${namespace}/workflows/${reviewWorkflowId(batchId)}`, { waitUntil: 'domcontentloaded' });
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.frameLocator('#user-metadata-summary').getByText(`human review of batch ${batchId}`).waitFor();
    const current = page.frameLocator('#user-metadata-current-details');
    await current.getByText(`docbatch review of ${batchId}: open`).waitFor();
    await current.getByText('4 pending · 1 approved · 0 corrected · 0 rejected of 5').waitFor();
    await screenshot(page, 'review-web-ui-details');
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    await page.getByText('DocbatchReviewPending').first().waitFor();
    await screenshot(page, 'review-web-ui-search-attributes');
    const pending = await eventually(async () => {
      const description = await client.workflow.getHandle(reviewWorkflowId(batchId)).describe();
      const value = description.searchAttributes.DocbatchReviewPending;
      if (value?.[0] !== 4) throw new Error(`DocbatchReviewPending ${String(value)}`);
      return value[0];
    });
    expect(pending).toBe(4);
    await page.close();
    await closeReview(client, batchId, { force: true });
  });
});
