/**
 * `npm run bench:chunk-cpu`: the main thread's CPU per document of one chunk activity, without a
 * server, a workflow or a listing in the way, against the plain loop's per-document work on the
 * same documents. The chunk runs in Temporal's MockActivityEnvironment (the real activity Context
 * and its async hooks), with the zero-latency extractor; the loop is bench/scale-baseline.ts's
 * body (load, extract, one JSON line appended) under the same kind of context. Rounds alternate
 * and the median is kept: this is where a change to the per-document path shows, within a few µs,
 * when a whole batch's wall time is too noisy to show it. Each path runs in its own child
 * processes (three each, alternating), so one path's garbage and V8's helper threads are not
 * counted on the other's time.
 *
 *   npm run bench:chunk-cpu                       # 500 documents a chunk, 30 rounds a child
 *   npm run bench:chunk-cpu -- --documents 100 --rounds 80
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';
import { MockActivityEnvironment } from '@temporalio/testing';
import { extractChunk } from '../src/activities/extract-chunk';
import { batchInputSchema } from '../src/batch/input';
import { writeManifest } from '../src/store/manifest';
import { extractAllInALoop } from './baseline-loop';
import { benchDocuments } from './documents';
import { createZeroLatencyExtractor } from './zero-latency-extractor';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = argv.indexOf(name);
  return at === -1 ? fallback : Number(argv[at + 1]);
};
const documents = flag('--documents', 500);
const rounds = flag('--rounds', 30);
const inFlight = 64;

const caseKind = argv[argv.indexOf('--case') + 1];
if (argv.includes('--case')) {
  console.log(JSON.stringify({ kind: caseKind, perDocument: await measure(caseKind === 'chunk' ? 'chunk' : 'loop') }));
} else {
  // Each path in its own child process, alternating: one path's garbage and helper threads do not land on the other's time.
  const self = fileURLToPath(import.meta.url);
  const run = (kind: string) =>
    (JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, '--case', kind, '--documents', String(documents), '--rounds', String(rounds)], { encoding: 'utf8' }).trim().split('\n').at(-1)!) as { perDocument: number[] }).perDocument;
  const perDocument = { chunk: [] as number[], loop: [] as number[] };
  for (let child = 0; child < 3; child++) {
    perDocument.chunk.push(...run('chunk'));
    perDocument.loop.push(...run('loop'));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rows = [
    ['extractChunk (activity context)', median(perDocument.chunk), Math.min(...perDocument.chunk)],
    ['plain loop (baseline, for scale)', median(perDocument.loop), Math.min(...perDocument.loop)],
  ] as const;
  console.log(`${documents} documents a round, ${rounds} rounds in each of 3 children per path; CPU of the process per document`);
  console.log('| path | median µs | fastest µs |\n|:--|--:|--:|');
  for (const [name, mid, fastest] of rows) console.log(`| ${name} | ${mid.toFixed(1)} | ${fastest.toFixed(1)} |`);
  // No ratio: rounds of 500 documents are too short for the loop (a write stream and a p-limit per round) to reach its steady pace; compare a path with itself across commits.
  const out = path.resolve('bench/results/latest-chunk-cpu.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ startedAt: new Date().toISOString(), cores: os.cpus().length, loadAverage: os.loadavg(), documents, rounds, perDocument }, null, 2)}\n`);
  console.log(`written ${out}`);
}

/** `rounds` rounds of one path on the same documents, after one untimed round; µs of CPU per document each. */
async function measure(kind: 'chunk' | 'loop'): Promise<number[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'docbatch-bench-chunk-cpu-'));
  try {
    const sourceDir = await benchDocuments(path.join(work, 'docs'), documents, () => undefined);
    const files = (await glob(['**/*'], { cwd: sourceDir, absolute: true, onlyFiles: true })).sort();
    const extractor = createZeroLatencyExtractor(inFlight);
    const settings = batchInputSchema.parse({ source: { dir: sourceDir } });

    /** One chunk attempt on a fresh journal. */
    const chunk = async (round: number) => {
      const batchDir = path.join(work, 'batches', String(round));
      await writeManifest(
        batchDir,
        files.map((file, index) => ({ index, path: file, sizeBytes: 100 })),
        documents,
      );
      const input = { batchId: 'bench', batchDir, chunkIndex: 0, chunkSize: documents, settings: { schema: settings.schema, extractor: 'local' as const, models: settings.models, cache: false } };
      return cpuPerDocument(() => new MockActivityEnvironment().run(extractChunk, { extractorFor: () => extractor, resultCache: null, now: () => Date.now() }, input));
    };

    /** The baseline's per-document work (bench/baseline-loop.ts), in an async context as the chunk's is. */
    const loop = (round: number) => cpuPerDocument(() => new AsyncLocalStorage().run({}, () => extractAllInALoop(files, extractor, path.join(work, `loop-${round}.jsonl`), inFlight)));

    const roundOf = kind === 'chunk' ? chunk : loop;
    await roundOf(0);
    const perDocument: number[] = [];
    for (let round = 1; round <= rounds; round++) perDocument.push(await roundOf(round));
    return perDocument;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function cpuPerDocument(run: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / documents;
}
