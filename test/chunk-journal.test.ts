import { describe, expect, it } from 'vitest';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zeroUsage } from '../src/extraction/usage';
import type { DocumentResult } from '../src/store/document-result';
import { ChunkJournal, readJournal, withChunkJournal } from '../src/store/journal';
import { tempDir } from './helpers/batch';
import { handlesOn } from './helpers/file-handles';

function resultOf(index: number, model = 'this'): DocumentResult {
  return { index, path: `doc-${index}`, attempts: 1, status: 'succeeded', cached: false, data: {}, error: null, durationMs: 1, model, usage: zeroUsage };
}

/** Another attempt of the same chunk (a timed-out one still alive) appending on its own. */
async function otherAttemptAppends(journal: string, index: number): Promise<void> {
  await appendFile(journal, JSON.stringify(resultOf(index, 'other')) + '\n');
}

async function journalFile(): Promise<string> {
  return path.join(await tempDir('journal'), 'journal', 'chunk-0.jsonl');
}

describe('ChunkJournal', () => {
  it('appends whole lines through one handle, held until it is closed', async () => {
    const journal = await journalFile();
    const opened = await ChunkJournal.open(journal);
    expect(await handlesOn(journal)).toBe(1);
    await Promise.all([0, 1, 2].map((index) => opened.append(resultOf(index))));
    expect(await handlesOn(journal)).toBe(1);
    await opened.close();
    expect(await handlesOn(journal)).toBe(0);
    const lines = (await readFile(journal, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as DocumentResult).index).sort()).toEqual([0, 1, 2]);
  });

  it('sees what another attempt appended meanwhile before a document is done again', async () => {
    const journal = await journalFile();
    await withChunkJournal(journal, async (opened) => {
      await opened.append(resultOf(0));
      expect(await opened.has(1)).toBe(false);
      await otherAttemptAppends(journal, 1);
      expect(await opened.has(1)).toBe(true);
      expect(opened.done.get(1)?.model).toBe('other');
      // Its line interleaved with this attempt's: the view stays whole.
      await opened.append(resultOf(2));
      await otherAttemptAppends(journal, 3);
      expect(await opened.has(3)).toBe(true);
      expect([...opened.done.keys()].sort()).toEqual([0, 1, 2, 3]);
    });
  });

  it('keeps the first line: a document the other attempt journaled meanwhile is not written again', async () => {
    const journal = await journalFile();
    await withChunkJournal(journal, async (opened) => {
      expect(await opened.has(5)).toBe(false);
      await otherAttemptAppends(journal, 5); // while this attempt extracts document 5
      expect(await opened.append(resultOf(5))).toBe(false);
      expect(opened.done.get(5)?.model).toBe('other');
    });
    const lines = (await readFile(journal, 'utf8')).split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect((await readJournal(journal)).get(5)?.model).toBe('other');
  });

  it('writes appends queued together once each, refusing what the file or the group holds already', async () => {
    const journal = await journalFile();
    await withChunkJournal(journal, async (opened) => {
      await opened.append(resultOf(0));
      await otherAttemptAppends(journal, 2);
      // All queued behind nothing or one write: they go out as groups, each checked first.
      const written = await Promise.all([1, 2, 3, 3, 4].map((index) => opened.append(resultOf(index))));
      expect(written).toEqual([true, false, true, false, true]);
      expect(opened.done.get(2)?.model).toBe('other');
    });
    const indexes = (await readFile(journal, 'utf8')).split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as DocumentResult).index);
    expect(indexes.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('ignores a torn last line, and the next line appended after it is not lost', async () => {
    const journal = await journalFile();
    await withChunkJournal(journal, (opened) => opened.append(resultOf(0)));
    const torn = JSON.stringify(resultOf(1)).slice(0, 40); // a worker killed mid-write
    await appendFile(journal, torn);
    await withChunkJournal(journal, async (opened) => {
      expect([...opened.done.keys()]).toEqual([0]);
      expect(await opened.has(1)).toBe(false);
      expect(await opened.append(resultOf(1))).toBe(true);
    });
    expect([...(await readJournal(journal)).keys()].sort()).toEqual([0, 1]);
  });

  it('closes its handle when the attempt fails', async () => {
    const journal = await journalFile();
    await expect(
      withChunkJournal(journal, async (opened) => {
        await opened.append(resultOf(0));
        throw new Error('attempt failed');
      }),
    ).rejects.toThrow('attempt failed');
    expect(await handlesOn(journal)).toBe(0);
    expect([...(await readJournal(journal)).keys()]).toEqual([0]);
  });

  it('reads a journal written before, first line winning', async () => {
    const journal = await journalFile();
    await withChunkJournal(journal, async () => undefined);
    await writeFile(journal, [resultOf(7, 'first'), resultOf(7, 'second'), resultOf(8)].map((result) => JSON.stringify(result) + '\n').join(''));
    await withChunkJournal(journal, async (opened) => {
      expect(opened.done.get(7)?.model).toBe('first');
      expect(await opened.has(8)).toBe(true);
    });
  });
});
