import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewQuery, reviewWorkflowId, type ReviewView } from '../src/batch/review';
import { ENV } from '../src/env';
import { startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';
import { reviewInvoiceText } from './helpers/review-batch';
import { runDocbatch, type CliResult } from './helpers/cli';

/** `docbatch review` and `--review` on start, as a person runs them: the real CLI in a child process. */
const taskQueue = uniqueId('review-cli');
let client: Client;
let stop: () => Promise<void>;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
  client = await testClient();
  cliEnv = { ...process.env, [ENV.taskQueue]: taskQueue, [ENV.outputDir]: await tempDir('review-cli-out'), [ENV.cacheDir]: await tempDir('review-cli-cache') };
});
afterAll(async () => {
  await stop?.();
});

function docbatch(args: string[]): Promise<CliResult> {
  return runDocbatch(args, cliEnv);
}

describe('docbatch review', () => {
  it('start --review opens the review when the batch ends; review --no-serve prints it; review serves the page until Ctrl-C', async () => {
    const dir = await tempDir('review-cli-docs');
    await writeFile(path.join(dir, 'good.txt'), reviewInvoiceText(1));
    await writeFile(path.join(dir, 'off.txt'), reviewInvoiceText(2, { totalOff: 10 }));
    await writeFile(path.join(dir, 'empty.txt'), '');
    const batchId = uniqueId('cli-review');
    const started = await docbatch(['start', dir, '--id', batchId, '--extractor', 'local', '--review', '--json']);
    expect(started, started.stderr).toMatchObject({ code: 0 });
    expect(started.stderr).toBe('');

    const handle = client.workflow.getHandle(reviewWorkflowId(batchId));
    const opened = await eventually(async () => {
      const view = await handle.query(reviewQuery);
      if (view.state !== 'open') throw new Error(view.state);
      return view;
    }, 60_000);
    expect(opened.counts).toEqual({ total: 2, pending: 2, approved: 0, corrected: 0, rejected: 0 });

    const printed = await docbatch(['review', batchId, '--no-serve', '--no-worker', '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    expect((JSON.parse(printed.stdout) as ReviewView).items.map((item) => path.basename(item.path))).toEqual(['empty.txt', 'off.txt']);

    // The page: its URL on stdout, served until Ctrl-C.
    const child = spawn(process.execPath, [path.resolve('bin/docbatch.js'), 'review', batchId, '--no-worker', '--reviewer', 'cli-test'], { env: cliEnv });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const line = /^(http:\/\/\S+)\n/m.exec(out);
        if (line) resolve(line[1]!);
      });
      child.once('exit', (code) => reject(new Error(`docbatch review exited (${code}) before printing its URL: ${stderr}`)));
    });
    const state = (await (await fetch(new URL('/api/review', url))).json()) as { reviewer: string; view: ReviewView };
    expect(state).toMatchObject({ reviewer: 'cli-test', view: { counts: { pending: 2 } } });
    expect(stderr).toMatch(/attached to the review of batch .*: 2 pending · 0 approved · 0 corrected · 0 rejected of 2/);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);

    const closed = await docbatch(['review', batchId, '--no-worker', '--close']);
    expect(closed).toMatchObject({ code: 1 });
    expect(closed.stderr).toMatch(/close refused: 2 documents are still pending: decide them first, or close with \{"force": true\}/);
    expect(await docbatch(['review', batchId, '--no-worker', '--close', '--force'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^closed the review of batch/) });
  });

  it('refuses with one line: an unknown batch, a batch with nothing to review', async () => {
    const unknown = await docbatch(['review', 'no-such-batch', '--no-serve', '--no-worker']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/batch no-such-batch not found in namespace default/);

    const dir = await tempDir('review-cli-clean');
    await writeFile(path.join(dir, 'good.txt'), reviewInvoiceText(1));
    const batchId = uniqueId('cli-clean');
    expect((await docbatch(['run', dir, '--id', batchId, '--extractor', 'local', '--no-worker', '--json'])).code).toBe(0);
    const nothing = await docbatch(['review', batchId, '--no-serve', '--no-worker']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/batch cli-clean-\S+ has nothing to review: no document failed a check or failed/);
  });
});
