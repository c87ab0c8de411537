import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../src/store/document-result';
import { damagedChunkPng, garbagePdf, pngBomb } from './helpers/bad-documents';
import { readJsonLines, samplesDir, startBatch, tempDir, testClient, uniqueId } from './helpers/batch';
import { testTemporal } from './helpers/temporal';

const workers: ChildProcess[] = [];
afterEach(() => {
  for (const worker of workers.splice(0)) worker.kill('SIGKILL');
});

/** A real `docbatch worker` process (src/worker.ts) on its own task queue, with one decoder process. */
async function startWorkerProcess(taskQueue: string, cacheDir: string): Promise<ChildProcess> {
  const { address, namespace } = testTemporal();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      DOCBATCH_TASK_QUEUE: taskQueue,
      DOCBATCH_CACHE_DIR: cacheDir,
      DOCBATCH_DECODE_WORKERS: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  let output = '';
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  while (!output.includes('docbatch worker on task queue')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode} before it was ready: ${output}`);
    await sleep(100);
  }
  return child;
}

function isAlive(worker: ChildProcess): boolean {
  if (worker.exitCode !== null || worker.signalCode !== null) return false;
  process.kill(worker.pid!, 0); // throws ESRCH if the process is gone
  return true;
}

describe('a batch of poisonous documents on two worker processes', () => {
  it('completes with each bad document failed with its reason, and both workers still alive', async () => {
    const sourceDir = await tempDir('poison-src');
    await writeFile(path.join(sourceDir, 'damaged-chunk.png'), damagedChunkPng());
    await writeFile(path.join(sourceDir, 'bomb-20000x20000.png'), await pngBomb(20_000));
    await writeFile(path.join(sourceDir, 'parser-throws.pdf'), garbagePdf());
    for (const sample of ['invoice-01-classic.pdf', 'invoice-02-two-column.txt', 'scan-01.png']) await copyFile(path.join(samplesDir, sample), path.join(sourceDir, sample));

    const taskQueue = uniqueId('poison');
    const cacheDir = await tempDir('poison-cache');
    const fleet = [await startWorkerProcess(taskQueue, cacheDir), await startWorkerProcess(taskQueue, cacheDir)];
    const outputDir = await tempDir('poison-out');
    const handle = await startBatch(await testClient(), taskQueue, uniqueId('poison-batch'), {
      source: { dir: sourceDir },
      outputDir,
      chunkSize: 1,
      concurrency: 4,
      extractor: 'local',
      cache: false,
    });
    const summary = await handle.result();
    const results = new Map((await readJsonLines<DocumentResult>(summary.files.results)).map((result) => [path.basename(result.path), result]));

    expect(summary.state).toBe('completed');
    expect(results.size).toBe(6);
    expect(results.get('damaged-chunk.png')).toMatchObject({ status: 'failed', error: { type: 'unreadable' } });
    expect(results.get('damaged-chunk.png')!.error!.message).toMatch(/damaged-chunk\.png could not be read by OCR .*: check that the image is not damaged/);
    expect(results.get('bomb-20000x20000.png')).toMatchObject({ status: 'failed', error: { type: 'too_large' } });
    expect(results.get('bomb-20000x20000.png')!.error!.message).toMatch(/bomb-20000x20000\.png is a 20000 x 20000 image \(400 MP\), above the 40 MP docbatch decodes: scale it down/);
    expect(results.get('parser-throws.pdf')).toMatchObject({ status: 'failed', error: { type: 'corrupt' } });
    expect(results.get('parser-throws.pdf')!.error!.message).toMatch(/parser-throws\.pdf is not a readable PDF .*: re-export or re-scan it/);
    for (const good of ['invoice-01-classic.pdf', 'invoice-02-two-column.txt', 'scan-01.png']) expect(results.get(good)?.status).toBe('succeeded');
    for (const worker of fleet) expect(isAlive(worker)).toBe(true);
  });
});
