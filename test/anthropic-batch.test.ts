import { copyFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator';
import { documentIdentity } from '../src/emulator/request';
import type { DocumentResult } from '../src/store/document-result';
import * as messages from '../src/batch/messages';
import { readJsonLines, samplesDir, startBatch, tempDir, testClient, uniqueId } from './helpers/batch';
import { startClaudeWorker, type ClaudeWorker } from './helpers/claude-worker';
import { eventually } from './helpers/eventually';

/**
 * Whole batches through Claude's code path: the real @anthropic-ai/sdk over HTTP to the local
 * Messages API emulator, driven by the real workflow on the real dev server.
 */
let worker: ClaudeWorker;
let emulator: Emulator;
let client: Client;

beforeAll(async () => {
  worker = await startClaudeWorker('anthropic');
  emulator = worker.emulator;
  client = await testClient();
});
afterAll(async () => worker?.stop());

/** A few sample invoices (text and PDF) under fresh names. */
async function invoices(count: number): Promise<string> {
  const dir = await tempDir('anthropic-src');
  const samples = (await readdir(samplesDir)).filter((name) => name.startsWith('invoice-')).slice(0, count);
  for (const name of samples) await copyFile(path.join(samplesDir, name), path.join(dir, name));
  return dir;
}

function batch(dir: string, extra: Record<string, unknown> = {}) {
  return startBatch(client, worker.taskQueue, uniqueId('claude'), {
    source: { dir },
    outputDir: path.join(dir, 'out'),
    extractor: 'auto',
    chunkSize: 3,
    concurrency: 2,
    cache: false,
    retry: { initialInterval: '100ms', maximumInterval: '2s' },
    ...extra,
  });
}

async function retriedAttempts(handle: WorkflowHandle, failureType: string): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((event) => {
    const started = event.activityTaskStartedEventAttributes;
    return started && (started.attempt ?? 1) > 1 && started.lastFailure?.applicationFailureInfo?.type === failureType;
  }).length;
}

describe('batches through Claude (emulated)', () => {
  it('extracts every document and totals usage and cost exactly as the sum over documents', async () => {
    const dir = await invoices(8);
    const since = emulator.log.length;
    const summary = await (await batch(dir)).result();
    expect(summary).toMatchObject({ state: 'completed', total: 8, succeeded: 8, failed: 0 });
    const results = await readJsonLines<DocumentResult>(summary.files.results);
    const sum = (pick: (r: DocumentResult) => number) => results.reduce((total, result) => total + pick(result), 0);
    expect(summary.usage.inputTokens).toBe(sum((r) => r.usage!.inputTokens));
    expect(summary.usage.outputTokens).toBe(sum((r) => r.usage!.outputTokens));
    expect(summary.usage.costUsd).toBeCloseTo(sum((r) => r.usage!.costUsd), 6);
    expect(summary.usage.costUsd).toBeGreaterThan(0);
    expect(Object.keys(summary.models).every((model) => model.startsWith('claude-'))).toBe(true);
    // One call per document, no more.
    for (const result of results) {
      const id = documentIdentity(await readFile(result.path));
      expect(emulator.log.slice(since).filter((entry) => entry.documentId === id && entry.status === 200)).toHaveLength(1);
    }
  });

  it('rides out a 429 storm with Temporal retries visible in history, and every document succeeds', async () => {
    const dir = await invoices(9);
    const since = emulator.log.length;
    emulator.setFault({ kind: 'rate_limited', count: 12 });
    const handle = await batch(dir);
    const summary = await handle.result();
    emulator.setFault(null);
    expect(summary).toMatchObject({ state: 'completed', succeeded: 9, failed: 0 });
    expect(await retriedAttempts(handle, 'RateLimited')).toBeGreaterThan(0);
    // Documents finished before a 429 were not sent again.
    for (const file of await readdir(dir)) {
      if (!file.startsWith('invoice-')) continue;
      const id = documentIdentity(await readFile(path.join(dir, file)));
      expect(emulator.log.slice(since).filter((entry) => entry.documentId === id && entry.status === 200)).toHaveLength(1);
    }
  });

  it('pauses the whole batch on a rejected key, and completes once the key is fixed and the batch resumed', async () => {
    // Eight chunks, two in flight, documents in parallel: the chunk still in flight at the pause
    // reports the rejected key only after the resume, which must not pause the batch again.
    const dir = await invoices(24);
    emulator.setValidKeys(['some-other-key']);
    const since = emulator.log.length;
    const handle = await batch(dir);
    const paused = await eventually(async () => {
      const progress = await handle.query(messages.progressQuery);
      expect(progress.state).toBe('paused');
      return progress;
    });
    expect(paused.pauseReason).toBe('ANTHROPIC_API_KEY rejected (401): set a valid key, then `docbatch resume <id>`');
    expect(paused.failed).toBe(0);
    const unauthorized = emulator.log.slice(since).filter((entry) => entry.status === 401).length;
    // Not one identical failure per document of the two chunks in flight (6): the call in flight
    // when the key was rejected (two, if the pace let another out before its answer came back),
    // and one probe of the other chunk's; every other document fails with the fault unsent.
    expect(unauthorized).toBeGreaterThanOrEqual(1);
    expect(unauthorized).toBeLessThanOrEqual(3);

    emulator.setValidKeys(['test-key']);
    await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
    const summary = await handle.result();
    expect(summary).toMatchObject({ state: 'completed', succeeded: 24, failed: 0 });
  });

  it('pauses on an exhausted spend limit instead of failing documents, and resumes', async () => {
    const dir = await invoices(3);
    emulator.setFault({ kind: 'billing', count: 1 });
    const handle = await batch(dir);
    const paused = await eventually(async () => {
      const progress = await handle.query(messages.progressQuery);
      expect(progress.state).toBe('paused');
      return progress;
    });
    expect(paused.pauseReason).toMatch(/credit|spend|billing/i);
    await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
    expect(await handle.result()).toMatchObject({ succeeded: 3 });
  });
});
