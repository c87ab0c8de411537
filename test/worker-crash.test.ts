import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../src/store/document-result';
import { batchFiles } from '../src/store/paths';
import { progressQuery } from '../src/batch/messages';
import { readJsonLines, samplesDir, startBatch, tempDir, testClient, uniqueId } from './helpers/batch';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function startWorkerProcess(taskQueue: string, callLog: string, delayMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/counting-worker.ts'], {
    env: { ...process.env, TASK_QUEUE: taskQueue, CALL_LOG: callLog, DELAY_MS: String(delayMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  while (!output.includes('worker ready')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode} before it was ready`);
    await sleep(100);
  }
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/** A directory of `count` text invoices (copies of one sample under distinct names). */
async function invoiceDir(count: number): Promise<string> {
  const dir = await tempDir('crash-src');
  const sample = (await readdir(samplesDir)).find((name) => name.startsWith('invoice-') && name.endsWith('.txt'))!;
  for (let i = 0; i < count; i++) await copyFile(path.join(samplesDir, sample), path.join(dir, `doc-${String(i).padStart(3, '0')}.txt`));
  return dir;
}

/** Documents whose result is already journaled (durable) right now. */
async function journaledDocuments(batchDir: string): Promise<Set<string>> {
  const chunksDir = batchFiles(batchDir).chunksDir;
  const done = new Set<string>();
  for (const file of await readdir(chunksDir).catch(() => [] as string[])) {
    for (const line of (await readFile(path.join(chunksDir, file), 'utf8')).split('\n')) {
      if (line.endsWith('}')) done.add((JSON.parse(line) as DocumentResult).path);
    }
  }
  return done;
}

async function callsPerDocument(callLog: string): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await readFile(callLog, 'utf8')).split('\n').filter(Boolean)) calls.set(line, (calls.get(line) ?? 0) + 1);
  return calls;
}

async function runCrashScenario(options: { documents: number; chunkSize: number; concurrency: number; delayMs: number; killAfterJournaled: number }) {
  const taskQueue = uniqueId('crash');
  const sourceDir = await invoiceDir(options.documents);
  const outputDir = await tempDir('crash-out');
  const callLog = path.join(outputDir, 'calls.log');
  await writeFile(callLog, '');
  const client = await testClient();
  const batchId = uniqueId('crash-batch');

  const first = await startWorkerProcess(taskQueue, callLog, options.delayMs);
  const handle = await startBatch(client, taskQueue, batchId, {
    source: { dir: sourceDir },
    outputDir,
    chunkSize: options.chunkSize,
    concurrency: options.concurrency,
    extractor: 'local',
    cache: false,
    // A killed worker stops heartbeating: its chunks are retried after this long.
    timeouts: { chunkHeartbeat: '2s' },
    retry: { initialInterval: '200ms' },
  });
  const batchDir = path.join(outputDir, batchId);
  let durableBeforeKill = new Set<string>();
  while (durableBeforeKill.size < options.killAfterJournaled) {
    await sleep(50);
    durableBeforeKill = await journaledDocuments(batchDir);
  }
  const progressBeforeKill = await handle.query(progressQuery);
  await killHard(first);

  await startWorkerProcess(taskQueue, callLog, options.delayMs);
  const summary = await handle.result();
  return { summary, durableBeforeKill, progressBeforeKill, calls: await callsPerDocument(callLog), results: await readJsonLines<DocumentResult>(summary.files.results) };
}

describe('a worker killed with SIGKILL mid-batch', () => {
  it('is replaced by a fresh worker that finishes the batch without redoing finished work', async () => {
    const { summary, durableBeforeKill, progressBeforeKill, calls, results } = await runCrashScenario({
      documents: 40,
      chunkSize: 4,
      concurrency: 2,
      delayMs: 150,
      killAfterJournaled: 12,
    });
    expect(progressBeforeKill.state).toBe('running');
    expect(progressBeforeKill.processed).toBeLessThan(40);
    expect(summary.state).toBe('completed');
    expect(summary.succeeded).toBe(40);
    // Every document appears exactly once in the results.
    expect(new Set(results.map((result) => result.path)).size).toBe(40);
    expect(results).toHaveLength(40);
    // Finished documents were never extracted again.
    for (const document of durableBeforeKill) expect({ document, calls: calls.get(document) }).toEqual({ document, calls: 1 });
    // At most the document each in-flight chunk was working on is redone.
    const redone = [...calls.values()].filter((count) => count > 1);
    expect(redone.length).toBeLessThanOrEqual(2);
    expect(Math.max(...calls.values())).toBeLessThanOrEqual(2);
    expect(calls.size).toBe(40);
  });

  it('resumes a chunk of 20 slow documents after the last checkpointed one', async () => {
    const { summary, durableBeforeKill, calls, results } = await runCrashScenario({
      documents: 20,
      chunkSize: 20,
      concurrency: 1,
      delayMs: 200,
      killAfterJournaled: 7,
    });
    expect(summary.succeeded).toBe(20);
    expect(results.filter((result) => result.attempts > 1).length).toBeGreaterThan(0);
    for (const document of durableBeforeKill) expect(calls.get(document)).toBe(1);
    const totalCalls = [...calls.values()].reduce((a, b) => a + b, 0);
    // 20 documents, plus at most the one that was being extracted at the kill.
    expect(totalCalls).toBeLessThanOrEqual(21);
    expect(totalCalls).toBeGreaterThanOrEqual(20);
  });
});
