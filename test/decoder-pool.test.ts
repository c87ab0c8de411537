import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DocumentError } from '../src/extraction/errors';
import { DecoderPool } from '../src/extraction/isolation';

const entry = fileURLToPath(new URL('./fixtures/misbehaving-decoder.ts', import.meta.url));
const pools: DecoderPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

function pool(options: { size?: number; timeoutMs?: number; maxMemoryMb?: number } = {}): DecoderPool {
  const created = new DecoderPool({ entry, size: 1, timeoutMs: 60_000, maxMemoryMb: 2048, ...options });
  pools.push(created);
  return created;
}

/** What the misbehaving decoder answers to a text task: its path and pid, as a string (not a DocumentText). */
async function text(path: string, on: DecoderPool): Promise<string> {
  const answer: unknown = await on.run({ name: 'text', document: { path, mediaType: 'image/png', bytes: Buffer.from('x') } });
  return String(answer);
}

async function failure(promise: Promise<unknown>): Promise<DocumentError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe('DecoderPool', () => {
  it('fails a document whose decoder crashes twice as corrupt, and goes on with a new decoder', async () => {
    const decoders = pool();
    const first = await text('/docs/ok-1', decoders);
    const error = await failure(text('/docs/crash', decoders));
    expect(error.type).toBe('corrupt');
    expect(error.message).toMatch(/^\/docs\/crash crashed docbatch's decoder 2 times \(killed by SIGABRT/);
    const after = await text('/docs/ok-2', decoders);
    expect(after).toMatch(/^\/docs\/ok-2 on \d+$/);
    expect(after.split(' on ')[1]).not.toBe(first.split(' on ')[1]);
  });

  it('gives a document that crashed a decoder once a second, fresh decoder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'decoder-pool-'));
    expect(await text(join(dir, 'crash-once'), pool())).toMatch(/crash-once on \d+$/);
  });

  it('survives an exception thrown uncaught in the decoder', async () => {
    const decoders = pool();
    expect((await failure(text('/docs/throw', decoders))).message).toMatch(/uncaught in the decoder/);
    expect(await text('/docs/ok', decoders)).toMatch(/^\/docs\/ok on/);
  });

  it('fails a document without progress for the time budget as timeout', async () => {
    const decoders = pool({ timeoutMs: 1500 });
    const error = await failure(text('/docs/hang', decoders));
    expect(error.type).toBe('timeout');
    expect(error.message).toMatch(/^\/docs\/hang made no progress for 2 s/);
    expect(await text('/docs/ok', decoders)).toMatch(/^\/docs\/ok on/);
  });

  it('restarts the time budget on progress: a long document that moves is not a timeout', async () => {
    // Fifteen pages of 300 ms each: 4.5 s in all, above the 3 s budget, but never 3 s without progress.
    expect(await text('/docs/slow-pages', pool({ timeoutMs: 3000 }))).toBe('15 pages');
  });

  it('fails a document whose decoder outgrows its memory as too_large', async () => {
    const decoders = pool({ maxMemoryMb: 300 });
    const error = await failure(text('/docs/memory', decoders));
    expect(error.type).toBe('too_large');
    expect(error.message).toMatch(/^\/docs\/memory needed more than 300 MB of memory to decode/);
    expect(await text('/docs/ok', decoders)).toMatch(/^\/docs\/ok on/);
  });

  it('passes DocumentErrors through with their type', async () => {
    const error = await failure(text('/docs/fail', pool()));
    expect(error).toMatchObject({ type: 'corrupt', message: '/docs/fail is damaged' });
  });

  it('runs up to `size` documents at once, each in its own process', async () => {
    const decoders = pool({ size: 2 });
    const answers = await Promise.all(['/a', '/b', '/c', '/d'].map((path) => text(path, decoders)));
    const pids = new Set(answers.map((answer) => answer.split(' on ')[1]));
    expect(pids.size).toBeLessThanOrEqual(2);
    expect(decoders.pids().length).toBeLessThanOrEqual(2);
  });

  it('keeps its process alive while a document is decoded, and lets it exit when idle', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/pool-only-process.ts', import.meta.url))], { timeout: 60_000 });
    expect(stdout).toBe('15 pages\n');
  });
});
