/**
 * bench/ratelimit: how close to the API's rate limits a batch runs, how soon it gets there and how
 * often it is told 429, side by side with the loop people write first.
 *
 * Every variant runs alone, one after another, against its own emulator at R requests/min (and
 * optionally I input tokens/min; latency uniform, 1–4 s unless --latency says; each bucket holding
 * 10 s of its limit, so limits are enforced over 10-second intervals), over the same N distinct
 * text invoices (a sample invoice with a distinct reference line each):
 * - docbatch, 1 worker / 3 workers: a real batch (extractor "anthropic", cache off) on a fresh
 *   Temporal dev server, run by 1 or 3 worker processes (bench/fixtures/ratelimit-worker.ts:
 *   createDocbatchWorker with ANTHROPIC_BASE_URL = the emulator), each pacing with its own
 *   adaptive limiter (src/extraction/rate-limit.ts). With --defaults the batch sets no chunk size,
 *   concurrency or activity slots (what a new user gets); otherwise chunkSize 1 and concurrency C.
 *   The fleet is up before the clock starts; the batch's planning is in the ramp-up.
 * - plain, semaphore K (bench/fixtures/ratelimit-plain.ts, its own process):
 *   `client.messages.create` with the SDK's default retries, at most K requests in flight.
 *   --sweep K1,K2,… (ascending) first runs the plain loop at each K on --sweep-documents documents (together
 *   when that is cheap: R × count ≤ 5,000/min; else one after another), then the best K (the
 *   highest sustained rate among the K with at most 1% 429s, if any) again on all N documents.
 *
 * Measured from the emulator's side (bench/ratelimit-measure.ts): sustained rate between the 10th
 * and 90th percentile of successful answers, as a fraction of R (and of the binding limit when the
 * input-tokens limit is the tighter one); 429 share; seconds to 0.9 × the binding rate; input
 * tokens/min; CPU of the worker processes, the Temporal server and this process (the emulator and
 * the recorder), each as a share of one core; the machine's load average before and after.
 *
 *   npm run bench:ratelimit -- [--rpm 600] [--itpm 0] [--documents 500] [--latency 1000-4000]
 *     [--defaults | --concurrency C --chunk-size 1] [--variants docbatch-1,docbatch-3,plain-20]
 *     [--sweep 50,100,200 --sweep-documents N] [--max-activities-per-second N] [--name ratelimit]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEmulator, type Emulator } from '../src/emulator';
import { ensureTemporalCli } from '../src/temporal/binary';
import { workflowsPath } from '../src/worker';
import { startDocbatchFleet, type DocbatchEnvironment, type DocbatchSettings, type LimiterSample } from './ratelimit-docbatch';
import { benchInvoiceTexts } from './ratelimit-invoices';
import { allProcessCpu, busyShare, CompletionRecorder, cpuSample, processCpuSeconds, throughput, topCpu, type Limits, type Throughput } from './ratelimit-measure';

const { values: args } = parseArgs({
  options: {
    rpm: { type: 'string', default: '600' },
    itpm: { type: 'string', default: '0' },
    documents: { type: 'string', default: '500' },
    concurrency: { type: 'string' },
    'chunk-size': { type: 'string', default: '1' },
    'max-activities-per-second': { type: 'string' },
    variants: { type: 'string', default: 'docbatch-1,docbatch-3,plain-5,plain-20,plain-50' },
    latency: { type: 'string', default: '1000-4000' },
    defaults: { type: 'boolean', default: false },
    sweep: { type: 'string' },
    'sweep-documents': { type: 'string' },
    name: { type: 'string', default: 'ratelimit' },
  },
});
const rpm = Number(args.rpm);
const limits: Limits = { requestsPerMinute: rpm, inputTokensPerMinute: Number(args.itpm), burstSeconds: 10 };
const documentCount = Number(args.documents);
const [latencyMin, latencyMax = latencyMin] = args.latency.split('-').map(Number) as [number, number?];
const latency = { minMs: latencyMin, maxMs: latencyMax };
const useDefaults = args.defaults;
const apiKey = 'test-key';
const chunkSize = Number(args['chunk-size']);
// Requests in flight at R: R/60 x latency; cover the slowest answers so the limiter, not the window, sets the pace.
const concurrency = args.concurrency ? Number(args.concurrency) : Math.ceil((rpm / 60) * (latency.maxMs / 1000) / chunkSize);
const maxActivitiesPerSecond = args['max-activities-per-second'] ? Number(args['max-activities-per-second']) : undefined;
const variants = new Set(args.variants.split(',').map((name) => name.trim()).filter((name) => name !== ''));
const sweep = args.sweep ? args.sweep.split(',').map(Number) : [];
const sweepDocuments = args['sweep-documents'] ? Number(args['sweep-documents']) : Math.ceil(documentCount / 3);
/** Above this many requests/min in all, sweep runs go one after another (one process hosts every emulator). */
const togetherUpToPerMinute = 5000;
/** The 429 target (issue 11): at most 1% of requests answered 429. */
const maxRateLimitedShare = 0.01;
const plainScript = fileURLToPath(new URL('./fixtures/ratelimit-plain.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);

interface CpuUse {
  /** The processes doing the work: docbatch's workers, or the plain loop's process. */
  workerSeconds: number | null;
  /** The Temporal dev server (docbatch only). */
  serverSeconds: number | null;
  /** This process: the emulator and the recorder. */
  emulatorSeconds: number;
  /** Machine-wide busy share of all cores, anyone's work included. */
  machineBusy: number;
  /** Processes that used the most CPU meanwhile (this bench's and anyone else's on the machine). */
  topProcesses: Array<{ pid: number; command: string; cpuSeconds: number }>;
}

interface VariantResult extends Throughput {
  variant: string;
  kind: 'docbatch' | 'plain' | 'sweep';
  documents: number;
  failedDocuments: number;
  overallPerMinute: number;
  wallSeconds: number;
  cpu: CpuUse;
  /** os.loadavg() (1, 5, 15 min) when the variant started and when it ended: the machine is shared. */
  loadAverage: { start: number[]; end: number[] };
  docbatch?: {
    settings: DocbatchSettings;
    /** Chunk activity retries in the workflow history (each 429 an activity saw is one). */
    activityRetries: number;
    error?: string;
    limiterTrace: LimiterSample[];
  };
}

const newEmulator = () =>
  startEmulator({ requestsPerMinute: rpm, inputTokensPerMinute: limits.inputTokensPerMinute, burstSeconds: limits.burstSeconds, latency, seed: 42, validKeys: [apiKey] });

/** Watches machine, this process and (from their pids) the workers' and server's CPU over one variant. */
async function cpuWatch(pids: { workers: number[]; server: number | null } = { workers: [], server: null }) {
  const processSeconds = async (list: number[]) => {
    const seconds = await Promise.all(list.map(processCpuSeconds));
    return seconds.some((value) => value === null) ? null : seconds.reduce<number>((sum, value) => sum + value!, 0);
  };
  const [machine, processes, own] = [cpuSample(), await allProcessCpu(), process.cpuUsage()];
  const [workers, server] = [await processSeconds(pids.workers), pids.server === null ? null : await processSeconds([pids.server])];
  return async (plainWorkerSeconds?: number): Promise<CpuUse> => {
    const [workersNow, serverNow] = [await processSeconds(pids.workers), pids.server === null ? null : await processSeconds([pids.server])];
    const ownNow = process.cpuUsage(own);
    return {
      workerSeconds: plainWorkerSeconds ?? (workers !== null && workersNow !== null && pids.workers.length > 0 ? round(workersNow - workers, 1) : null),
      serverSeconds: server !== null && serverNow !== null ? round(serverNow - server, 1) : null,
      emulatorSeconds: round((ownNow.user + ownNow.system) / 1e6, 1),
      machineBusy: busyShare(machine, cpuSample()),
      topProcesses: topCpu(processes, await allProcessCpu()),
    };
  };
}

function variantResult(
  base: Pick<VariantResult, 'variant' | 'kind' | 'cpu' | 'loadAverage'> & { failedDocuments?: number },
  recorder: CompletionRecorder,
  startedAt: number,
  endedAt: number,
): VariantResult {
  const measured = throughput(recorder, startedAt, limits);
  const lastOk = Math.max(...recorder.answered.filter((entry) => entry.status === 200).map((entry) => entry.doneAt));
  return {
    ...base,
    documents: measured.succeeded,
    failedDocuments: base.failedDocuments ?? 0,
    overallPerMinute: Math.round((measured.succeeded / (lastOk - startedAt)) * 60_000),
    wallSeconds: round((endedAt - startedAt) / 1000, 1),
    ...measured,
  };
}

const loadAverage = () => os.loadavg().map((value) => round(value, 2));

async function runDocbatchVariant(env: DocbatchEnvironment, workers: number): Promise<VariantResult> {
  const variant = `docbatch, ${workers} worker${workers === 1 ? '' : 's'}${useDefaults ? ', defaults' : ''}`;
  const settings: DocbatchSettings = useDefaults
    ? { workers, maxActivitiesPerSecond }
    : { workers, chunkSize, concurrency, slotsPerWorker: Math.ceil(concurrency / workers) + 2, maxActivitiesPerSecond };
  log(
    `${variant}: starting a dev server and ${workers} worker process(es); batch of ${env.documents} documents, ` +
      (useDefaults ? 'default settings' : `chunkSize ${chunkSize}, concurrency ${concurrency}, ${settings.slotsPerWorker} activity slots per worker`),
  );
  const emulator = await newEmulator();
  const fleet = await startDocbatchFleet(env, settings, emulator.url, apiKey, `w${workers}`);
  try {
    const start = loadAverage();
    const recorder = new CompletionRecorder(emulator);
    const cpu = await cpuWatch(fleet.pids);
    const outcome = await fleet.run();
    const endedAt = Date.now();
    recorder.stop();
    const measured = variantResult({ variant, kind: 'docbatch', cpu: await cpu(), loadAverage: { start, end: loadAverage() }, failedDocuments: outcome.summary?.failed ?? 0 }, recorder, outcome.startedAt, endedAt);
    if (outcome.summary && outcome.summary.succeeded !== measured.succeeded) {
      log(`  note: the batch reports ${outcome.summary.succeeded} documents succeeded, the emulator ${measured.succeeded} successful answers`);
    }
    return {
      ...measured,
      docbatch: { settings, activityRetries: outcome.activityRetries, ...(outcome.error ? { error: outcome.error } : {}), limiterTrace: fleet.limiterTrace },
    };
  } finally {
    await fleet.stop();
    await emulator.stop();
  }
}

/** The plain loop in its own process: resolves with when it started sending and the CPU it used. */
async function runPlainProcess(emulator: Emulator, semaphore: number, documents: number): Promise<{ startedAt: number; cpuSeconds: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', plainScript], {
    cwd: projectRoot,
    env: { ...process.env, BENCH_EMULATOR_URL: emulator.url, BENCH_API_KEY: apiKey, BENCH_SEMAPHORE: String(semaphore), BENCH_DOCUMENTS: String(documents) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  const started = /^started (\d+)$/m.exec(stdout);
  const done = /^done ([\d.]+)$/m.exec(stdout);
  if (code !== 0 || !started || !done) throw new Error(`the plain loop (semaphore ${semaphore}) exited with code ${code}:\n${stderr}`);
  return { startedAt: Number(started[1]), cpuSeconds: round(Number(done[1]), 1) };
}

async function runPlainVariant(semaphore: number, documents: number, kind: 'plain' | 'sweep', cpuOverride?: () => Promise<CpuUse>): Promise<VariantResult> {
  const emulator = await newEmulator();
  try {
    const start = loadAverage();
    const recorder = new CompletionRecorder(emulator);
    const cpu = cpuOverride ? null : await cpuWatch();
    const run = await runPlainProcess(emulator, semaphore, documents);
    const endedAt = Date.now();
    recorder.stop();
    const usage = cpuOverride ? { ...(await cpuOverride()), workerSeconds: run.cpuSeconds } : await cpu!(run.cpuSeconds);
    return variantResult({ variant: `plain, semaphore ${semaphore}${kind === 'sweep' ? ` (sweep, ${documents} docs)` : ''}`, kind, cpu: usage, loadAverage: { start, end: loadAverage() } }, recorder, run.startedAt, endedAt);
  } finally {
    await emulator.stop();
  }
}

/** The plain loop at each K on fewer documents, then the best K on all of them. */
async function runSweep(): Promise<VariantResult[]> {
  const together = rpm * sweep.length <= togetherUpToPerMinute;
  log(`plain loop sweep, semaphore ${sweep.join(' / ')} on ${sweepDocuments} documents, ${together ? 'together, each against its own emulator' : 'one after another'}`);
  let runs: VariantResult[];
  if (together) {
    // Together, their CPU is measured together; each loop's own process CPU is still its own.
    const cpu = await cpuWatch();
    let shared: Promise<CpuUse> | undefined;
    const sharedCpu = () => (shared ??= cpu());
    runs = await Promise.all(sweep.map((size) => runPlainVariant(size, sweepDocuments, 'sweep', sharedCpu)));
  } else {
    runs = [];
    for (const size of sweep) {
      runs.push(await runPlainVariant(size, sweepDocuments, 'sweep'));
      logVariant(runs.at(-1)!);
    }
  }
  const best = bestOf(runs);
  const semaphore = sweep[runs.indexOf(best)]!;
  log(`plain loop: best semaphore ${semaphore} (${best.sustainedFractionOfBinding.toFixed(3)} x binding rate, ${percent(best.rateLimitedShare)} 429s); its full run on ${documentCount} documents`);
  return [...runs, await runPlainVariant(semaphore, documentCount, 'plain')];
}

/**
 * The K a user would pick against the same targets docbatch is held to: the highest sustained
 * rate (counted up to the binding limit: above it, a short run only spent the bucket's initial
 * burst) among the K answered at most 1% 429s; if none was, among all. Within 1% of that rate,
 * the fewest 429s, then the smallest K.
 */
function bestOf(runs: VariantResult[]): VariantResult {
  const polite = runs.filter((run) => run.rateLimitedShare <= maxRateLimitedShare);
  const candidates = polite.length > 0 ? polite : runs;
  const score = (run: VariantResult) => Math.min(run.sustainedPerMinute, run.binding.perMinute);
  const top = Math.max(...candidates.map(score));
  return candidates.filter((run) => score(run) >= 0.99 * top).sort((a, b) => a.rateLimitedShare - b.rateLimitedShare)[0]!;
}

const percent = (share: number) => `${(share * 100).toFixed(2)}%`;
const coreShare = (seconds: number | null, wallSeconds: number) => (seconds === null ? '?' : `${Math.round((seconds / wallSeconds) * 100)}%`);

function logVariant(r: VariantResult): void {
  log(
    `  ${r.variant}: ${r.sustainedFractionOfR.toFixed(3)} x R sustained (${r.sustainedFractionOfBinding.toFixed(3)} x ${r.binding.limit} limit), ${percent(r.rateLimitedShare)} 429s, ` +
      `0.9 x after ${r.secondsTo90 ?? 'never'} s, worker CPU ${coreShare(r.cpu.workerSeconds, r.wallSeconds)}, server ${coreShare(r.cpu.serverSeconds, r.wallSeconds)}, load ${r.loadAverage.end[0]}`,
  );
}

function table(results: VariantResult[]): string {
  const tokens = limits.inputTokensPerMinute > 0;
  const header = [
    'variant',
    'docs',
    'sustained/min',
    'x R',
    ...(tokens ? ['input tok/min', 'x ITPM', 'x binding'] : []),
    'late x R',
    '429 share',
    't to 0.9 s',
    'worker CPU',
    'server CPU',
    'emulator CPU',
    'machine busy',
    'load 1m',
  ];
  const rows = results.map((r) => [
    r.variant,
    String(r.documents),
    String(r.sustainedPerMinute),
    r.sustainedFractionOfR.toFixed(3),
    ...(tokens ? [String(r.inputTokensPerMinute), (r.inputTokensPerMinute / limits.inputTokensPerMinute).toFixed(3), r.sustainedFractionOfBinding.toFixed(3)] : []),
    r.lateFractionOfR.toFixed(3),
    percent(r.rateLimitedShare),
    r.secondsTo90 === null ? 'never' : r.secondsTo90.toFixed(1),
    coreShare(r.cpu.workerSeconds, r.wallSeconds),
    coreShare(r.cpu.serverSeconds, r.wallSeconds),
    coreShare(r.cpu.emulatorSeconds, r.wallSeconds),
    `${Math.round(r.cpu.machineBusy * 100)}%`,
    `${r.loadAverage.start[0]}→${r.loadAverage.end[0]}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  log(
    `bench/ratelimit: R = ${rpm} requests/min${limits.inputTokensPerMinute ? `, ${limits.inputTokensPerMinute} input tokens/min` : ''}, ${documentCount} documents, ` +
      `latency ${latency.minMs}-${latency.maxMs} ms, buckets ${limits.burstSeconds} s of each limit; variants ${[...variants].join(', ')}${sweep.length ? `; sweep ${sweep.join(',')}` : ''}`,
  );
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-ratelimit-'));
  const results: VariantResult[] = [];
  try {
    const docbatchWorkers = [1, 3].filter((workers) => variants.has(`docbatch-${workers}`));
    if (docbatchWorkers.length > 0) {
      const cli = await ensureTemporalCli({ log });
      const docsDir = path.join(workDir, 'documents');
      await mkdir(docsDir, { recursive: true });
      const texts = benchInvoiceTexts(documentCount);
      await Promise.all(texts.map((text, index) => writeFile(path.join(docsDir, `invoice-${String(index).padStart(5, '0')}.txt`), text)));
      log('bundling the workflow code …');
      const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
      const workflowBundlePath = path.join(workDir, 'workflow-bundle.js');
      await writeFile(workflowBundlePath, bundle.code);
      // Three times what the batch needs at R, and 10 minutes at least (an input-tokens limit may bind lower).
      const timeoutMs = Math.max(10 * 60_000, 3 * (documentCount / rpm) * 60_000);
      const env: DocbatchEnvironment = { cliPath: cli.path, workflowBundlePath, workDir, docsDir, documents: documentCount, timeoutMs, log };
      for (const workers of docbatchWorkers) {
        results.push(await runDocbatchVariant(env, workers));
        logVariant(results.at(-1)!);
      }
    }
    for (const name of variants) {
      const plain = /^plain-(\d+)$/.exec(name);
      if (!plain) continue;
      log(`plain loop, semaphore ${plain[1]}`);
      results.push(await runPlainVariant(Number(plain[1]), documentCount, 'plain'));
      logVariant(results.at(-1)!);
    }
    if (sweep.length > 0) results.push(...(await runSweep()));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  process.stdout.write(`${table(results)}\n`);
  process.stdout.write(
    `target: docbatch >= 0.950 x the binding limit sustained and <= 1.00% 429s; R = ${rpm}/min${limits.inputTokensPerMinute ? `, ITPM ${limits.inputTokensPerMinute}` : ''}, ` +
      `${documentCount} documents, latency ${latency.minMs}-${latency.maxMs} ms, ${useDefaults ? 'docbatch with default settings' : `concurrency ${concurrency} chunks of ${chunkSize}`}; ` +
      `CPU columns are shares of one core over the variant's wall time\n`,
  );
  for (const r of results) if (r.docbatch?.error) process.stdout.write(`${r.variant}: ${r.docbatch.error}\n`);

  const outDir = path.resolve('bench/results');
  await mkdir(outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = path.join(outDir, `${args.name}-${stamp}.json`);
  const settings = {
    rpm,
    itpm: limits.inputTokensPerMinute || null,
    documents: documentCount,
    latency,
    burstSeconds: limits.burstSeconds,
    docbatch: useDefaults ? 'defaults' : { chunkSize, concurrency },
    sweep: sweep.length > 0 ? { semaphores: sweep, documents: sweepDocuments } : null,
    maxActivitiesPerSecond: maxActivitiesPerSecond ?? null,
  };
  const report = {
    command: `npm run bench:ratelimit -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cores: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, shared: 'other engineers compile and test on this machine: see each variant loadAverage' },
    settings,
    results,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(file, json);
  await writeFile(path.join(outDir, `latest-${args.name}.json`), json);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)} and latest-${args.name}.json\n`);
  if (results.some((r) => r.docbatch?.error)) process.exitCode = 1;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
