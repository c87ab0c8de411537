import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSha256, onlyNew, type PlannedDocument } from '../src/activities/plan-collection';
import { storageAt } from '../src/storage/location';
import { appendToLedger, knownByListing, noveltyByHash, parseLedger, readLedger, settingsKeyOf, type LedgerLine } from '../src/store/collection-ledger';
import type { ManifestEntry } from '../src/store/manifest';
import { tempDir } from './helpers/batch';

const line = (key: string, sha256: string, size = 10, version = 'v1'): LedgerLine => ({ key, size, version, sha256, batchId: 'b', at: 0 });

describe('the collection ledger', () => {
  const ledger = parseLedger([line('/a', 'h-a'), line('/b', 'h-b-old'), line('/b', 'h-b')].map((l) => JSON.stringify(l)).join('\n') + '\n{"torn');

  it('keeps the last line of a key and every hash; a torn line is ignored', () => {
    expect(ledger.byKey.get('/b')?.sha256).toBe('h-b');
    expect([...ledger.hashes].sort()).toEqual(['h-a', 'h-b', 'h-b-old']);
  });

  it('knows a document by (key, size, version) without reading it', () => {
    expect(knownByListing({ key: '/a', size: 10, version: 'v1' }, ledger)).toBe(true);
    expect(knownByListing({ key: '/a', size: 11, version: 'v1' }, ledger)).toBe(false);
    expect(knownByListing({ key: '/a', size: 10, version: 'v2' }, ledger)).toBe(false);
    expect(knownByListing({ key: '/a', size: 10, version: null }, ledger)).toBe(false);
    expect(knownByListing({ key: '/c', size: 10, version: 'v1' }, ledger)).toBe(false);
  });

  it('judges by content hash past the fast path: known anywhere in the collection, changed under its key, or new', () => {
    expect(noveltyByHash({ key: '/a', size: 10, version: 'v2' }, 'h-a', ledger)).toBe('known');
    expect(noveltyByHash({ key: '/moved', size: 10, version: 'v1' }, 'h-a', ledger)).toBe('known');
    expect(noveltyByHash({ key: '/a', size: 12, version: 'v2' }, 'h-a2', ledger)).toBe('changed');
    expect(noveltyByHash({ key: '/c', size: 12, version: 'v1' }, 'h-c', ledger)).toBe('new');
  });

  it('keys settings by what changes an extraction', () => {
    const local = settingsKeyOf({ schemaFingerprint: 'f', extractor: 'local', models: { simple: 'a' }, mode: 'realtime' });
    expect(settingsKeyOf({ schemaFingerprint: 'f', extractor: 'local', models: { simple: 'b' }, mode: 'realtime' })).toBe(local);
    expect(settingsKeyOf({ schemaFingerprint: 'g', extractor: 'local' })).not.toBe(local);
    const claude = settingsKeyOf({ schemaFingerprint: 'f', extractor: 'anthropic', models: { simple: 'a' }, mode: 'realtime' });
    expect(settingsKeyOf({ schemaFingerprint: 'f', extractor: 'anthropic', models: { simple: 'b' }, mode: 'realtime' })).not.toBe(claude);
  });
});

describe('planning only new documents', () => {
  async function plan(entries: Omit<ManifestEntry, 'index'>[], output: string) {
    const planned: PlannedDocument[] = [];
    let counts: unknown;
    const kept: string[] = [];
    const ledger = await readLedger(storageAt(output), 'c', 'k');
    // A page per entry: the groups judged span pages.
    async function* listing() {
      for (const entry of entries) yield [entry];
    }
    for await (const page of onlyNew(listing(), ledger, async (lines, final) => {
      planned.push(...lines);
      if (final) counts = final;
    })) {
      expect(page.length).toBeGreaterThan(0);
      kept.push(...page.map((entry) => entry.path));
    }
    return { kept, planned, counts };
  }

  it('plans new, changed and touched files from a shared ledger in the output storage; known ones by listing alone', async () => {
    const dir = await tempDir('only-new');
    const output = path.join(dir, 'output');
    await mkdir(path.join(dir, 'docs'));
    const file = (name: string) => path.join(dir, 'docs', name);
    for (const name of ['a.txt', 'b.txt', 'c.txt']) await writeFile(file(name), `invoice ${name}\n`);
    const entry = async (name: string) => ({ path: file(name), sizeBytes: (await readFile(file(name))).length });

    const first = await plan([await entry('a.txt'), await entry('b.txt'), await entry('c.txt')], output);
    expect(first.kept).toEqual([file('a.txt'), file('b.txt'), file('c.txt')]);
    expect(first.counts).toEqual({ new: 3, changed: 0, known: 0 });
    expect(first.planned.map((p) => [path.basename(p.key), p.novelty, p.sha256 === '' ? '' : 'hashed'])).toEqual([
      ['a.txt', 'new', 'hashed'],
      ['b.txt', 'new', 'hashed'],
      ['c.txt', 'new', 'hashed'],
    ]);
    // What the chunks append once each document succeeded.
    await appendToLedger(storageAt(output), 'c', 'k', first.planned.map((p) => ({ ...p, batchId: 'first', at: 1 })));

    await utimes(file('a.txt'), new Date(), new Date(Date.now() + 60_000)); // touched: same bytes
    await writeFile(file('b.txt'), 'invoice b.txt, corrected\n'); // changed
    await writeFile(file('d.txt'), 'invoice d.txt\n'); // new
    await writeFile(file('copy-of-c.txt'), await readFile(file('c.txt'))); // the same bytes under a new name
    const second = await plan(
      [
        await entry('a.txt'),
        await entry('b.txt'),
        await entry('c.txt'),
        await entry('copy-of-c.txt'),
        await entry('d.txt'),
        { path: file('pipe'), sizeBytes: 0, problem: { type: 'unsupported_type', message: 'a FIFO' } },
      ],
      output,
    );
    expect(second.kept).toEqual([file('b.txt'), file('d.txt'), file('pipe')]);
    expect(second.counts).toEqual({ new: 2, changed: 1, known: 3 });
    expect(second.planned.find((p) => p.key === file('b.txt'))).toMatchObject({ novelty: 'changed', sha256: await contentSha256(file('b.txt')) });
  });

  it('a listing that carries versions (a bucket\'s ETags) is judged without a stat or a read', async () => {
    const output = path.join(await tempDir('only-new-etag'), 'output');
    await appendToLedger(storageAt(output), 'c', 'k', [line('s3://bucket/gone.pdf', 'h', 10, '"etag-1"')]);
    // The object is not there at all: judging it touched nothing.
    const judged = await plan([{ path: 's3://bucket/gone.pdf', sizeBytes: 10, version: '"etag-1"' }], output);
    expect(judged).toEqual({ kept: [], planned: [], counts: { new: 0, changed: 0, known: 1 } });
  });
});
