import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_MB, heapChosen, needsHeapCap } from '../bin/heap.js';
import { ENV } from '../src/env';
import { tempDir, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';

/**
 * A worker's heap is capped without the user passing a Node flag: `docbatch worker` and
 * `docbatch run` start again with --max-old-space-size unless the user chose a heap, and the
 * relaunched process lives and dies with the one the user started.
 */
async function startWorker(extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const env = { ...process.env, [ENV.taskQueue]: uniqueId('heap'), [ENV.homeDir]: await tempDir('heap-home'), ...extraEnv };
  const child = spawn(process.execPath, [path.resolve('bin/docbatch.js'), 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Ctrl-C to stop')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr}`)));
  });
  return child;
}

async function commandLine(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
}

/** The docbatch processes `pid` started (Linux: /proc), with their command lines. */
async function relaunched(pid: number): Promise<{ pid: number; args: string[] }[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const children = await Promise.all(text.trim().split(/\s+/).filter(Boolean).map(async (child) => ({ pid: Number(child), args: await commandLine(Number(child)) })));
  return children.filter(({ args }) => args.some((arg) => arg.endsWith('bin/docbatch.js')));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(process.platform === 'linux')('the worker heap cap', () => {
  it('docbatch worker runs in a child with the default heap, which stops on SIGTERM and dies with a SIGKILLed parent', async () => {
    const parent = await startWorker();
    const [worker] = await relaunched(parent.pid!);
    expect(worker?.args).toContain(`--max-old-space-size=${DEFAULT_HEAP_MB}`);
    parent.kill('SIGKILL');
    await eventually(async () => expect(alive(worker!.pid)).toBe(false), 15_000);

    const second = await startWorker();
    const [secondWorker] = await relaunched(second.pid!);
    const exited = new Promise<number | null>((resolve) => second.on('exit', (code) => resolve(code)));
    second.kill('SIGTERM');
    // The worker drains and exits; the parent passes its exit on.
    expect(await exited).toBe(0);
    expect(alive(secondWorker!.pid)).toBe(false);
  });

  it('a heap the user chose is kept: no relaunch', async () => {
    const parent = await startWorker({ NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=300` });
    try {
      expect(await relaunched(parent.pid!)).toEqual([]);
      expect(await commandLine(parent.pid!)).not.toContain(`--max-old-space-size=${DEFAULT_HEAP_MB}`);
    } finally {
      parent.kill('SIGTERM');
    }
  });

  it('decides from the command and the flags', () => {
    expect(heapChosen(['--max-old-space-size=2048'], '')).toBe(true);
    expect(heapChosen([], '--enable-source-maps --max_old_space_size=100')).toBe(true);
    expect(heapChosen(['--max-semi-space-size=16'], '--inspect')).toBe(false);
    expect(needsHeapCap(['status', 'b1'])).toBe(false);
  });
});
