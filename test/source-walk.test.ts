import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { statSync, type Stats } from 'node:fs';
import { whileInMemory } from '../src/storage/while-in-memory';
import { adaptiveStat, claim, inspectPaths, LISTING_PAGE, readManifestLines, walkDirectory, walkDirectoryPages, type DirectorySource, type ListedEntry, type WalkOptions } from '../src/store/source-listing';

// Counts the directories a walk reads, to show a resumed walk skips whole subtrees before its `after`.
const directoriesRead = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = (async (dir: string, options: unknown) => {
    directoriesRead.push(dir);
    return fs.readdir(dir, options as never);
  }) as typeof fs.readdir;
  return { ...fs, readdir, default: { ...fs, readdir } };
});

/**
 * The source walk as a stream: path order, resuming after any entry, memory that does not grow
 * with the tree, and the dedupe rules that need no listing-wide state.
 */

const made: string[] = [];
async function scratch(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `docbatch-walk-${name}-`));
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** Creates files (content: their name) and directories (a trailing '/'), relative to `dir`. */
async function tree(dir: string, names: string[]): Promise<void> {
  for (const name of names) {
    const full = path.join(dir, name);
    if (name.endsWith('/')) await mkdir(full, { recursive: true });
    else {
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, name);
    }
  }
}

async function walk(dir: string, options: Partial<DirectorySource> = {}, walkOptions?: WalkOptions): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  for await (const entry of walkDirectory({ dir, include: ['**/*'], exclude: [], followSymlinks: false, ...options }, walkOptions)) entries.push(entry);
  return entries;
}

const relative = (dir: string, entries: ListedEntry[]) => entries.map((entry) => path.relative(dir, entry.path));
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('walkDirectory order and resume', () => {
  let dir: string;
  // Names that sort just before or after a directory's '/' ('-', '.', ' ' sort before it; letters and unicode after).
  const files = [
    'a/x.txt',
    'a/y/z.txt',
    'a/y-1.txt',
    'a-b/c.txt',
    'a.txt',
    'a b.txt',
    'a0.txt',
    'x.pdf/inner.txt',
    'x.pdf.bak',
    'x.pdf-2/deep/er/file.txt',
    'x.pdf 3.txt',
    'é/ü.txt',
    'é.txt',
    'Z.txt',
    '😀.txt',
    'ﬀ.txt',
    'z/z/z/z.txt',
    'hard-1.txt',
  ];

  beforeAll(async () => {
    dir = await scratch('order');
    await tree(dir, files);
    await link(path.join(dir, 'hard-1.txt'), path.join(dir, 'z', 'hard-2.txt'));
    await mkdir(path.join(dir, 'empty'));
    execFileSync('mkfifo', [path.join(dir, 'a-pipe.pdf')]);
    await symlink('nowhere.txt', path.join(dir, 'x.pdf-dangling.txt'));
  });

  it('yields every entry once, in the string order of the full paths', async () => {
    const entries = await walk(dir);
    const paths = entries.map((entry) => entry.path);
    expect(paths).toEqual([...paths].sort(byString));
    expect(new Set(paths).size).toBe(paths.length);
    const expected = [...files, 'a-pipe.pdf', 'x.pdf', 'x.pdf-dangling.txt'];
    expect(relative(dir, entries).sort(byString)).toEqual(expected.sort(byString));
    const problems = Object.fromEntries(entries.filter((entry) => entry.problem).map((entry) => [path.relative(dir, entry.path), entry.problem!.type]));
    expect(problems).toEqual({ 'a-pipe.pdf': 'unsupported_type', 'x.pdf': 'unsupported_type', 'x.pdf-dangling.txt': 'not_found' });
  });

  it('resumes exactly after any entry: documents, problems, entries inside nested directories', async () => {
    const full = await walk(dir);
    for (let at = 0; at < full.length; at++) {
      // With the dedupe memory of the entries before (hard-2.txt is hard-1.txt), as a resuming caller passes it.
      const seen = new Set<string>();
      await collectSeen(dir, undefined, full[at]!.path, seen);
      expect({ after: full[at]!.path, rest: await walk(dir, {}, { after: full[at]!.path, seen }) }).toEqual({ after: full[at]!.path, rest: full.slice(at + 1) });
    }
    // Paths that are no entry: before the first, after the last (UTF-16 order: '😀' sorts before 'ﬀ'), inside a directory, at a directory's contents.
    expect(await walk(dir, {}, { after: dir })).toEqual(full);
    expect(await walk(dir, {}, { after: path.join(dir, '\uFFFF') })).toEqual([]);
    expect(await walk(dir, {}, { after: path.join(dir, 'a', 'y', 'a') }).then((rest) => rest.filter((entry) => !entry.path.endsWith('hard-2.txt')))).toEqual(full.filter((entry) => entry.path > path.join(dir, 'a', 'y', 'a')));
    expect(await walk(dir, {}, { after: path.join(dir, 'a') + '/' }).then((rest) => rest.filter((entry) => !entry.path.endsWith('hard-2.txt')))).toEqual(full.filter((entry) => entry.path > path.join(dir, 'a') + '/'));
  });

  it('reads only the directories on the resume path and after it', async () => {
    directoriesRead.length = 0;
    // No `seen` passed: z/hard-2.txt is listed, as the slice with hard-1.txt is not known to this walk.
    const rest = await walk(dir, {}, { after: path.join(dir, 'x.pdf-2', 'deep', 'er', 'file.txt') });
    expect(relative(dir, rest)).toEqual(['x.pdf-dangling.txt', 'x.pdf.bak', 'x.pdf/inner.txt', 'z/hard-2.txt', 'z/z/z/z.txt', 'é.txt', 'é/ü.txt', '😀.txt', 'ﬀ.txt']);
    expect(directoriesRead.map((read) => path.relative(dir, read))).toEqual(['', 'x.pdf-2', 'x.pdf-2/deep', 'x.pdf-2/deep/er', 'x.pdf', 'z', 'z/z', 'z/z/z', 'é']);
  });

  it('lists in three resumed slices what one listing lists, hard links once across the slices', async () => {
    const full = await walk(dir);
    const cuts = [path.join(dir, 'a-pipe.pdf'), path.join(dir, 'x.pdf-2', 'deep', 'er', 'file.txt')];
    expect(cuts.every((cut) => full.some((entry) => entry.path === cut))).toBe(true);
    const seen = new Set<string>();
    const slices: ListedEntry[][] = [];
    for (const [from, to] of [
      [undefined, cuts[0]],
      [cuts[0], cuts[1]],
      [cuts[1], undefined],
    ] as const) {
      const slice: ListedEntry[] = [];
      // `seen` as a planning activity would store it with the slice it wrote, and pass back to the next.
      for await (const entry of walkDirectory({ dir, include: ['**/*'], exclude: [], followSymlinks: false }, { after: from, seen })) {
        slice.push(entry);
        if (entry.path === to) break;
      }
      slices.push(slice);
    }
    expect(slices.flat()).toEqual(full);
    expect(relative(dir, full)).toContain('hard-1.txt');
    expect(relative(dir, full)).not.toContain('z/hard-2.txt');
  });
});

/** The `seen` of a slice from `from` to `to`, as the walk fills it. */
async function collectSeen(dir: string, from: string | undefined, to: string | undefined, seen: Set<string>, followSymlinks = false): Promise<void> {
  for await (const entry of walkDirectory({ dir, include: ['**/*'], exclude: [], followSymlinks }, { after: from, seen })) if (entry.path === to) break;
}

describe('walkDirectory dedupe rules', () => {
  let dir: string;
  let outside: string;

  beforeAll(async () => {
    dir = await scratch('links');
    outside = await scratch('links-outside');
    await tree(dir, ['real.txt', 'sub/nested.txt', '.hidden/secret.txt', 'skipped/kept.txt']);
    await tree(outside, ['out.txt', 'sub/deeper.txt']);
    await symlink('real.txt', path.join(dir, 'alias.txt'));
    await symlink(path.join(outside, 'out.txt'), path.join(dir, 'out-link.txt'));
    await symlink('.hidden/secret.txt', path.join(dir, 'to-hidden.txt'));
    await symlink('skipped/kept.txt', path.join(dir, 'to-excluded.txt'));
    await symlink('sub', path.join(dir, 'sub-link'));
    await symlink(outside, path.join(dir, 'outside-link'));
    await symlink(outside, path.join(dir, 'outside-link-2'));
    await symlink('..', path.join(outside, 'sub', 'up'));
  });

  it('skips a link to a file the walk lists itself, and lists one that leads out of the source or to what it leaves out', async () => {
    const entries = await walk(dir, { exclude: ['skipped/**'] });
    expect(relative(dir, entries)).toEqual(['out-link.txt', 'outside-link', 'outside-link-2', 'real.txt', 'sub-link', 'sub/nested.txt', 'to-excluded.txt', 'to-hidden.txt']);
    expect(entries.find((entry) => entry.path.endsWith('sub-link'))?.problem?.message).toMatch(/not followed/);
  });

  it('follows links to directories out of the source, each directory once (the first in path order), and skips links into it', async () => {
    const entries = await walk(dir, { followSymlinks: true });
    expect(relative(dir, entries)).toEqual(['out-link.txt', 'outside-link-2/out.txt', 'outside-link-2/sub/deeper.txt', 'real.txt', 'skipped/kept.txt', 'sub/nested.txt', 'to-hidden.txt']);
    // Resumed inside the followed directory, with the dedupe memory of the slice before.
    const seen = new Set<string>();
    await collectSeen(dir, undefined, path.join(dir, 'outside-link-2', 'out.txt'), seen, true);
    expect(relative(dir, await walk(dir, { followSymlinks: true }, { after: path.join(dir, 'outside-link-2', 'out.txt'), seen }))).toEqual(relative(dir, entries).slice(2));
  });
});

describe('hard-link memory', () => {
  it('is bounded: past the limit the oldest hard link is forgotten, directories never are', () => {
    const seen = new Set<string>(['dir:1:2']);
    for (const inode of [10, 11, 12]) expect(claim(seen, `file:1:${inode}`, 3)).toBe(true);
    expect(claim(seen, 'file:1:12', 3)).toBe(false);
    expect(claim(seen, 'file:1:13', 3)).toBe(true);
    expect([...seen]).toEqual(['dir:1:2', 'file:1:12', 'file:1:13']);
    // Forgotten: its twin would now be listed again.
    expect(claim(seen, 'file:1:10', 3)).toBe(true);
  });
});

describe('manifest sources as streams', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await scratch('manifest');
    await tree(dir, ['a.txt', 'b.txt', 'c.txt']);
    await link(path.join(dir, 'a.txt'), path.join(dir, 'a-again.txt'));
    await symlink('a.txt', path.join(dir, 'a-alias.txt'));
    await writeFile(
      path.join(dir, 'list.txt'),
      ['# documents', 'a.txt', '', '  b.txt  ', 'b.txt', `${path.join(dir, 'c.txt')}\r`, JSON.stringify({ index: 0, path: 'a-again.txt', sizeBytes: 5 }), '{not json', JSON.stringify({ path: 7 }), '{}', 'a-alias.txt', 'c.txt'].join('\n'),
    );
  });

  it('reads the paths of a manifest line by line, resuming after a line', async () => {
    const lines: { line: number; path: string }[] = [];
    for await (const named of readManifestLines(path.join(dir, 'list.txt'))) lines.push(named);
    expect(lines.map(({ line, path: file }) => [line, path.relative(dir, file)])).toEqual([
      [2, 'a.txt'],
      [4, 'b.txt'],
      [5, 'b.txt'],
      [6, 'c.txt'],
      [7, 'a-again.txt'],
      [8, '{not json'],
      [9, '7'],
      [11, 'a-alias.txt'],
      [12, 'c.txt'],
    ]);
    const resumed: number[] = [];
    for await (const { line } of readManifestLines(path.join(dir, 'list.txt'), { afterLine: 7 })) resumed.push(line);
    expect(resumed).toEqual([8, 9, 11, 12]);
  });

  it('stats the named paths in order: consecutive repeats and hard links once, missing files by name', async () => {
    const entries: (ListedEntry & { line: number })[] = [];
    for await (const entry of inspectPaths(readManifestLines(path.join(dir, 'list.txt')))) entries.push(entry);
    expect(entries.map((entry) => [entry.line, path.relative(dir, entry.path), entry.problem?.type ?? 'document'])).toEqual([
      [2, 'a.txt', 'document'],
      [4, 'b.txt', 'document'],
      [6, 'c.txt', 'document'],
      [8, '{not json', 'not_found'],
      [9, '7', 'not_found'],
      // c.txt again, not on the next line: listed again (the bounded dedupe).
      [12, 'c.txt', 'document'],
    ]);
  });
});

describe('the listing stat', () => {
  /** A synchronous stat that takes `ms` on the listing's clock (a cold disk, a network mount), or `ms(call)` for its nth call, counting its calls. */
  const timedStat = (ms: number | ((call: number) => number)) => {
    const calls = { now: 0, later: 0 };
    let clock = 0;
    const statNow = (file: string): Stats => {
      calls.now++;
      clock += typeof ms === 'number' ? ms : ms(calls.now);
      return statSync(file);
    };
    const statLater = (file: string) => {
      calls.later++;
      return Promise.resolve(statSync(file));
    };
    return { calls, statFile: adaptiveStat(statNow, statLater, () => clock) };
  };
  const here = import.meta.filename;

  it('stays synchronous while the filesystem answers from memory', async () => {
    const { calls, statFile } = timedStat(0.01);
    for (let i = 0; i < 200; i++) await statFile(here);
    expect(calls).toEqual({ now: 200, later: 0 });
  });

  it('moves to the thread pool for good after one window of slow stats', async () => {
    const { calls, statFile } = timedStat(0.5);
    for (let i = 0; i < 200; i++) await statFile(here);
    expect(calls).toEqual({ now: 64, later: 136 });
  });

  it("moves at once when a window's stats spent the budget, so a slow mount holds the event loop for 100 ms at most", async () => {
    const { calls, statFile } = timedStat(20);
    for (let i = 0; i < 10; i++) await statFile(here);
    expect(calls).toEqual({ now: 5, later: 5 });
  });

  it('moves at once after one call that took the whole budget (a mount that downloads each file)', async () => {
    const { calls, statFile } = timedStat(2_000);
    for (let i = 0; i < 5; i++) await statFile(here);
    expect(calls).toEqual({ now: 1, later: 4 });
  });

  it('forgives stats preempted now and then: the median decides, and each window starts with the whole budget', async () => {
    // Every 8th stat is preempted for 8 ms (64 ms a window); the rest take 0.01 ms.
    const { calls, statFile } = timedStat((call) => (call % 8 === 0 ? 8 : 0.01));
    for (let i = 0; i < 640; i++) await statFile(here);
    expect(calls).toEqual({ now: 640, later: 0 });
  });

  it('answers a call made synchronously with its value, not a promise, and fails it by throwing', async () => {
    const { statFile } = timedStat(0.01);
    const answer = statFile(here);
    expect(answer).not.toBeInstanceOf(Promise);
    expect((answer as Stats).isFile()).toBe(true);
    expect(() => statFile(path.join(path.dirname(here), 'no-such-file.txt'))).toThrow(/ENOENT/);
    // Once asynchronous, a promise either way.
    const slow = timedStat(2_000);
    await slow.statFile(here);
    expect(slow.statFile(here)).toBeInstanceOf(Promise);
  });

  it('makes a call the synchronous side declines (a large file) asynchronously, and counts it towards no window', async () => {
    const calls: string[] = [];
    let clock = 0;
    const read = whileInMemory(
      (size: number) => {
        calls.push('now');
        clock += 0.5;
        return size > 100 ? undefined : size;
      },
      (size: number) => {
        calls.push('later');
        return Promise.resolve(-size);
      },
      () => clock,
    );
    expect(await read(10)).toBe(10);
    expect(await read(1000)).toBe(-1000);
    expect(calls).toEqual(['now', 'now', 'later']);
    // Slow calls all along: after a window of them every call is made later.
    for (let i = 0; i < 62; i++) await read(10);
    calls.length = 0;
    expect(await read(10)).toBe(-10);
    expect(calls).toEqual(['later']);
  });
});

describe('walkDirectoryPages', () => {
  it('hands on what walkDirectory yields, in order, in pages of at most LISTING_PAGE, none empty, hard links once', async () => {
    const dir = await scratch('pages');
    // Pages fill across directories and end inside one; problems and a hard link's second path fall mid-page.
    const names = [...Array.from({ length: 70 }, (_, i) => `a/${String(i).padStart(3, '0')}.txt`), ...Array.from({ length: 5 }, (_, i) => `b/${i}.txt`), 'c.txt'];
    await tree(dir, names);
    await link(path.join(dir, 'a', '010.txt'), path.join(dir, 'b', 'twin.txt'));
    execFileSync('mkfifo', [path.join(dir, 'b', 'pipe.pdf')]);
    const pages: ListedEntry[][] = [];
    for await (const page of walkDirectoryPages({ dir, include: ['**/*'], exclude: [], followSymlinks: false })) pages.push(page);
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) expect(page.length).toBeGreaterThan(0);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(LISTING_PAGE);
    const flat = await walk(dir);
    expect(pages.flat()).toEqual(flat);
    expect(flat).toHaveLength(names.length + 1);
    expect(relative(dir, flat)).not.toContain('b/twin.txt');
  });
});

describe('walkDirectory memory', () => {
  it('streams 200,000 files with the heap bounded', async () => {
    const dir = await scratch('memory');
    // One flat directory of 50,000 files and 150 directories of 1,000.
    const folders = [{ sub: 'flat', count: 50_000 }, ...Array.from({ length: 150 }, (_, i) => ({ sub: path.join('nested', `d${String(i).padStart(3, '0')}`), count: 1000 }))];
    for (const { sub, count } of folders) {
      await mkdir(path.join(dir, sub), { recursive: true });
      for (let from = 0; from < count; from += 1000) {
        await Promise.all(Array.from({ length: Math.min(1000, count - from) }, (_, i) => writeFile(path.join(dir, sub, `file-${from + i}.txt`), 'x')));
      }
    }
    let count = 0;
    let peak = 0;
    let previous = '';
    for await (const entry of walkDirectory({ dir, include: ['**/*'], exclude: [], followSymlinks: false })) {
      if (entry.path <= previous) throw new Error(`out of order: ${entry.path} after ${previous}`);
      previous = entry.path;
      if (++count % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(count).toBe(200_000);
    expect(peak / 2 ** 20).toBeLessThan(150);
  }, 600_000);
});
