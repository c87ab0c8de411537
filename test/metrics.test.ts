import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator';
import { ENV } from '../src/env';
import { batchSummarySchema, type BatchSummary } from '../src/batch/summary';
import { freePort } from '../src/temporal/dev-server';
import { samplesDir, startBatch, tempDir, testClient, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';

/**
 * `docbatch worker` with DOCBATCH_METRICS_PORT, as a separate process (as deployed), extracting a
 * batch with Claude's code path against the emulator (with injected 529s): its /metrics, scraped
 * while the batch runs and after it ends, adds up to the batch summary and to the emulator's log,
 * and carries the Temporal SDK's runtime metrics next to docbatch's own.
 */

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Prometheus text exposition → samples (enough of the format for these assertions). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((total, s) => total + s.value, 0);
}

const taskQueue = uniqueId('metrics');
const INVOICES = 7;
let emulator: Emulator;
let worker: ChildProcess;
let workerLog = '';
let metricsUrl: string;
let client: Client;

beforeAll(async () => {
  // One answer in five is a 529 (overloaded): the chunk is retried, the responses are counted by status.
  emulator = await startEmulator({ validKeys: ['test-key'], latency: { minMs: 5, maxMs: 30 }, faults: [{ kind: 'overloaded', rate: 0.2 }], seed: 7 });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: {
      ...process.env,
      [ENV.taskQueue]: taskQueue,
      [ENV.metricsPort]: String(port),
      [ENV.anthropicApiKey]: 'test-key',
      [ENV.anthropicBaseUrl]: emulator.url,
      [ENV.cacheDir]: await tempDir('metrics-cache'),
    },
  });
  worker.stderr!.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
  await eventually(async () => expect(workerLog).toContain('metrics at'), 120_000);
  client = await testClient();
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await client?.connection.close();
  await emulator?.stop();
});

describe('worker metrics (DOCBATCH_METRICS_PORT)', () => {
  let summary: BatchSummary;
  let during: Sample[];
  let after: Sample[];

  it('are scraped while a batch runs and after it ends', async () => {
    const dir = await tempDir('metrics-src');
    const names = (await readdir(samplesDir)).filter((name) => name.startsWith('invoice-')).slice(0, INVOICES);
    for (const name of names) await copyFile(path.join(samplesDir, name), path.join(dir, name));
    await writeFile(path.join(dir, 'zz-empty.txt'), '');
    const since = emulator.log.length;
    const handle = await startBatch(client, taskQueue, uniqueId('metrics-batch'), {
      source: { dir },
      outputDir: path.join(dir, 'out'),
      extractor: 'anthropic',
      chunkSize: 2,
      concurrency: 2,
      cache: false,
      retry: { initialInterval: '100ms', maximumInterval: '1s', maximumAttempts: 50 },
    });
    // During: some documents are counted before the batch has finished.
    during = await eventually(
      async () => {
        const samples = parseMetrics(await (await fetch(metricsUrl)).text());
        expect(sum(samples, 'docbatch_documents_total'), `nothing counted yet; worker said:\n${workerLog}`).toBeGreaterThan(0);
        return samples;
      },
      300_000,
      50,
    );
    summary = batchSummarySchema.parse(await handle.result());
    after = parseMetrics(await (await fetch(metricsUrl)).text());
    expect(summary).toMatchObject({ state: 'completed', total: INVOICES + 1, failed: 1 });
    expect(sum(during, 'docbatch_documents_total')).toBeLessThanOrEqual(summary.total);

    const calls = emulator.log.slice(since);
    const byStatus = (status: number) => calls.filter((entry) => entry.status === status).length;
    expect(byStatus(529)).toBeGreaterThan(0);
    // Every response the emulator gave, counted by status.
    expect(sum(after, 'docbatch_api_responses_total', { status: '200' })).toBe(byStatus(200));
    expect(sum(after, 'docbatch_api_responses_total', { status: '529' })).toBe(byStatus(529));
    // Every request waited on the rate limiter once, however briefly.
    expect(sum(after, 'docbatch_rate_limit_wait_seconds_count')).toBe(calls.length);
  }, 600_000);

  it('count documents by status as the summary does', () => {
    expect(sum(after, 'docbatch_documents_total', { status: 'succeeded' })).toBe(summary.succeeded);
    expect(sum(after, 'docbatch_documents_total', { status: 'failed' })).toBe(summary.failed);
    expect(sum(after, 'docbatch_documents_total', { extractor: 'anthropic' })).toBe(summary.total);
    // Failed before any model call: no model.
    expect(sum(after, 'docbatch_documents_total', { status: 'failed', model: 'none' })).toBe(1);
    for (const [model, count] of Object.entries(summary.models)) {
      expect(sum(after, 'docbatch_documents_total', { status: 'succeeded', model })).toBe(count);
    }
    expect(sum(after, 'docbatch_document_duration_seconds_count')).toBe(summary.total);
  });

  it('count tokens and cost as the summary does', () => {
    expect(summary.usage.inputTokens).toBeGreaterThan(0);
    expect(sum(after, 'docbatch_tokens_total', { kind: 'input' })).toBe(summary.usage.inputTokens);
    expect(sum(after, 'docbatch_tokens_total', { kind: 'output' })).toBe(summary.usage.outputTokens);
    expect(sum(after, 'docbatch_tokens_total', { kind: 'cache_read' })).toBe(summary.usage.cacheReadTokens);
    expect(sum(after, 'docbatch_tokens_total', { kind: 'cache_write' })).toBe(summary.usage.cacheWriteTokens);
    expect(sum(after, 'docbatch_cost_usd_total')).toBeCloseTo(summary.usage.costUsd, 6);
  });

  it('carry the Temporal SDK runtime metrics on the same port', () => {
    const sdk = after.filter((s) => s.name.startsWith('temporal_'));
    expect(sdk.length).toBeGreaterThan(0);
    expect(sum(after, 'temporal_activity_execution_latency_count', { activity_type: 'extractChunk' })).toBeGreaterThan(0);
    expect(sum(after, 'temporal_workflow_completed', { workflow_type: 'batchExtraction' })).toBeGreaterThanOrEqual(1);
  });

  it('serve every metric the Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(await readFile('deploy/grafana/docbatch-dashboard.json', 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((panel) => panel.targets ?? []).flatMap((target) => target.expr.match(/\b(?:docbatch|temporal)_\w+/g) ?? []));
    expect(queried.size).toBeGreaterThan(8);
    const served = new Set(after.map((s) => s.name));
    expect([...queried].filter((name) => !served.has(name))).toEqual([]);
  });
});
