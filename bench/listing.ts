/**
 * `npm run bench:listing`: time to the first entry, total time and peak RSS of listing a large
 * source three ways, each in a fresh child, alternating for three rounds; the table shows the
 * fastest of each:
 * - stream: docbatch's walk as planning consumes it (walkDirectory: entries in path order as found,
 *   every entry accounted for, one stat per file, 64 in flight), counted and dropped;
 * - walk: the same walk collected and sorted into manifest entries (listSource), the array callers;
 * - tinyglobby + stat: the listing the walk replaced (glob, then a bounded stat per file);
 * - planning: the planning activity's whole listing (planBatch: the walk a page at a time, the chunk
 *   size, the manifest's parts written), inside an AsyncLocalStorage context as an activity runs in
 *   a worker: its async hooks make each promise dearer, as they do there.
 *
 *   npm run bench:listing                     # 100,000 files in 100 folders
 *   npm run bench:listing -- --files 1000000  # 1,000 folders; generated once under the temp dir
 *   npm run bench:listing -- --files 20000 --rounds 1
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';
import { planBatch } from '../src/activities/plan-batch';
import { batchInputSchema } from '../src/batch/input';
import { listSource } from '../src/store/manifest';
import { mapBounded, STATS_IN_FLIGHT, walkDirectory } from '../src/store/source-listing';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
};

async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** One case in this (child) process: prints one JSON line. */
async function measure(kind: string, dir: string): Promise<void> {
  const started = performance.now();
  let entries = 0;
  let firstEntry: number | undefined;
  if (kind === 'stream') {
    for await (const _entry of walkDirectory({ dir, include: ['**/*'], exclude: [], followSymlinks: false })) {
      if (entries++ === 0) firstEntry = (performance.now() - started) / 1000;
    }
  } else if (kind === 'planning') {
    const outputDir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-bench-planning-'));
    const input = batchInputSchema.parse({ source: { dir }, outputDir, extractor: 'local' });
    try {
      entries = (await new AsyncLocalStorage().run({}, () => planBatch({ hasAnthropicKey: () => false }, { batchId: 'bench-planning', input }))).total;
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
  } else if (kind === 'walk') {
    entries = (await listSource({ dir, include: ['**/*'], exclude: [], followSymlinks: false }, 'path')).length;
  } else {
    const paths = await glob(['**/*'], { cwd: dir, absolute: true, onlyFiles: true, dot: false });
    entries = (await mapBounded(paths, STATS_IN_FLIGHT, async (file) => (await stat(file)).size)).length;
  }
  const seconds = (performance.now() - started) / 1000;
  // An array listing hands over its first entry when it ends.
  console.log(JSON.stringify({ kind, entries, firstEntrySeconds: firstEntry ?? seconds, seconds, peakRssMb: await peakRssMb() }));
}

async function source(files: number): Promise<string> {
  const dir = path.join(os.tmpdir(), 'docbatch-bench-listing', `n${files}`);
  if (existsSync(`${dir}.ready`)) return dir;
  for (let folder = 0; folder * 1000 < files; folder++) {
    const sub = path.join(dir, `folder-${String(folder).padStart(3, '0')}`);
    await mkdir(sub, { recursive: true });
    const count = Math.min(1000, files - folder * 1000);
    await Promise.all(Array.from({ length: count }, (_, i) => writeFile(path.join(sub, `invoice-${String(i).padStart(4, '0')}.txt`), `Invoice ${folder}-${i}\n`)));
  }
  await writeFile(`${dir}.ready`, '');
  return dir;
}

const caseKind = flag('--case');
if (caseKind) {
  await measure(caseKind, flag('--dir')!);
} else {
  const files = Number(flag('--files') ?? 100_000);
  const roundCount = Number(flag('--rounds') ?? 3);
  const dir = await source(files);
  const self = fileURLToPath(import.meta.url);
  const run = (kind: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, '--case', kind, '--dir', dir], { encoding: 'utf8' }).trim().split('\n').at(-1)!) as {
      kind: string;
      entries: number;
      firstEntrySeconds: number;
      seconds: number;
      peakRssMb: number;
    };
  // Alternating rounds (three by default), the fastest of each kept: a loaded machine's I/O latency varies run to run.
  const rounds = Array.from({ length: roundCount }, () => [run('tinyglobby'), run('walk'), run('stream'), run('planning')]).flat();
  const best = (kind: string) => rounds.filter((r) => r.kind === kind).sort((a, b) => a.seconds - b.seconds)[0]!;
  const results = [best('tinyglobby'), best('walk'), best('stream'), best('planning')];
  const labels: Record<string, string> = {
    tinyglobby: 'tinyglobby + stat (baseline)',
    walk: 'docbatch walk, collected + sorted',
    stream: 'docbatch walk, streamed',
    planning: 'planning: walk + manifest parts, in an activity context',
  };
  const header = ['listing', 'entries', 'first entry s', 'seconds', 'peak RSS MB'];
  const rows = results.map((r) => [labels[r.kind]!, String(r.entries), r.firstEntrySeconds.toFixed(2), r.seconds.toFixed(2), r.peakRssMb.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log([header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n'));
  const report = { startedAt: new Date().toISOString(), cores: os.cpus().length, loadAverage: os.loadavg(), files, results, rounds };
  const out = path.resolve('bench/results/latest-listing.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report));
  console.log(`written ${out}`);
}
