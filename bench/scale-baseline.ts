/**
 * The baseline people would write instead of docbatch: list the folder, then a p-limit loop that
 * loads each document, calls the same zero-latency extractor and appends its result to one JSONL
 * file. No Temporal, no checkpoints, no retries. Run as a child process (its peak RSS is its own);
 * prints one JSON line: { documents, succeeded, wallMs, listingMs, cpuMs, peakRssBytes }.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import pLimit from 'p-limit';
import { glob } from 'tinyglobby';
import { loadDocument } from '../src/extraction/document';
import { invoiceSchema } from '../src/extraction/schemas/invoice';
import { createZeroLatencyExtractor } from './zero-latency-extractor';

const { BENCH_SOURCE_DIR, BENCH_RESULTS_FILE, BENCH_CONCURRENCY } = process.env;
if (!BENCH_SOURCE_DIR || !BENCH_RESULTS_FILE || !BENCH_CONCURRENCY) {
  throw new Error('bench/scale-baseline.ts needs BENCH_SOURCE_DIR, BENCH_RESULTS_FILE and BENCH_CONCURRENCY (bench/run.ts sets them)');
}

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const extractor = createZeroLatencyExtractor(Number(BENCH_CONCURRENCY));
const files = (await glob(['**/*'], { cwd: BENCH_SOURCE_DIR, absolute: true, onlyFiles: true })).sort();
const listingMs = performance.now() - started;
const limit = pLimit(Number(BENCH_CONCURRENCY));
const out = createWriteStream(BENCH_RESULTS_FILE);
let succeeded = 0;

await Promise.all(
  files.map((file) =>
    limit(async () => {
      const document = await loadDocument(file);
      const extraction = await extractor.extract({ document, schemaName: 'invoice', schema: invoiceSchema });
      succeeded++;
      if (!out.write(JSON.stringify({ path: file, status: 'succeeded', data: extraction.data, model: extraction.model }) + '\n')) await once(out, 'drain');
    }),
  ),
);
out.end();
await once(out, 'finish');
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
// maxRSS is this process's peak resident set (kB), the same number as VmHWM.
process.stdout.write(JSON.stringify({ documents: files.length, succeeded, wallMs, listingMs, cpuMs, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
