import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../src/activities/write-report';
import type { WriteReportInput } from '../src/batch/activities';
import type { BatchSummary } from '../src/batch/summary';
import { runChecks } from '../src/extraction/schemas';
import { schemaColumns } from '../src/extraction/schemas/columns';
import { invoice } from '../src/extraction/schemas/invoice';
import type { DocumentResult } from '../src/store/document-result';
import { appendToJournal } from '../src/store/journal';
import { writeManifest } from '../src/store/manifest';
import { batchKeys } from '../src/store/paths';
import { writeBatchReport } from '../src/store/report';
import { renderReportChunk } from '../src/store/report-chunk';
import { ReportTally } from '../src/store/report-tally';
import { tempDir } from './helpers/batch';

/**
 * The report renders each chunk on its own (report-chunk.ts), several read ahead of the one it
 * writes, and merges the chunks' tallies in manifest order. The files must hold every document
 * once and in manifest order, and the merged tally must be the tally of every document added one
 * by one: the first documents to review, the slowest, the throughput timestamps, the counts.
 */
const columns = schemaColumns(invoice.schema);
const chunkSize = 7;
const chunks = 23;
const total = chunks * chunkSize;

const pathOf = (index: number) => `/data/inbox/scan-${String(index).padStart(4, '0')}.pdf`;

/** Succeeded, failed, cached, to-review and never-processed documents on two models, in every chunk. */
function resultFor(index: number): DocumentResult | null {
  if (index % 7 === 3) return null;
  const path = pathOf(index);
  const model = index % 2 === 0 ? 'claude-haiku-4-5' : 'local';
  const usage = { inputTokens: 1000 + index, outputTokens: 200, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.001 * (index % 5) };
  const base = { index, path, attempts: 1 + (index % 3), durationMs: (index * 7919) % 4000, finishedAt: 1_790_000_000_000 + index * 250, model, usage };
  if (index % 11 === 5) return { ...base, status: 'failed', cached: false, data: null, error: { type: index % 2 === 0 ? 'corrupt' : 'timeout', message: `${path}: cannot be read` } };
  const data = {
    invoiceNumber: `INV-${index}`,
    issueDate: '2026-03-01',
    dueDate: index % 5 === 1 ? '2026-02-01' : '2026-03-31',
    issuer: index % 4 === 0 ? 'Müller & Söhne GmbH, "Nord"' : 'Northwind Traders Ltd',
    buyer: index % 6 === 0 ? null : 'Contoso AG',
    currency: 'EUR',
    subtotal: 400,
    tax: 80,
    total: index % 3 === 2 ? 500 : 480,
    lineItems: index % 3 === 0 ? [] : [{ description: 'Consulting,\nMarch', quantity: 4, unitPrice: 100, amount: 400 }],
  };
  const warnings = runChecks(invoice, data);
  return { ...base, status: 'succeeded', cached: index % 13 === 8, data, error: null, warnings, needsReview: warnings.length > 0 };
}

const notProcessed = (index: number): DocumentResult => ({ index, path: pathOf(index), status: 'not_processed', cached: false, data: null, error: null, attempts: 0, durationMs: 0, model: null, usage: null });

async function writeBatch(): Promise<string> {
  const batchDir = await tempDir('report-chunk');
  await writeManifest(batchDir, Array.from({ length: total }, (_, index) => ({ index, path: pathOf(index), sizeBytes: 1000 + index })), chunkSize);
  for (let index = 0; index < total; index++) {
    const result = resultFor(index);
    if (result) await appendToJournal(batchDir, Math.floor(index / chunkSize), result);
  }
  return batchDir;
}

describe("a report's chunks", () => {
  it('merged in manifest order give the tally of every document added one by one', async () => {
    const batchDir = await writeBatch();
    const rendered = await Promise.all(Array.from({ length: chunks }, (_, chunk) => renderReportChunk({ batchDir, chunk, chunkSize, columns })));
    const merged = new ReportTally(columns);
    for (const chunk of rendered) merged.merge(chunk.tally);
    const oneByOne = new ReportTally(columns);
    for (let index = 0; index < total; index++) oneByOne.add(resultFor(index) ?? notProcessed(index));
    expect(oneByOne.review.length).toBeGreaterThan(chunkSize);
    expect(oneByOne.slowest.length).toBe(10);
    expect(merged.state()).toEqual(oneByOne.state());
    expect(merged.fillRates()).toEqual(oneByOne.fillRates());
  });

  it('are written in manifest order, every document once, a torn journal line redone as not processed', async () => {
    const batchDir = await writeBatch();
    // A worker killed mid-write: the line of a document of chunk 4 is torn, so that document counts as not processed.
    await appendFile(path.join(batchDir, batchKeys.chunkJournal(4)), '{"index":31,"path":"/data/in');
    const summary = await writeBatchReport({ batchId: 'chunks', batchDir, schema: 'invoice', chunkSize, total, state: 'completed', startedAt: 0, finishedAt: 60_000, elapsedMs: 60_000, pausedMs: 0, runs: 1 });

    const lines = (file: string) => readFile(path.join(batchDir, file), 'utf8').then((text) => text.trim().split('\n').map((line) => JSON.parse(line) as DocumentResult));
    const results = await lines('results.jsonl');
    expect(results.map((result) => result.index)).toEqual([...Array(total).keys()]);
    expect(results.map(({ index, path, status }) => ({ index, path, status }))).toEqual(Array.from({ length: total }, (_, index) => ({ index, path: pathOf(index), status: (resultFor(index) ?? notProcessed(index)).status })));
    expect((await lines('manifest.jsonl')).map((entry) => entry.index)).toEqual([...Array(total).keys()]);
    const failed = results.filter((result) => result.status === 'failed').map((result) => result.index);
    expect((await lines('failures.jsonl')).map((line) => line.index)).toEqual(failed);
    const toReview = results.filter((result) => result.needsReview).map((result) => result.index);
    expect(toReview.length).toBeGreaterThan(0);
    expect((await lines('review.jsonl')).map((line) => line.index)).toEqual(toReview);
    const csv = (await readFile(path.join(batchDir, 'results.csv'), 'utf8')).split('\n');
    expect(csv[0]).toMatch(/^path,status,cached,error_type,error_message,needs_review,warnings,invoiceNumber,/);
    expect(csv[1]).toMatch(/^\/data\/inbox\/scan-0000\.pdf,succeeded,/);

    const expected = Array.from({ length: total }, (_, index) => resultFor(index) ?? notProcessed(index));
    expect(summary).toMatchObject({
      total,
      succeeded: expected.filter((result) => result.status === 'succeeded').length,
      failed: failed.length,
      notProcessed: expected.filter((result) => result.status === 'not_processed').length,
      needsReview: toReview.length,
    });
  });

  it('beat once per chunk written, so a long report is not mistaken for a dead worker', async () => {
    const batchDir = await writeBatch();
    const environment = new MockActivityEnvironment();
    let beats = 0;
    environment.on('heartbeat', () => beats++);
    const input: WriteReportInput = { batchId: 'beats', batchDir, schema: 'invoice', chunkSize, total, state: 'completed', startedAt: 0, elapsedMs: 60_000, pausedMs: 0, runs: 1 };
    const summary: BatchSummary = await environment.run(writeReport, { now: () => 60_000 }, input);
    expect(summary.total).toBe(total);
    expect(beats).toBe(chunks);
  });
});
