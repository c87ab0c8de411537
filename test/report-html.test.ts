import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { costOf } from '../src/extraction/pricing';
import { runChecks } from '../src/extraction/schemas';
import { invoice } from '../src/extraction/schemas/invoice';
import type { DocumentResult } from '../src/store/document-result';
import { appendToJournal } from '../src/store/journal';
import { writeManifest } from '../src/store/manifest';
import { writeBatchReport } from '../src/store/report';
import { launchChromium } from './helpers/browser';
import { tempDir } from './helpers/batch';

/**
 * report.html from a batch's journals (written here as the extractChunk activity writes them:
 * successes on two models, failures of several kinds, documents that fail a consistency check,
 * cached and unprocessed ones), rendered in Debian's chromium with the network cut off.
 */
const screenshotDir = path.resolve('test-output/report');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function writeBatch(): Promise<{ batchDir: string; startedAt: number }> {
  const batchDir = await tempDir('report-html');
  const total = 60;
  const chunkSize = 10;
  const startedAt = Date.parse('2026-01-05T09:00:00Z');
  await writeManifest(batchDir, Array.from({ length: total }, (_, index) => ({ index, path: `/data/invoices/2025/invoice-${String(index + 1).padStart(4, '0')}.pdf`, sizeBytes: 40_000 + index })), chunkSize);
  for (let index = 0; index < total - 4; index++) {
    const model = index % 3 === 0 ? 'claude-sonnet-4-6' : 'claude-haiku-4-5';
    const tokens = { inputTokens: 1500 + index * 10, outputTokens: 300, cacheReadTokens: 2000, cacheWriteTokens: index < 2 ? 2000 : 0 };
    const usage = { ...tokens, costUsd: costOf(model, tokens) };
    const base = { index, path: `/data/invoices/2025/invoice-${String(index + 1).padStart(4, '0')}.pdf`, attempts: 1, durationMs: 900 + ((index * 7919) % 5000), finishedAt: startedAt + 4000 + index * 1500 + (index % 4) * 300 };
    let result: DocumentResult;
    if (index % 11 === 5) {
      const type = index % 2 === 0 ? 'corrupt' : 'validation_failed';
      result = { ...base, status: 'failed', cached: false, data: null, error: { type, message: `${base.path}: ${type === 'corrupt' ? 'the PDF structure is damaged' : 'the answer does not match the invoice schema'}` }, model: null, usage: type === 'corrupt' ? null : usage, warnings: [], needsReview: false };
    } else {
      const data = {
        invoiceNumber: `INV-${1000 + index}`,
        issueDate: '2025-03-01',
        dueDate: index % 13 === 4 ? '2025-02-01' : '2025-03-31',
        issuer: 'Northwind Traders Ltd',
        buyer: index % 5 === 0 ? null : 'Contoso AG',
        currency: 'EUR',
        subtotal: 400,
        tax: 80,
        total: index % 9 === 2 ? 500 : 480,
        lineItems: index % 4 === 0 ? [] : [{ description: 'Consulting', quantity: 4, unitPrice: 100, amount: 400 }],
      };
      const warnings = runChecks(invoice, data);
      const cached = index % 17 === 8;
      result = { ...base, status: 'succeeded', cached, data, error: null, model, usage: cached ? { ...usage, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 } : usage, warnings, needsReview: warnings.length > 0 };
    }
    await appendToJournal(batchDir, Math.floor(index / chunkSize), result);
  }
  return { batchDir, startedAt };
}

describe('report.html', () => {
  it('is a self-contained page with every section, and looks right in chromium', async () => {
    const { batchDir, startedAt } = await writeBatch();
    const summary = await writeBatchReport({ batchId: 'invoices-2025-q1', batchDir, schema: 'invoice', chunkSize: 10, state: 'completed', startedAt, finishedAt: startedAt + 95_000, elapsedMs: 95_000, pausedMs: 0, runs: 1 });
    expect(summary).toMatchObject({ total: 60, notProcessed: 4, needsReview: expect.any(Number), files: { reportHtml: path.join(batchDir, 'report.html') } });
    expect(summary.needsReview).toBeGreaterThan(0);
    expect(summary.schema).toEqual({ name: 'invoice', fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/), source: 'built-in' });

    const html = await readFile(summary.files.reportHtml!, 'utf8');
    // Self-contained: no script, no stylesheet or image from anywhere.
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(summary.files.reportHtml!).href);
    expect(requests).toEqual([pathToFileURL(summary.files.reportHtml!).href]);

    const headings = await page.locator('h2').allInnerTexts();
    expect(headings.map((heading) => heading.split('\n')[0]!.replace(/\s+(invoice|first .*|documents finished per minute)$/, ''))).toEqual([
      'Throughput over time',
      'Failures by reason',
      'Needs review, by check',
      'Cost and tokens by model',
      'Field fill rates',
      'Documents needing review',
      'Slowest documents',
    ]);
    expect(await page.locator('svg.chart rect').count()).toBe(40);
    expect(await page.locator('.card').filter({ hasText: 'Needs review' }).locator('.value').innerText()).toBe(String(summary.needsReview));
    expect(await page.locator('article', { hasText: 'Cost and tokens by model' }).locator('tbody tr').count()).toBe(2);
    expect(await page.locator('article', { hasText: 'Field fill rates' }).locator('.bar-row').count()).toBe(10);
    expect(await page.locator('article', { hasText: 'Documents needing review' }).locator('tbody tr').count()).toBe(summary.needsReview);
    expect(await page.locator('article', { hasText: 'Slowest documents' }).locator('tbody tr').count()).toBe(10);
    // Nothing spills out sideways.
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    await mkdir(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'report.png'), fullPage: true });
    await page.close();
  });
});
