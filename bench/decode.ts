/**
 * `npm run bench:decode`: what isolating document decoding costs and buys, each case in a fresh
 * child process so its peak RSS (VmHWM) is its own.
 *
 * - memory: the local extractor on a 20,000 x 20,000 PNG bomb (400 MP in ~400 KB): before (OCR in
 *   the worker process, no limits) and after (the decoder pool: refused from the header); and the
 *   largest image accepted (6,000 x 6,000, 36 MP) through the pool, worker and decoders measured apart.
 * - throughput: documents/s of the local extractor's decoding on samples/invoices: before (in the
 *   process, one document after the other) and after (the pool, one decoder per core).
 *
 * Prints a table and writes bench/results/decode-<timestamp>.json and latest-decode.json.
 *   npm run bench:decode                 # everything (~2 minutes on 2 cores)
 *   npm run bench:decode -- --no-bomb-baseline   # skip the 1.6 GB in-process bomb
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDocument } from '../src/extraction/document';
import { DocumentError } from '../src/extraction/errors';
import { closeSharedDecoderPool, isolatedDecoding, sharedDecoderPool } from '../src/extraction/isolation';
import { parseInvoiceText } from '../src/extraction/local/fields';
import { recognizeText } from '../src/extraction/ocr';
import { documentText, terminateOcr } from '../src/extraction/text';
import { pngBomb, validPng } from '../test/helpers/bad-documents';
import { megabytes, peakRssBytes } from './process-stats';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const samplesDir = fileURLToPath(new URL('../samples/invoices/', import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);

/** `unlimited`: OCR in the process with no pixel limit, as docbatch did before the pool. */
type Mode = 'unlimited' | 'in-process' | 'pool';

/** What one case child reports on its stdout, as one JSON line. */
interface CaseReport {
  documents: number;
  succeeded: number;
  failed: Record<string, number>;
  seconds: number;
  workerPeakRssMb: number | null;
  /** Peak RSS of each decoder process, read just before the pool closes. */
  decoderPeakRssMb: (number | null)[];
  decoders: number;
}

async function runCase(mode: Mode, files: string[], warm: boolean): Promise<CaseReport> {
  const failed: Record<string, number> = {};
  let succeeded = 0;
  const decodeOne = async (file: string) => {
    try {
      const document = await loadDocument(file);
      const text =
        mode === 'pool' ? await isolatedDecoding.documentText(document) : mode === 'unlimited' ? (await recognizeText(document.bytes)).text : await documentText(document);
      parseInvoiceText(text);
      succeeded++;
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      failed[error.type] = (failed[error.type] ?? 0) + 1;
    }
  };
  const decodeAll = async () => {
    // In the pool everything is submitted at once: one document per decoder, the rest queued.
    if (mode === 'pool') await Promise.all(files.map(decodeOne));
    else for (const file of files) await decodeOne(file);
  };
  if (warm) {
    // A first, untimed pass: pdfjs, tesseract and (in the pool) every decoder process are started.
    await decodeAll();
    succeeded = 0;
    for (const type of Object.keys(failed)) delete failed[type];
  }
  const started = performance.now();
  await decodeAll();
  let decoderPeakRssMb: (number | null)[] = [];
  if (mode === 'pool') {
    decoderPeakRssMb = await Promise.all(sharedDecoderPool().pids().map(async (pid) => megabytes(await peakRssBytes(pid))));
  }
  const seconds = (performance.now() - started) / 1000;
  const report: CaseReport = {
    documents: files.length,
    succeeded,
    failed,
    seconds,
    workerPeakRssMb: megabytes(await peakRssBytes(process.pid)),
    decoderPeakRssMb,
    decoders: decoderPeakRssMb.length,
  };
  await closeSharedDecoderPool();
  await terminateOcr();
  return report;
}

/** Runs one case in a fresh child process (this file with --case) and returns its report. */
function inChild(mode: Mode, warm: boolean, files: string[]): Promise<CaseReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--case', mode, warm ? 'warm' : 'cold', ...files], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as CaseReport);
      else reject(new Error(`${mode} case exited with ${signal ?? code}: ${output.slice(-500)}`));
    });
  });
}

interface Row {
  case: string;
  mode: Mode;
  report: CaseReport;
}

async function main(): Promise<void> {
  const withBombBaseline = !process.argv.includes('--no-bomb-baseline');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-bench-decode-'));
  const bomb = path.join(dir, 'bomb-20000x20000.png');
  await writeFile(bomb, await pngBomb(20_000));
  const largest = path.join(dir, 'largest-6000x6000.png');
  await writeFile(largest, validPng(6000, 6000));
  const samples = (await readdir(samplesDir)).filter((name) => !name.startsWith('broken-') && name !== 'expected.json').sort().map((name) => path.join(samplesDir, name));
  log(`cores: ${os.availableParallelism()}; samples: ${samples.length} documents; bomb: ${bomb}`);

  const rows: Row[] = [];
  const measure = async (name: string, mode: Mode, files: string[], warm = false) => {
    log(`running ${name} (${mode}${warm ? ', warm' : ''}) …`);
    rows.push({ case: name, mode, report: await inChild(mode, warm, files) });
  };
  if (withBombBaseline) await measure('bomb 20000x20000 PNG', 'unlimited', [bomb]);
  await measure('bomb 20000x20000 PNG', 'pool', [bomb]);
  await measure('largest accepted image, 6000x6000', 'pool', [largest]);
  await measure('samples/invoices, cold start', 'in-process', samples);
  await measure('samples/invoices, cold start', 'pool', samples);
  await measure('samples/invoices, warm', 'in-process', samples, true);
  await measure('samples/invoices, warm', 'pool', samples, true);

  console.log('\n| case | mode | documents | ok | failed | seconds | documents/s | worker peak RSS MB | decoders | decoder peak RSS MB |');
  console.log('| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |');
  for (const { case: name, mode, report } of rows) {
    const failed = Object.entries(report.failed).map(([type, count]) => `${count} ${type}`).join(', ') || '0';
    console.log(
      `| ${name} | ${mode} | ${report.documents} | ${report.succeeded} | ${failed} | ${report.seconds.toFixed(1)} | ${(report.documents / report.seconds).toFixed(2)} | ${report.workerPeakRssMb ?? '?'} | ${report.decoders} | ${report.decoderPeakRssMb.join(', ') || '-'} |`,
    );
  }
  const speedup: Record<string, number> = {};
  for (const name of ['samples/invoices, cold start', 'samples/invoices, warm']) {
    const before = rows.find((row) => row.case === name && row.mode === 'in-process')!.report;
    const after = rows.find((row) => row.case === name && row.mode === 'pool')!.report;
    speedup[name] = before.seconds / after.seconds;
    console.log(`${name}: ${(before.documents / before.seconds).toFixed(2)} → ${(after.documents / after.seconds).toFixed(2)} documents/s (×${speedup[name].toFixed(2)})`);
  }
  console.log(`${os.availableParallelism()} cores, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`);

  await mkdir(resultsDir, { recursive: true });
  const json = JSON.stringify({ at: new Date().toISOString(), cores: os.availableParallelism(), loadAverage: os.loadavg(), rows, speedup }, null, 2);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await writeFile(path.join(resultsDir, `decode-${stamp}.json`), json);
  await writeFile(path.join(resultsDir, 'latest-decode.json'), json);
  log(`wrote bench/results/decode-${stamp}.json`);
}

const caseIndex = process.argv.indexOf('--case');
if (caseIndex !== -1) {
  const mode = process.argv[caseIndex + 1] as Mode;
  const report = await runCase(mode, process.argv.slice(caseIndex + 3), process.argv[caseIndex + 2] === 'warm');
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  await main();
}
