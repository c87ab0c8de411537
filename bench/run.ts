/**
 * `npm run bench`: docbatch at scale with a zero-latency extractor, beside a plain p-limit loop.
 * Prints a table and writes bench/results/<name>-<timestamp>.json and bench/results/latest-<name>.json.
 * See bench/README.md for the flags and docs/benchmarks.md for the numbers.
 */
import { DEFAULT_HEAP_MB } from '../bin/heap.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { batchInputSchema } from '../src/batch/input';
import { defaultChunkSize } from '../src/batch/chunk-size';
import { DEFAULTS } from '../src/env';
import { ensureTemporalCli } from '../src/temporal/binary';
import { workflowsPath } from '../src/worker';
import { benchDocuments, warmDocuments } from './documents';
import { benchObjectStore, type BenchObjectStore } from './object-store';
import { runBaseline, runScaleCase, type BaselineResult, type BaselineRun, type BatchSettings, type BenchEnvironment, type ScaleCase, type ScaleResult } from './scale';

/**
 * docbatch's own defaults (no chunkSize: planning chooses it; the batch input schema's concurrency
 * and chunksPerRun, the worker's activity slots), so the bench measures what a user gets;
 * docs/benchmarks.md shows the measurements.
 */
const inputDefaults = batchInputSchema.parse({ source: { dir: '.' } });
const DEFAULT_SETTINGS: BatchSettings = {
  concurrency: inputDefaults.concurrency,
  chunksPerRun: inputDefaults.chunksPerRun,
  activitySlots: DEFAULTS.maxConcurrentActivities,
  documentsInFlight: 64,
  // What `docbatch worker` and `docbatch run` give a worker without a flag (bin/heap.js).
  workerHeapMb: DEFAULT_HEAP_MB,
};
const TARGETS = { maxHistoryEvents: 10_000, maxWorkerRssMb: 500, maxScaleRatio: 12 } as const;

const usage = `npm run bench -- [options]

  --sizes <n,n,…>        batch sizes (default 1000,10000,100000; --quick: 1000,10000)
  --sweep <n,n,…>        chunk sizes to sweep (default 1,10,50,200; "none" to skip)
  --sweep-at <n>         batch size of the sweep (default 10000; --quick: 1000)
  --quick                the small sizes, for a run of a few minutes
  --chunk-size <n>       documents per chunk (default: planning chooses, as for a user)
  --concurrency <n>      chunks in flight (default ${DEFAULT_SETTINGS.concurrency})
  --chunks-per-run <n>   chunks per run before continue-as-new (default ${DEFAULT_SETTINGS.chunksPerRun})
  --activity-slots <n>   the worker's maxConcurrentActivityTaskExecutions (default ${DEFAULT_SETTINGS.activitySlots})
  --documents-in-flight <n>  documents the extractor works on at once per worker, and the baseline's p-limit (default ${DEFAULT_SETTINGS.documentsInFlight})
  --worker-heap-mb <n>   the worker's --max-old-space-size (default ${DEFAULT_SETTINGS.workerHeapMb}, docbatch's own; 0: V8's, sized from the machine's memory)
  --no-baseline          skip the p-limit baseline
  --baseline-runs <n>    runs of the baseline per size, half before the size's first case and the rest
                         after it; the median is the baseline (default 3)
  --docs-dir <dir>       where generated documents are kept and reused (default <tmp>/docbatch-bench-docs)
  --storage <list>       local, s3 or local,s3: where the documents and the outputs are (s3: a versitygw
                         started by the bench over the same documents, hard-linked into its bucket folder)
  --name <name>          results file prefix (default scale, or scale-quick with --quick)
  --help`;

interface BenchOptions {
  sizes: number[];
  sweep: number[];
  sweepAt: number;
  settings: BatchSettings;
  baseline: boolean;
  baselineRuns: number;
  docsDir: string;
  name: string;
  storages: Array<'local' | 's3'>;
}

interface CaseRow {
  kind: 'size' | 'sweep';
  result: ScaleResult;
  baseline: BaselineResult | null;
  /** docbatch wall time / baseline wall time (the median run). */
  overhead: number | null;
  /** docbatch's extraction phase (first chunk started → last chunk completed) / baseline wall time. */
  extractionOverhead: number | null;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return;
  const startedAt = new Date();
  const cli = await ensureTemporalCli({ log });
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-bench-'));
  try {
    log(`bundling the workflow code …`);
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    const workflowBundlePath = path.join(workDir, 'workflow-bundle.js');
    await writeFile(workflowBundlePath, bundle.code);
    const env: BenchEnvironment = { cliPath: cli.path, workflowBundlePath, workDir, log };

    const sizesNeeded = [...new Set([...options.sizes, ...(options.sweep.length > 0 ? [options.sweepAt] : [])])].sort((a, b) => a - b);
    const sources = new Map<number, string>();
    for (const size of sizesNeeded) sources.set(size, await benchDocuments(options.docsDir, size, log));

    // The baseline's runs bracket the size's first case: half run before it and the rest after, so
    // a machine whose speed drifts during a long case (a shared host) moves both sides alike.
    const baselines = new Map<number, BaselineResult>();
    const baselineRunsBefore = new Map<number, BaselineRun[]>();
    const runsBefore = Math.floor(options.baselineRuns / 2);
    const baselineBefore = async (size: number): Promise<void> => {
      if (!options.baseline || runsBefore === 0 || baselines.has(size) || baselineRunsBefore.has(size)) return;
      log(`baseline: ${size.toLocaleString('en')} documents through a p-limit loop, ${runsBefore} of ${options.baselineRuns} runs before the case …`);
      baselineRunsBefore.set(size, (await runBaseline(env, size, sources.get(size)!, options.settings.documentsInFlight, runsBefore)).runs);
    };
    const baselineFor = async (size: number): Promise<BaselineResult | null> => {
      if (!options.baseline) return null;
      const known = baselines.get(size);
      if (known) return known;
      const before = baselineRunsBefore.get(size) ?? [];
      log(`baseline: ${size.toLocaleString('en')} documents through a p-limit loop, ${options.baselineRuns - before.length} of ${options.baselineRuns} runs …`);
      const result = await runBaseline(env, size, sources.get(size)!, options.settings.documentsInFlight, options.baselineRuns - before.length, before);
      baselines.set(size, result);
      return result;
    };

    const rows: CaseRow[] = [];
    const warmed = new Set<number>();
    const runCase = async (kind: CaseRow['kind'], label: string, size: number, settings: BatchSettings, objectStore?: ScaleCase['objectStore']) => {
      if (!warmed.has(size)) {
        warmed.add(size);
        log(`reading the ${size.toLocaleString('en')} documents once, so every timed run finds them in the page cache …`);
        log(`  read in ${((await warmDocuments(sources.get(size)!)) / 1000).toFixed(1)} s`);
      }
      await baselineBefore(size);
      log(`${label}: ${size.toLocaleString('en')} documents, chunk ${settings.chunkSize ?? 'chosen by planning'}, concurrency ${settings.concurrency}, ${settings.chunksPerRun} chunks/run …`);
      const result = await runScaleCase(env, { label, documents: size, sourceDir: sources.get(size)!, settings, ...(objectStore ? { objectStore } : {}) }, timeoutFor(size, settings));
      const baseline = await baselineFor(size);
      const ratio = (ms: number | undefined) => (baseline && result.completed && ms !== undefined ? round(ms / baseline.wallMs, 1) : null);
      const row: CaseRow = { kind, result, baseline, overhead: ratio(result.wallMs), extractionOverhead: ratio(result.phases?.extractionMs) };
      rows.push(row);
      log(`${label}: ${describeRow(row)}`);
    };

    let objectStore: BenchObjectStore | undefined;
    for (const size of options.sizes) {
      for (const storage of options.storages) {
        if (storage === 'local') {
          await runCase('size', `n${size}`, size, options.settings);
          continue;
        }
        objectStore ??= await benchObjectStore(options.docsDir, log);
        const store = await objectStore.source(size, sources.get(size)!);
        await runCase('size', `n${size}-s3`, size, options.settings, store);
      }
    }
    await objectStore?.stop();
    for (const chunkSize of options.sweep) await runCase('sweep', `sweep-n${options.sweepAt}-chunk${chunkSize}`, options.sweepAt, { ...options.settings, chunkSize });

    const targets = evaluateTargets(rows);
    const report = {
      name: options.name,
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: round(os.totalmem() / 1024 ** 3, 1),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        temporalCli: cli.version,
      },
      settings: options.settings,
      extractor: 'zero-latency (fixed invoice, no I/O), result cache off',
      targets,
      cases: rows,
    };

    process.stdout.write(`\n${formatTable(rows)}\n\n${formatTargets(targets)}\n`);
    await mkdir(resultsDir, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const json = JSON.stringify(report, null, 2) + '\n';
    const file = path.join(resultsDir, `${options.name}-${stamp}.json`);
    await writeFile(file, json);
    await writeFile(path.join(resultsDir, `latest-${options.name}.json`), json);
    process.stdout.write(`\nwrote ${path.relative(process.cwd(), file)} and latest-${options.name}.json\n`);
    if (rows.some((row) => !row.result.completed)) process.exitCode = 1;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      sweep: { type: 'string' },
      'sweep-at': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'chunk-size': { type: 'string' },
      concurrency: { type: 'string' },
      'chunks-per-run': { type: 'string' },
      'activity-slots': { type: 'string' },
      'documents-in-flight': { type: 'string' },
      'worker-heap-mb': { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      'baseline-runs': { type: 'string' },
      'docs-dir': { type: 'string' },
      name: { type: 'string' },
      storage: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return null;
  }
  const quick = values.quick;
  return {
    sizes: numberList('--sizes', values.sizes ?? (quick ? '1000,10000' : '1000,10000,100000')),
    sweep: values.sweep === 'none' ? [] : numberList('--sweep', values.sweep ?? '1,10,50,200'),
    sweepAt: positive('--sweep-at', values['sweep-at'] ?? (quick ? '1000' : '10000')),
    settings: {
      ...(values['chunk-size'] !== undefined ? { chunkSize: positive('--chunk-size', values['chunk-size']) } : {}),
      concurrency: positive('--concurrency', values.concurrency ?? String(DEFAULT_SETTINGS.concurrency)),
      chunksPerRun: positive('--chunks-per-run', values['chunks-per-run'] ?? String(DEFAULT_SETTINGS.chunksPerRun)),
      activitySlots: positive('--activity-slots', values['activity-slots'] ?? String(DEFAULT_SETTINGS.activitySlots)),
      documentsInFlight: positive('--documents-in-flight', values['documents-in-flight'] ?? String(DEFAULT_SETTINGS.documentsInFlight)),
      workerHeapMb: values['worker-heap-mb'] === undefined ? DEFAULT_SETTINGS.workerHeapMb : (values['worker-heap-mb'] === '0' ? null : positive('--worker-heap-mb', values['worker-heap-mb'])),
    },
    baseline: !values['no-baseline'],
    baselineRuns: positive('--baseline-runs', values['baseline-runs'] ?? '3'),
    docsDir: path.resolve(values['docs-dir'] ?? path.join(os.tmpdir(), 'docbatch-bench-docs')),
    name: values.name ?? (quick ? 'scale-quick' : 'scale'),
    storages: (values.storage ?? 'local').split(',').map((kind) => {
      if (kind !== 'local' && kind !== 's3') throw new Error(`--storage ${kind}: expected local, s3 or local,s3`);
      return kind;
    }),
  };
}

function numberList(flag: string, raw: string): number[] {
  return raw.split(',').map((part) => positive(flag, part.trim()));
}

function positive(flag: string, raw: string): number {
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} ${raw}: expected a positive whole number (e.g. ${flag} 1000)`);
  return value;
}

/** Generous: about 50× the measured per-chunk cost, so only a stuck batch times out. */
function timeoutFor(documents: number, settings: BatchSettings): number {
  return 5 * 60_000 + Math.ceil(documents / (settings.chunkSize ?? defaultChunkSize)) * 250 + documents * 5;
}

function evaluateTargets(rows: CaseRow[]) {
  const sizeRows = rows.filter((row) => row.kind === 'size').map((row) => row.result);
  const at = (n: number) => sizeRows.find((result) => result.documents === n);
  const big = at(100_000);
  const small = at(10_000);
  const ratio = big?.completed && small?.completed ? round(big.wallMs / small.wallMs, 2) : null;
  const maxHistory = Math.max(0, ...sizeRows.map((result) => result.maxHistoryLength));
  const sweepMaxHistory = Math.max(0, ...rows.filter((row) => row.kind === 'sweep').map((row) => row.result.maxHistoryLength));
  const worker = Math.max(0, ...sizeRows.map((result) => result.workerPeakRssMb ?? 0));
  return {
    completes100k: { measured: big !== undefined, met: big?.completed ?? null, wallMs: big?.wallMs ?? null },
    historyUnder10k: { met: sizeRows.length > 0 ? maxHistory <= TARGETS.maxHistoryEvents : null, maxHistoryLength: maxHistory, sweepMaxHistoryLength: sweepMaxHistory },
    workerRssUnder500Mb: { met: sizeRows.length > 0 ? worker < TARGETS.maxWorkerRssMb : null, maxWorkerPeakRssMb: worker },
    scaleRatioAtMost12: { met: ratio === null ? null : ratio <= TARGETS.maxScaleRatio, ratio },
  };
}

type Targets = ReturnType<typeof evaluateTargets>;

function formatTargets(targets: Targets): string {
  const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT MET');
  return [
    'targets',
    `  100,000 documents complete on ${os.availableParallelism()} cores: ${mark(targets.completes100k.met)}${targets.completes100k.wallMs !== null ? ` (${seconds(targets.completes100k.wallMs)} s)` : ''}`,
    `  no run's history over ${TARGETS.maxHistoryEvents.toLocaleString('en')} events: ${mark(targets.historyUnder10k.met)} (largest ${targets.historyUnder10k.maxHistoryLength.toLocaleString('en')}; sweep ${targets.historyUnder10k.sweepMaxHistoryLength.toLocaleString('en')})`,
    `  worker peak RSS under ${TARGETS.maxWorkerRssMb} MB: ${mark(targets.workerRssUnder500Mb.met)} (largest ${targets.workerRssUnder500Mb.maxWorkerPeakRssMb} MB)`,
    `  t(100,000) / t(10,000) at most ${TARGETS.maxScaleRatio}: ${mark(targets.scaleRatioAtMost12.met)}${targets.scaleRatioAtMost12.ratio !== null ? ` (${targets.scaleRatioAtMost12.ratio})` : ''}`,
  ].join('\n');
}

function formatTable(rows: CaseRow[]): string {
  const header = ['case', 'docs', 'chunk', 'conc', 'in flight', 'heap cap', 'runs', 'max hist', 'wall s', 'first s', 'plan s', 'extract s', 'report s', 'rest s', 'docs/s', 'base s', 'base runs s', 'base docs/s', 'overhead', 'extract overhead', 'worker MB', 'server MB', 'worker cpu s', 'of it batch', 'of it extract', 'server cpu s', 'of it batch', 'base cpu s', 'load 1m', 'ok'];
  const phase = (ms: number | undefined) => (ms === undefined ? '–' : seconds(ms));
  const body = rows.map(({ result, baseline, overhead, extractionOverhead }) => [
    result.label,
    result.documents.toLocaleString('en'),
    result.settings.chunkSize !== undefined ? String(result.settings.chunkSize) : `${result.chunkSize ?? '?'} (chosen)`,
    String(result.settings.concurrency),
    String(result.settings.documentsInFlight),
    result.settings.workerHeapMb === null ? '–' : `${result.settings.workerHeapMb} MB`,
    String(result.runs.length),
    result.maxHistoryLength.toLocaleString('en'),
    seconds(result.wallMs),
    phase(result.phases?.firstChunkDoneMs),
    phase(result.phases?.planningMs),
    phase(result.phases?.extractionMs),
    phase(result.phases?.reportMs),
    phase(result.phases?.restMs),
    result.docsPerSecond.toLocaleString('en'),
    baseline ? seconds(baseline.wallMs) : '–',
    baseline ? baseline.runs.map((run) => seconds(run.wallMs)).join(' ') : '–',
    baseline ? baseline.docsPerSecond.toLocaleString('en') : '–',
    overhead !== null ? `${overhead}×` : '–',
    extractionOverhead !== null ? `${extractionOverhead}×` : '–',
    String(result.workerPeakRssMb ?? '?'),
    String(result.serverPeakRssMb ?? '?'),
    result.workerCpuSeconds?.toFixed(1) ?? '?',
    result.workerBatchCpuSeconds?.toFixed(1) ?? '?',
    result.workerPhaseCpuSeconds?.extraction.toFixed(1) ?? '?',
    result.serverCpuSeconds?.toFixed(1) ?? '?',
    result.serverBatchCpuSeconds?.toFixed(1) ?? '?',
    baseline ? baseline.runs.map((run) => seconds(run.cpuMs)).join(' ') : '–',
    `${result.loadAverage.start[0]}→${result.loadAverage.end[0]}`,
    result.completed ? 'yes' : `NO: ${result.error ?? 'incomplete'}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 || column === widths.length - 1 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function describeRow({ result, baseline, overhead, extractionOverhead }: CaseRow): string {
  if (!result.completed) return `NOT COMPLETED: ${result.error ?? 'incomplete'}`;
  const { phases } = result;
  return (
    `${seconds(result.wallMs)} s, ${result.docsPerSecond} docs/s, ${result.runs.length} runs, largest history ${result.maxHistoryLength}, ` +
    `worker ${result.workerPeakRssMb} MB, server ${result.serverPeakRssMb} MB, CPU during the batch: worker ${result.workerBatchCpuSeconds} s, server ${result.serverBatchCpuSeconds} s` +
    (result.workerPhaseCpuSeconds && result.serverPhaseCpuSeconds ? ` (extraction: worker ${result.workerPhaseCpuSeconds.extraction} s, server ${result.serverPhaseCpuSeconds.extraction} s)` : '') +
    (phases ? `; planning ${seconds(phases.planningMs)} s, extraction ${seconds(phases.extractionMs)} s, report ${seconds(phases.reportMs)} s, rest ${seconds(phases.restMs)} s` : '') +
    (baseline ? `; baseline ${seconds(baseline.wallMs)} s, median of ${baseline.runs.map((run) => seconds(run.wallMs)).join(', ')} (${overhead}×, extraction ${extractionOverhead}×)` : '')
  );
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
