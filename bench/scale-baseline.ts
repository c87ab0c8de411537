/**
 * The baseline people would write instead of docbatch: list the folder, then a p-limit loop that
 * loads each document, calls the same zero-latency extractor and appends its result to one JSONL
 * file. No Temporal, no checkpoints, no retries. Run as a child process (its peak RSS is its own);
 * prints one JSON line: { documents, succeeded, wallMs, listingMs, cpuMs, peakRssBytes }.
 */
import { glob } from 'tinyglobby';
import { extractAllInALoop } from './baseline-loop';
import { createZeroLatencyExtractor } from './zero-latency-extractor';
import { createLocalExtractor } from '../src/extraction/local/extractor';
import { withEInvoiceReader } from '../src/extraction/einvoice/extractor';

const { BENCH_SOURCE_DIR, BENCH_RESULTS_FILE, BENCH_CONCURRENCY } = process.env;
if (!BENCH_SOURCE_DIR || !BENCH_RESULTS_FILE || !BENCH_CONCURRENCY) {
  throw new Error('bench/scale-baseline.ts needs BENCH_SOURCE_DIR, BENCH_RESULTS_FILE and BENCH_CONCURRENCY (bench/run.ts sets them)');
}

const started = performance.now();
const cpuAtStart = process.cpuUsage();
// BENCH_EXTRACTOR=local: the offline extractor the worker uses, wrapped as the worker wraps it.
const extractor = process.env.BENCH_EXTRACTOR === 'local' ? withEInvoiceReader(createLocalExtractor()) : createZeroLatencyExtractor(Number(BENCH_CONCURRENCY));
const files = (await glob(['**/*'], { cwd: BENCH_SOURCE_DIR, absolute: true, onlyFiles: true })).sort();
const listingMs = performance.now() - started;
const succeeded = await extractAllInALoop(files, extractor, BENCH_RESULTS_FILE, Number(BENCH_CONCURRENCY));
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
// maxRSS is this process's peak resident set (kB), the same number as VmHWM.
process.stdout.write(JSON.stringify({ documents: files.length, succeeded, wallMs, listingMs, cpuMs, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
