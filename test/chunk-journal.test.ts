import { describe, expect, it } from 'vitest';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { zeroUsage } from '../src/extraction/usage';
import type { DocumentResult } from '../src/store/document-result';
import { ChunkJournal, readJournal, withChunkJournal } from '../src/store/journal';
import { batchKeys, batchStorage } from '../src/store/paths';
import { tempDir } from './helpers/batch';
import { handlesOn } from './helpers/file-handles';
import { testBucketUrl } from './helpers/object-store';

function resultOf(index: number, model = 'this'): DocumentResult {
  return { index, path: `doc-${index}`, attempts: 1, status: 'succeeded', cached: false, data: {}, error: null, durationMs: 1, model, usage: zeroUsage };
}

/** Another attempt of the same chunk (a timed-out one still alive, maybe on another worker) appending on its own. */
async function otherAttemptAppends(batchDir: string, index: number): Promise<void> {
  await batchStorage(batchDir).append(batchKeys.chunkJournal(0), JSON.stringify(resultOf(index, 'other')) + '\n');
}

async function journalIndexes(batchDir: string): Promise<number[]> {
  const { text } = await batchStorage(batchDir).readLog(batchKeys.chunkJournal(0));
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as DocumentResult).index);
}

const storages: Array<[string, () => Promise<string>]> = [
  ['local disk', async () => path.join(await tempDir('journal'), 'batch')],
  ['S3', async () => testBucketUrl('journal')],
];

describe.each(storages)('ChunkJournal on %s', (_name, newBatchDir) => {
  it('sees what another attempt appended meanwhile before a document is done again', async () => {
    const batchDir = await newBatchDir();
    await withChunkJournal(batchDir, 0, async (opened) => {
      await opened.append(resultOf(0));
      expect(await opened.has(1)).toBe(false);
      await otherAttemptAppends(batchDir, 1);
      await opened.refresh({ force: true });
      expect(await opened.has(1)).toBe(true);
      expect(opened.done.get(1)?.model).toBe('other');
      // Its line interleaved with this attempt's: the view stays whole.
      await opened.append(resultOf(2));
      await otherAttemptAppends(batchDir, 3);
      await opened.refresh({ force: true });
      expect(await opened.has(3)).toBe(true);
      expect([...opened.done.keys()].sort()).toEqual([0, 1, 2, 3]);
    });
  });

  it('keeps the first line: a document the other attempt journaled meanwhile is not written again', async () => {
    const batchDir = await newBatchDir();
    await withChunkJournal(batchDir, 0, async (opened) => {
      expect(await opened.has(5)).toBe(false);
      await otherAttemptAppends(batchDir, 5); // while this attempt extracts document 5
      await opened.refresh({ force: true });
      expect(await opened.append(resultOf(5))).toBe(false);
      expect(opened.done.get(5)?.model).toBe('other');
    });
    expect(await journalIndexes(batchDir)).toEqual([5]);
    expect((await readJournal(batchDir, 0)).get(5)?.model).toBe('other');
  });

  it('writes appends queued together once each, refusing what the journal or the group holds already', async () => {
    const batchDir = await newBatchDir();
    await withChunkJournal(batchDir, 0, async (opened) => {
      await opened.append(resultOf(0));
      await otherAttemptAppends(batchDir, 2);
      await opened.refresh({ force: true });
      // All queued behind nothing or one write: they go out as groups, each checked first.
      const written = await Promise.all([1, 2, 3, 3, 4].map((index) => opened.append(resultOf(index))));
      expect(written).toEqual([true, false, true, false, true]);
      expect(opened.done.get(2)?.model).toBe('other');
    });
    expect((await journalIndexes(batchDir)).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('reads a journal written before, first line winning', async () => {
    const batchDir = await newBatchDir();
    await batchStorage(batchDir).append(batchKeys.chunkJournal(0), [resultOf(7, 'first'), resultOf(7, 'second'), resultOf(8)].map((result) => JSON.stringify(result) + '\n').join(''));
    await withChunkJournal(batchDir, 0, async (opened) => {
      expect(opened.done.get(7)?.model).toBe('first');
      expect(await opened.has(8)).toBe(true);
    });
  });

  it('keeps what was journaled when the attempt fails', async () => {
    const batchDir = await newBatchDir();
    await expect(
      withChunkJournal(batchDir, 0, async (opened) => {
        await opened.append(resultOf(0));
        throw new Error('attempt failed');
      }),
    ).rejects.toThrow('attempt failed');
    expect([...(await readJournal(batchDir, 0)).keys()]).toEqual([0]);
  });
});

describe('ChunkJournal on local disk, a file', () => {
  it('ignores a torn last line, and the next line appended after it is not lost', async () => {
    const batchDir = path.join(await tempDir('journal'), 'batch');
    await withChunkJournal(batchDir, 0, (opened) => opened.append(resultOf(0)));
    const file = path.join(batchDir, batchKeys.chunkJournal(0));
    const torn = JSON.stringify(resultOf(1)).slice(0, 40); // a worker killed mid-write
    await appendFile(file, torn);
    await withChunkJournal(batchDir, 0, async (opened) => {
      expect([...opened.done.keys()]).toEqual([0]);
      expect(await opened.has(1)).toBe(false);
      expect(await opened.append(resultOf(1))).toBe(true);
    });
    expect([...(await readJournal(batchDir, 0)).keys()].sort()).toEqual([0, 1]);
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(4);
  });

  it('has() looks again once its last look is older than a tenth of a second: another attempt\'s document is not done twice', async () => {
    const batchDir = path.join(await tempDir('journal'), 'batch');
    await withChunkJournal(batchDir, 0, async (opened) => {
      expect(await opened.has(1)).toBe(false);
      await otherAttemptAppends(batchDir, 1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await opened.has(1)).toBe(true);
      expect(opened.done.get(1)?.model).toBe('other');
    });
  });

  it('holds one file handle per attempt however many documents it appends, and none once closed', async () => {
    const batchDir = path.join(await tempDir('journal'), 'batch');
    const file = path.join(batchDir, batchKeys.chunkJournal(0));
    const opened = await ChunkJournal.open(batchDir, 0);
    await Promise.all([0, 1, 2].map((index) => opened.append(resultOf(index))));
    for (const index of [3, 4, 5]) {
      expect(await opened.has(index)).toBe(false);
      await opened.append(resultOf(index));
    }
    expect(await handlesOn(file)).toBe(1);
    await opened.close();
    expect(await handlesOn(file)).toBe(0);
    expect([...(await readJournal(batchDir, 0)).keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
