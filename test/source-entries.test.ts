import { execFileSync } from 'node:child_process';
import { chmod, link, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../src/store/document-result';
import { listSource } from '../src/store/manifest';
import type { BatchSummary } from '../src/batch/summary';
import { readJsonLines, samplesDir, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';

/**
 * Every entry of a source is accounted for: special files, broken links, loops, directories named
 * like documents and entries the worker may not read each end up as a failed document with its
 * reason; a file reachable by two paths is one document; nothing but regular files is ever opened.
 */

// Root reads files and lists directories whatever their mode: the chmod 000 entries are then plain documents.
const isRoot = process.getuid?.() === 0;

interface Corpus {
  dir: string;
  outside: string;
  close: () => Promise<void>;
}

/** Builds the source; paths are relative to it. */
async function specialCorpus(): Promise<Corpus> {
  const dir = await tempDir('special');
  const outside = await tempDir('special-outside');
  const sample = (await readdir(samplesDir)).find((name) => name.startsWith('invoice-') && name.endsWith('.txt'))!;
  const invoice = await readFile(path.join(samplesDir, sample), 'utf8');
  const put = (name: string, note: string) => writeFile(path.join(dir, name), `${invoice}\nNote: ${note}\n`);

  await put('ok.txt', 'ok');
  await link(path.join(dir, 'ok.txt'), path.join(dir, 'hardlink.txt'));
  await symlink('ok.txt', path.join(dir, 'alias.txt'));
  for (const name of ['with space.txt', 'new\nline.txt', '-leading-dash.txt', 'façture-ü €.txt']) await put(name, name);
  await symlink('missing-target.pdf', path.join(dir, 'dangling.pdf'));
  execFileSync('mkfifo', [path.join(dir, 'pipe.pdf')]);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock.pdf'), resolve));
  await symlink('/dev/null', path.join(dir, 'null.txt'));
  await symlink('loop-b.pdf', path.join(dir, 'loop-a.pdf'));
  await symlink('loop-a.pdf', path.join(dir, 'loop-b.pdf'));
  await mkdir(path.join(dir, 'sub'));
  await writeFile(path.join(dir, 'sub', 'nested.txt'), `${invoice}\nNote: nested\n`);
  await symlink('..', path.join(dir, 'sub', 'parent'));
  await mkdir(path.join(dir, 'x.pdf'));
  await writeFile(path.join(dir, 'x.pdf', 'inner.txt'), `${invoice}\nNote: inner\n`);
  await put('unreadable.txt', 'unreadable');
  await chmod(path.join(dir, 'unreadable.txt'), 0o000);
  await mkdir(path.join(dir, 'locked'));
  await writeFile(path.join(dir, 'locked', 'a.txt'), `${invoice}\nNote: locked\n`);
  await chmod(path.join(dir, 'locked'), 0o000);
  await writeFile(path.join(outside, 'outside.txt'), `${invoice}\nNote: outside\n`);
  await symlink(outside, path.join(dir, 'linked-dir'));
  await symlink(outside, path.join(outside, 'self'));
  return {
    dir,
    outside,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await chmod(path.join(dir, 'locked'), 0o755);
    },
  };
}

type Outcome = 'document' | `failed:${string}`;

/** What each entry must become with the default options (symlinked directories not followed). */
function expectedOutcomes(): Record<string, { outcome: Outcome; message?: RegExp }> {
  return {
    'hardlink.txt': { outcome: 'document' }, // ok.txt, hardlink.txt and alias.txt are one file: the link-free path that sorts first
    'with space.txt': { outcome: 'document' },
    'new\nline.txt': { outcome: 'document' },
    '-leading-dash.txt': { outcome: 'document' },
    'façture-ü €.txt': { outcome: 'document' },
    'dangling.pdf': { outcome: 'failed:not_found', message: /symbolic link to missing-target\.pdf, which does not exist/ },
    'pipe.pdf': { outcome: 'failed:unsupported_type', message: /FIFO/ },
    'sock.pdf': { outcome: 'failed:unsupported_type', message: /socket/ },
    'null.txt': { outcome: 'failed:unsupported_type', message: /character device/ },
    'loop-a.pdf': { outcome: 'failed:unreadable', message: /loops/ },
    'loop-b.pdf': { outcome: 'failed:unreadable', message: /loops/ },
    'sub/nested.txt': { outcome: 'document' },
    'sub/parent': { outcome: 'failed:unsupported_type', message: /symbolic link to the directory \.\., not followed: pass --follow-symlinks/ },
    'x.pdf': { outcome: 'failed:unsupported_type', message: /directory named like a document/ },
    'x.pdf/inner.txt': { outcome: 'document' },
    'linked-dir': { outcome: 'failed:unsupported_type', message: /not followed/ },
    ...(isRoot
      ? { 'unreadable.txt': { outcome: 'document' as const }, 'locked/a.txt': { outcome: 'document' as const } }
      : {
          'unreadable.txt': { outcome: 'failed:unreadable' as const, message: /permission denied/ },
          locked: { outcome: 'failed:unreadable' as const, message: /cannot be listed \(permission denied\)/ },
        }),
  };
}

describe('listing a source with special entries', () => {
  let corpus: Corpus;
  beforeAll(async () => (corpus = await specialCorpus()));
  afterAll(async () => corpus?.close());

  it('lists each entry once, as a document or with its problem', async () => {
    const entries = await listSource({ dir: corpus.dir, include: ['**/*'], exclude: [], followSymlinks: false }, 'path');
    const listed = Object.fromEntries(
      entries.map((entry) => [path.relative(corpus.dir, entry.path), { outcome: entry.problem ? `failed:${entry.problem.type}` : 'document', message: entry.problem?.message }]),
    );
    const expected = expectedOutcomes();
    expect(Object.keys(listed).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, { outcome, message }] of Object.entries(expected)) {
      expect({ name, outcome: listed[name]!.outcome }).toEqual({ name, outcome });
      if (message) expect(listed[name]!.message).toMatch(message);
      if (message) expect(listed[name]!.message).toContain(path.join(corpus.dir, name));
    }
    expect(entries.map((entry) => entry.index)).toEqual(entries.map((_, i) => i));
  });

  it('follows symlinked directories when asked, each directory once, so loops and links to a parent add nothing twice', async () => {
    const entries = await listSource({ dir: corpus.dir, include: ['**/*.txt'], exclude: ['locked/**', '**/unreadable.txt'], followSymlinks: true }, 'path');
    const documents = entries.filter((entry) => !entry.problem).map((entry) => path.relative(corpus.dir, entry.path));
    expect(documents.sort()).toEqual(
      ['-leading-dash.txt', 'façture-ü €.txt', 'hardlink.txt', 'linked-dir/outside.txt', 'new\nline.txt', 'sub/nested.txt', 'with space.txt', 'x.pdf/inner.txt'].sort(),
    );
    // Only entries the patterns match are reported: here the link to /dev/null.
    expect(entries.filter((entry) => entry.problem).map((entry) => path.relative(corpus.dir, entry.path))).toEqual(['null.txt']);
  });

  it('keeps one document per file of a manifest source, and reports the special entries it names', async () => {
    const manifest = path.join(corpus.outside, 'list.txt');
    await writeFile(manifest, ['ok.txt', 'alias.txt', 'pipe.pdf', 'x.pdf', 'dangling.pdf'].map((name) => path.join(corpus.dir, name)).join('\n'));
    const entries = await listSource({ manifest }, 'path');
    const outcome = (name: string) => entries.find((entry) => entry.path === path.join(corpus.dir, name))?.problem?.type ?? 'document';
    expect(entries).toHaveLength(4);
    expect(outcome('ok.txt')).toBe('document');
    expect(entries.some((entry) => entry.path.endsWith('alias.txt'))).toBe(false);
    expect([outcome('pipe.pdf'), outcome('x.pdf'), outcome('dangling.pdf')]).toEqual(['unsupported_type', 'unsupported_type', 'not_found']);
  });
});

describe('a batch over a source with special entries', () => {
  const taskQueue = uniqueId('special');
  let corpus: Corpus;
  let stop: () => Promise<void>;
  let summary: BatchSummary;
  let results: DocumentResult[];

  beforeAll(async () => {
    corpus = await specialCorpus();
    ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
    const handle = await startBatch(await testClient(), taskQueue, uniqueId('special'), {
      source: { dir: corpus.dir },
      outputDir: await tempDir('special-out'),
      chunkSize: 4,
      concurrency: 2,
      extractor: 'local',
    });
    summary = await handle.result();
    results = await readJsonLines<DocumentResult>(summary.files.results);
  }, 180_000);
  afterAll(async () => {
    await stop?.();
    await corpus?.close();
  });

  it('completes with every entry in results.jsonl exactly once, with its expected outcome', () => {
    expect(summary.state).toBe('completed');
    const expected = expectedOutcomes();
    const byName = new Map(results.map((result) => [path.relative(corpus.dir, result.path), result]));
    expect(results).toHaveLength(byName.size);
    expect([...byName.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, { outcome, message }] of Object.entries(expected)) {
      const result = byName.get(name)!;
      if (outcome === 'document') expect({ name, status: result.status, error: result.error }).toEqual({ name, status: 'succeeded', error: null });
      else expect({ name, status: result.status, type: result.error?.type }).toEqual({ name, status: 'failed', type: outcome.slice('failed:'.length) });
      if (message) expect(result.error?.message).toMatch(message);
    }
    expect(summary.failed).toBe(Object.values(expected).filter(({ outcome }) => outcome !== 'document').length);
  });
});
