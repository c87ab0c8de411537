import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '../src/storage/local';
import { storageAt } from '../src/storage/location';
import { isStorageError, readText, type Storage } from '../src/storage/storage';
import { testBucketUrl } from './helpers/object-store';

/**
 * The one behaviour every storage must have (Temporal's persistence tests, OpenDAL's behaviour
 * tests): the same cases against the local filesystem and a real S3-compatible server.
 */
const storages: Array<[string, () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>]> = [
  [
    'local disk',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-storage-'));
      return { storage: new LocalStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  ['S3 (versitygw)', async () => ({ storage: storageAt(testBucketUrl('contract')), cleanup: async () => undefined })],
];

describe.each(storages)('storage contract: %s', (_name, make) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ storage, cleanup } = await make()));
  afterAll(() => cleanup());

  it('reads back what it wrote, and null for a key it never wrote', async () => {
    await storage.write('a/b.json', '{"x":1}');
    expect(await readText(storage, 'a/b.json')).toBe('{"x":1}');
    expect(await storage.read('a/missing.json')).toBeNull();
    expect(await storage.stat('a/missing.json')).toBeNull();
  });

  it('keeps keys with spaces, unicode and % as they are', async () => {
    const key = 'odd keys/Rechnung März 100%.txt';
    await storage.write(key, 'ü');
    expect(await readText(storage, key)).toBe('ü');
    const listed = [];
    for await (const object of storage.list('odd keys')) listed.push(object.key);
    expect(listed).toEqual([key]);
  });

  it('stats size and a version that changes when the object is replaced', async () => {
    await storage.write('v.txt', 'one');
    const first = await storage.stat('v.txt');
    expect(first?.size).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await storage.write('v.txt', 'three');
    const second = await storage.stat('v.txt');
    expect(second?.size).toBe(5);
    expect(second?.version).not.toBe(first?.version);
  });

  it('refuses to read a version other than the one planned', async () => {
    await storage.write('planned.txt', 'planned');
    const planned = (await storage.stat('planned.txt'))!;
    expect((await storage.read('planned.txt', { version: planned.version }))?.toString()).toBe('planned');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await storage.write('planned.txt', 'replaced!');
    const read = storage.read('planned.txt', { version: planned.version });
    await expect(read).rejects.toSatisfy((error) => isStorageError(error, 'version_changed'));
  });

  it('refuses an object above the size limit before reading it', async () => {
    await storage.write('big.bin', Buffer.alloc(4096));
    await expect(storage.read('big.bin', { maxBytes: 1024 })).rejects.toSatisfy((error) => isStorageError(error, 'too_large'));
  });

  it('lists every object under a prefix in key order, across pages and depths', async () => {
    for (let i = 0; i < 25; i++) await storage.write(`many/${i % 3}/item-${String(i).padStart(3, '0')}.txt`, String(i));
    const keys: string[] = [];
    for await (const object of storage.list('many')) keys.push(object.key);
    expect(keys).toHaveLength(25);
    expect(keys).toEqual([...keys].sort());
    expect(keys[0]).toBe('many/0/item-000.txt');
  });

  it('appends lines from concurrent writers without losing or interleaving one', async () => {
    const writers = 6;
    const lines = 5;
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let line = 0; line < lines; line++) await storage.append('log.jsonl', JSON.stringify({ writer, line }) + '\n', { durable: true });
      }),
    );
    const { text } = await storage.readLog('log.jsonl');
    const parsed = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { writer: number; line: number });
    expect(parsed).toHaveLength(writers * lines);
    expect(new Set(parsed.map((entry) => `${entry.writer}/${entry.line}`)).size).toBe(writers * lines);
  });

  it('reads a log from where the reader got to', async () => {
    expect(await storage.readLog('tail.jsonl')).toMatchObject({ text: '' });
    await storage.append('tail.jsonl', 'a\nb\n');
    const first = await storage.readLog('tail.jsonl');
    expect(first.text).toBe('a\nb\n');
    expect(await storage.readLog('tail.jsonl', first.position)).toEqual({ text: '', position: first.position });
    await storage.append('tail.jsonl', 'c\n');
    await storage.append('tail.jsonl', 'd\n');
    const second = await storage.readLog('tail.jsonl', first.position);
    expect(second.text).toBe('c\nd\n');
    expect((await storage.readLog('tail.jsonl')).text).toBe('a\nb\nc\nd\n');
  });

  it('says where an append landed only when nothing else lies between (a reader then skips its own lines)', async () => {
    const read = await storage.readLog('own.jsonl');
    const at = await storage.append('own.jsonl', 'mine\n');
    if (at) {
      expect(at.from).toBe(read.position);
      expect(await storage.readLog('own.jsonl', at.to)).toEqual({ text: '', position: at.to });
      expect((await storage.readLog('own.jsonl', at.from)).text).toBe('mine\n');
    }
    await storage.append('own.jsonl', 'theirs\n');
    const next = await storage.append('own.jsonl', 'mine again\n');
    // Whatever it says, it never claims the other writer's line as the appender's own.
    if (next && at) expect(next.from).not.toBe(at.to);
  });

  it('keeps a log open for one writer: its appends and looks mean what append and readLog mean, with other writers between', async () => {
    const log = await storage.openLog('open.jsonl');
    try {
      const start = await log.readLog();
      expect(start.text).toBe('');
      const mine = await log.append('mine\n');
      await storage.append('open.jsonl', 'theirs\n');
      const seen = await log.readLog(mine?.to ?? start.position);
      expect(seen.text).toBe(mine ? 'theirs\n' : 'mine\ntheirs\n');
      await log.append('mine again\n');
      expect((await log.readLog(seen.position)).text).toBe('mine again\n');
    } finally {
      await log.close();
    }
    expect((await storage.readLog('open.jsonl')).text).toBe('mine\ntheirs\nmine again\n');
  });

  it('lists the logs under a prefix', async () => {
    await storage.append('logs/one.jsonl', 'x\n');
    await storage.append('logs/one.jsonl', 'y\n');
    await storage.append('logs/two.jsonl', 'z\n');
    const logs: string[] = [];
    for await (const log of storage.listLogs('logs')) logs.push(log);
    expect(logs).toEqual(['logs/one.jsonl', 'logs/two.jsonl']);
  });

  it('streams a large object that appears only once it is whole', async () => {
    let seenMidway: Buffer | null = Buffer.alloc(0);
    await storage.writeLines('stream/lines.txt', async (write) => {
      for (let i = 0; i < 200_000; i++) await write(`line ${i} ${'x'.repeat(40)}\n`);
      seenMidway = await storage.read('stream/lines.txt');
    });
    expect(seenMidway).toBeNull();
    const info = await storage.stat('stream/lines.txt');
    expect(info!.size).toBeGreaterThan(9_000_000);
    const text = (await readText(storage, 'stream/lines.txt'))!;
    expect(text.split('\n')).toHaveLength(200_001);
  });

  it('leaves nothing behind when the producer of a streamed object fails', async () => {
    await expect(
      storage.writeLines('stream/failed.txt', async (write) => {
        await write('partial\n');
        throw new Error('producer failed');
      }),
    ).rejects.toThrow('producer failed');
    expect(await storage.stat('stream/failed.txt')).toBeNull();
  });

  it('deletes, and deleting a missing key is no error', async () => {
    await storage.write('gone.txt', 'x');
    await storage.delete('gone.txt');
    await storage.delete('gone.txt');
    expect(await storage.stat('gone.txt')).toBeNull();
  });

  it('roots a storage below a prefix', async () => {
    const child = storage.at('child/dir');
    await child.write('k.txt', 'v');
    expect(await readText(storage, 'child/dir/k.txt')).toBe('v');
    expect(child.urlOf('k.txt')).toBe(storage.urlOf('child/dir/k.txt'));
  });
});

/** Only a file can be torn: a bucket's segment objects are written whole or not at all. */
describe('storage contract: local disk, a log file', () => {
  let local: LocalStorage;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-storage-'));
    local = new LocalStorage(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('closes a torn last line before appending (a writer killed mid-write)', async () => {
    await local.write('torn.jsonl', '{"ok":1}\n{"torn":');
    expect((await local.readLog('torn.jsonl')).text).toBe('{"ok":1}\n');
    await local.append('torn.jsonl', '{"ok":2}\n');
    expect((await local.readLog('torn.jsonl')).text.split('\n')).toEqual(['{"ok":1}', '{"torn":', '{"ok":2}', '']);
  });

  it('closes a torn line another writer left while the log was open', async () => {
    const log = await local.openLog('torn-open.jsonl');
    try {
      expect(await log.append('{"ok":1}\n')).toEqual({ from: '0', to: '9' });
      await appendFile(path.join(dir, 'torn-open.jsonl'), '{"torn":');
      expect(await log.append('{"ok":2}\n')).toEqual({ from: '17', to: '27' });
    } finally {
      await log.close();
    }
    expect((await local.readLog('torn-open.jsonl')).text.split('\n')).toEqual(['{"ok":1}', '{"torn":', '{"ok":2}', '']);
  });

  it('knows where a lone append landed', async () => {
    const at = await local.append('alone.jsonl', 'x\n');
    expect(at).toEqual({ from: '0', to: '2' });
    expect(await local.append('alone.jsonl', 'yz\n')).toEqual({ from: '2', to: '5' });
  });
});
