/**
 * `npm run bench:listing`: time and peak RSS of listing a large source with docbatch's walk
 * (src/store/source-listing.ts: every entry accounted for, one stat + access per file, 64 in flight)
 * beside the tinyglobby listing it replaced (glob + a bounded stat per file), each in a fresh child,
 * alternating for three rounds; the table shows the fastest of each.
 *
 *   npm run bench:listing                     # 100,000 files in 100 folders
 *   npm run bench:listing -- --files 20000
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';
import { listSource } from '../src/store/manifest';
import { mapBounded, STATS_IN_FLIGHT } from '../src/store/source-listing';

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
  let entries: number;
  if (kind === 'walk') {
    entries = (await listSource({ dir, include: ['**/*'], exclude: [], followSymlinks: false }, 'path')).length;
  } else {
    const paths = await glob(['**/*'], { cwd: dir, absolute: true, onlyFiles: true, dot: false });
    entries = (await mapBounded(paths, STATS_IN_FLIGHT, async (file) => (await stat(file)).size)).length;
  }
  console.log(JSON.stringify({ kind, entries, seconds: (performance.now() - started) / 1000, peakRssMb: await peakRssMb() }));
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
  const dir = await source(files);
  const self = fileURLToPath(import.meta.url);
  const run = (kind: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, '--case', kind, '--dir', dir], { encoding: 'utf8' }).trim().split('\n').at(-1)!) as {
      kind: string;
      entries: number;
      seconds: number;
      peakRssMb: number;
    };
  // Alternating, three rounds, the fastest of each kept: a loaded machine's I/O latency varies run to run.
  const rounds = Array.from({ length: 3 }, () => [run('tinyglobby'), run('walk')]).flat();
  const best = (kind: string) => rounds.filter((r) => r.kind === kind).sort((a, b) => a.seconds - b.seconds)[0]!;
  const results = [best('tinyglobby'), best('walk')];
  const header = ['listing', 'entries', 'seconds', 'peak RSS MB'];
  const rows = results.map((r) => [r.kind === 'walk' ? 'docbatch walk' : 'tinyglobby + stat (baseline)', String(r.entries), r.seconds.toFixed(2), r.peakRssMb.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log([header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n'));
  const report = { startedAt: new Date().toISOString(), cores: os.cpus().length, loadAverage: os.loadavg(), files, results, rounds };
  const out = path.resolve('bench/results/latest-listing.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report));
  console.log(`written ${out}`);
}
