import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressFromSummary } from '../src/batch/progress';
import { outcomeReport, progressTable } from '../src/cli/format';
import type { DocumentResult } from '../src/store/document-result';
import { appendToJournal } from '../src/store/journal';
import { writeManifest } from '../src/store/manifest';
import { batchFiles } from '../src/store/paths';
import { readSummary, writeBatchReport } from '../src/store/report';
import type { WriteReportInput } from '../src/batch/activities';

/** A batch of two documents, one journaled, ready for its report. */
async function batchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-report-mode-'));
  await writeManifest(dir, [
    { index: 0, path: '/data/a.pdf', sizeBytes: 1000 },
    { index: 1, path: '/data/b.pdf', sizeBytes: 1000 },
  ], 10);
  const result: DocumentResult = {
    index: 0, path: '/data/a.pdf', status: 'succeeded', cached: false, data: { invoiceNumber: 'INV-1' }, error: null, model: 'claude-haiku-4-5',
    usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.0001 }, attempts: 1, durationMs: 900, finishedAt: Date.parse('2026-11-23T12:00:05Z'), warnings: [], needsReview: false,
  };
  await appendToJournal(dir, 0, result);
  return dir;
}

function request(dir: string, mode?: WriteReportInput['mode']) {
  const startedAt = Date.parse('2026-11-23T12:00:00Z');
  return { batchId: 'b-mode', batchDir: dir, schema: 'invoice' as const, chunkSize: 10, state: 'completed' as const, startedAt, finishedAt: startedAt + 60_000, elapsedMs: 60_000, pausedMs: 0, runs: 1, ...(mode ? { mode } : {}) };
}

describe("the batch's mode in its report", () => {
  it('is in summary.json, report.html and the status and outcome of the ended batch', async () => {
    const dir = await batchDir();
    const summary = await writeBatchReport(request(dir, 'batch'));
    expect(summary.mode).toBe('batch');
    expect(JSON.parse(await readFile(batchFiles(dir).summary, 'utf8'))).toMatchObject({ mode: 'batch' });
    expect((await readSummary(dir))?.mode).toBe('batch');
    expect(await readFile(summary.files.reportHtml!, 'utf8')).toMatch(/<p class="sub">[^<]*batch mode \(Message Batches\)/);

    // `docbatch status` of the ended batch reads its progress from the summary.
    expect(progressTable(progressFromSummary(summary, 3), 'http://ui/b-mode')).toMatch(/^\s*mode\s+batch$/m);
    // `docbatch run` / `watch` print the outcome.
    expect(outcomeReport({ batchId: 'b-mode', state: 'completed', summary }, 'http://ui/b-mode')).toMatch(/^\s*mode\s+batch$/m);

    const realtime = await writeBatchReport(request(dir, 'realtime'));
    expect(await readFile(realtime.files.reportHtml!, 'utf8')).toContain('realtime mode');
    expect(outcomeReport({ batchId: 'b-mode', state: 'completed', summary: realtime }, 'http://ui/b-mode')).toMatch(/^\s*mode\s+realtime$/m);
  });

  it('is left out for a summary written before modes, which still parses', async () => {
    const dir = await batchDir();
    // A report requested by a workflow started before modes: no mode in its input.
    const summary = await writeBatchReport(request(dir));
    expect(summary.mode).toBeUndefined();
    const old = JSON.parse(await readFile(batchFiles(dir).summary, 'utf8')) as Record<string, unknown>;
    expect(old).not.toHaveProperty('mode');
    await writeFile(batchFiles(dir).summary, JSON.stringify(old));
    const read = await readSummary(dir);
    expect(read).toMatchObject({ batchId: 'b-mode', total: 2, succeeded: 1, notProcessed: 1 });
    expect(read!.mode).toBeUndefined();
    expect(progressTable(progressFromSummary(read!, 3), 'http://ui/b-mode')).not.toMatch(/^\s*mode\s/m);
    expect(outcomeReport({ batchId: 'b-mode', state: 'completed', summary: read! }, 'http://ui/b-mode')).not.toMatch(/^\s*mode\s/m);
    expect(await readFile(summary.files.reportHtml!, 'utf8')).not.toMatch(/batch mode|realtime mode/);
  });
});
