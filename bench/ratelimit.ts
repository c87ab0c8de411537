/**
 * bench/ratelimit: how close to the API's request limit a batch runs, and how often it is told
 * 429, side by side with the loop people write first.
 *
 * Every variant gets its own emulator at R requests/min (latency uniform 1–4 s, the bucket
 * holding 10 s of the limit, so the limit is enforced over 10-second intervals) and the same N
 * distinct text invoices (a sample invoice with a distinct reference line each):
 * - docbatch, 1 worker / 3 workers: a real batch (extractor "anthropic", cache off, chunkSize 1,
 *   concurrency C chunks) on a fresh Temporal dev server, run by 1 or 3 worker processes
 *   (bench/fixtures/ratelimit-worker.ts: createDocbatchWorker with ANTHROPIC_BASE_URL = the
 *   emulator), each pacing with its own adaptive limiter (src/extraction/rate-limit.ts). SDK
 *   retries are off; a 429 fails the activity with nextRetryDelay = retry-after and Temporal
 *   retries it. The fleet is up before the clock starts; the batch's planning is in the ramp-up.
 * - plain, semaphore 5 / 20 / 50: `client.messages.create` with the SDK's default retries (2,
 *   honouring retry-after), at most K requests in flight; a document whose retries run out is
 *   retried by the loop, so every variant finishes every document.
 * The docbatch variants run one after another, alone (2 cores: server, workers and emulator
 * compete for them); then the plain variants run together, each against its own emulator.
 *
 * Measured from the emulator's side for every variant (bench/ratelimit-measure.ts): each request's
 * answer time (the log's status turning non-zero, polled every 25 ms);
 * - sustained = successful answers per minute between the 10th and 90th percentile of the
 *   successful answers' times, (i90 - i10) / (t[i90] - t[i10]), as a fraction of R;
 * - late = the same between the 50th and 90th percentile (the bucket's initial burst spent);
 * - 429 share = requests answered 429 / all requests the emulator received;
 * - overall = documents / (last successful answer - start).
 *
 *   npm run bench:ratelimit -- [--rpm 600] [--documents 500] [--concurrency C] [--chunk-size 1]
 *     [--variants docbatch-1,docbatch-3,plain-5,plain-20,plain-50] [--max-activities-per-second N]
 *     [--latency 1000-4000] [--defaults]
 * --defaults runs docbatch as a new user would: no chunk size, concurrency or activity slots set
 * (the batch input's and the worker's defaults); `plain-K` takes any K.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEmulator, type Emulator } from '../src/emulator';
import type { SourceDocument } from '../src/extraction/extractor';
import { invoiceSchema } from '../src/extraction/schemas/invoice';
import { ensureTemporalCli } from '../src/temporal/binary';
import { workflowsPath } from '../src/worker';
import { startDocbatchFleet, type DocbatchEnvironment, type DocbatchSettings, type LimiterSample } from './ratelimit-docbatch';
import { allProcessCpu, busyShare, CompletionRecorder, cpuSample, throughput, topCpu, type Throughput } from './ratelimit-measure';

const { values: args } = parseArgs({
  options: {
    rpm: { type: 'string', default: '600' },
    documents: { type: 'string', default: '500' },
    concurrency: { type: 'string' },
    'chunk-size': { type: 'string', default: '1' },
    'max-activities-per-second': { type: 'string' },
    variants: { type: 'string', default: 'docbatch-1,docbatch-3,plain-5,plain-20,plain-50' },
    latency: { type: 'string', default: '1000-4000' },
    defaults: { type: 'boolean', default: false },
  },
});
const rpm = Number(args.rpm);
const documentCount = Number(args.documents);
const [latencyMin, latencyMax = latencyMin] = args.latency.split('-').map(Number) as [number, number?];
const latency = { minMs: latencyMin, maxMs: latencyMax };
const useDefaults = args.defaults;
const burstSeconds = 10;
const bucketCapacity = (rpm * burstSeconds) / 60;
const apiKey = 'test-key';
const models = { simple: 'claude-haiku-4-5', complex: 'claude-sonnet-4-5', escalation: 'claude-sonnet-4-5' };
const chunkSize = Number(args['chunk-size']);
// Requests in flight at R: R/60 x latency, 25 on average at 600/min and 2.5 s; cover the slowest
// answers (4 s) so the limiter, not the window, sets the pace.
const concurrency = args.concurrency ? Number(args.concurrency) : Math.ceil((rpm / 60) * (latency.maxMs / 1000) / chunkSize);
const maxActivitiesPerSecond = args['max-activities-per-second'] ? Number(args['max-activities-per-second']) : undefined;
const variants = new Set(args.variants.split(',').map((name) => name.trim()));
const log = (message: string) => process.stderr.write(`${message}\n`);

interface VariantResult extends Throughput {
  variant: string;
  documents: number;
  failedDocuments: number;
  overallPerMinute: number;
  /** Machine-wide CPU busy share (all cores) while the variant ran. */
  cpuBusy: number;
  /** Processes that used the most CPU meanwhile (this bench's and anyone else's on the machine). */
  topProcesses: Array<{ pid: number; command: string; cpuSeconds: number }>;
  docbatch?: {
    settings: DocbatchSettings;
    /** Chunk activity retries in the workflow history (each 429 an activity saw is one). */
    activityRetries: number;
    error?: string;
    limiterTrace: LimiterSample[];
  };
}

function invoiceTexts(count: number): string[] {
  const text = readFileSync(path.resolve('samples/invoices/invoice-02-two-column.txt'), 'utf8');
  return Array.from({ length: count }, (_, index) => `${text}\nReference copy ${index}.\n`);
}
const texts = invoiceTexts(documentCount);
const invoices = (): SourceDocument[] =>
  texts.map((text, index) => ({ path: `bench-${index}.txt`, mediaType: 'text/plain' as const, bytes: Buffer.from(text) }));

/** Runs `work` over every document with at most `concurrency` at once. */
async function runPool(documents: SourceDocument[], poolSize: number, work: (document: SourceDocument) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: poolSize }, async () => {
      while (next < documents.length) await work(documents[next++]!);
    }),
  );
}

/** The plain loop: a fixed semaphore and the SDK's default retries. */
async function runPlain(emulator: Emulator, poolSize: number): Promise<void> {
  const client = new Anthropic({ apiKey, baseURL: emulator.url });
  const format = zodOutputFormat(invoiceSchema);
  await runPool(invoices(), poolSize, async (document) => {
    for (;;) {
      try {
        await client.messages.create({
          model: models.simple,
          max_tokens: 4096,
          messages: [{ role: 'user', content: [{ type: 'text', text: `<document>\n${document.bytes.toString('utf8')}\n</document>` }, { type: 'text', text: 'Extract the invoice.' }] }],
          output_config: { format: { type: format.type, schema: format.schema } },
        });
        return;
      } catch (error) {
        if (!(error instanceof Anthropic.APIError) || (error.status !== 429 && error.status !== 529)) throw error;
      }
    }
  });
}

const newEmulator = () => startEmulator({ requestsPerMinute: rpm, burstSeconds, latency, seed: 42, validKeys: [apiKey] });

function result(variant: string, recorder: CompletionRecorder, startedAt: number, cpu: { busy: number; topProcesses: VariantResult['topProcesses'] }, failedDocuments = 0): VariantResult {
  const measured = throughput(recorder, startedAt, rpm, bucketCapacity);
  const lastOk = Math.max(...recorder.answered.filter((entry) => entry.status === 200).map((entry) => entry.doneAt));
  return {
    variant,
    documents: measured.succeeded,
    failedDocuments,
    overallPerMinute: Math.round((measured.succeeded / (lastOk - startedAt)) * 60_000),
    cpuBusy: cpu.busy,
    topProcesses: cpu.topProcesses,
    ...measured,
  };
}

async function cpuWatch(): Promise<() => Promise<{ busy: number; topProcesses: VariantResult['topProcesses'] }>> {
  const [machine, processes] = [cpuSample(), await allProcessCpu()];
  return async () => ({ busy: busyShare(machine, cpuSample()), topProcesses: topCpu(processes, await allProcessCpu()) });
}

async function runDocbatchVariant(env: DocbatchEnvironment, workers: number): Promise<VariantResult> {
  const variant = `docbatch, ${workers} worker${workers === 1 ? '' : 's'}`;
  const settings: DocbatchSettings = useDefaults
    ? { workers, maxActivitiesPerSecond }
    : { workers, chunkSize, concurrency, slotsPerWorker: Math.ceil(concurrency / workers) + 2, maxActivitiesPerSecond };
  log(
    `${variant}: starting a dev server and ${workers} worker process(es); batch of ${documentCount} documents, ` +
      (useDefaults ? 'default settings' : `chunkSize ${chunkSize}, concurrency ${concurrency}, ${settings.slotsPerWorker} activity slots per worker`),
  );
  const emulator = await newEmulator();
  const fleet = await startDocbatchFleet(env, settings, emulator.url, apiKey, `w${workers}`);
  try {
    const recorder = new CompletionRecorder(emulator);
    const cpu = await cpuWatch();
    const outcome = await fleet.run();
    recorder.stop();
    const measured = result(variant, recorder, outcome.startedAt, await cpu(), outcome.summary?.failed ?? 0);
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

async function runPlainVariants(sizes: number[]): Promise<VariantResult[]> {
  if (sizes.length === 0) return [];
  log(`plain loop, semaphore ${sizes.join(' / ')}: together, each against its own emulator`);
  const cpu = await cpuWatch();
  const runs = await Promise.all(
    sizes.map(async (size) => {
      const emulator = await newEmulator();
      const recorder = new CompletionRecorder(emulator);
      const startedAt = Date.now();
      try {
        await runPlain(emulator, size);
        recorder.stop();
        return { size, recorder, startedAt };
      } finally {
        await emulator.stop();
      }
    }),
  );
  const usage = await cpu();
  return runs.map(({ size, recorder, startedAt }) => result(`plain, semaphore ${size}`, recorder, startedAt, usage));
}

async function main(): Promise<void> {
  const startedAt = new Date();
  log(`bench/ratelimit: R = ${rpm} requests/min, ${documentCount} documents, latency ${latency.minMs}-${latency.maxMs} ms, bucket ${burstSeconds} s of R; variants ${[...variants].join(', ')}`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-ratelimit-'));
  const results: VariantResult[] = [];
  try {
    const docbatchWorkers = [1, 3].filter((workers) => variants.has(`docbatch-${workers}`));
    if (docbatchWorkers.length > 0) {
      const cli = await ensureTemporalCli({ log });
      const docsDir = path.join(workDir, 'documents');
      await mkdir(docsDir, { recursive: true });
      await Promise.all(texts.map((text, index) => writeFile(path.join(docsDir, `invoice-${String(index).padStart(5, '0')}.txt`), text)));
      log('bundling the workflow code …');
      const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
      const workflowBundlePath = path.join(workDir, 'workflow-bundle.js');
      await writeFile(workflowBundlePath, bundle.code);
      const env: DocbatchEnvironment = { cliPath: cli.path, workflowBundlePath, workDir, docsDir, documents: documentCount, log };
      for (const workers of docbatchWorkers) {
        const measured = await runDocbatchVariant(env, workers);
        log(`  ${measured.variant}: ${measured.sustainedFractionOfR.toFixed(3)} x R sustained, ${(measured.rateLimitedShare * 100).toFixed(2)}% 429s, CPU ${Math.round(measured.cpuBusy * 100)}% busy`);
        results.push(measured);
      }
    }
    const plainSizes = [...variants].flatMap((name) => (/^plain-(\d+)$/.exec(name) ? [Number(name.slice('plain-'.length))] : []));
    results.push(...(await runPlainVariants(plainSizes)));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const header = ['variant', 'docs', 'sustained docs/min', 'x R', 'late x R', 'overall docs/min', 'requests', '429s', '429 share', 'CPU busy'];
  const rows = results.map((r) => [
    r.variant,
    String(r.documents),
    String(r.sustainedPerMinute),
    r.sustainedFractionOfR.toFixed(3),
    r.lateFractionOfR.toFixed(3),
    String(r.overallPerMinute),
    String(r.requests),
    String(r.rateLimited),
    `${(r.rateLimitedShare * 100).toFixed(2)}%`,
    `${Math.round(r.cpuBusy * 100)}%`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(
    `target: docbatch >= 0.950 x R sustained and <= 1.00% 429s; R = ${rpm}/min, ${documentCount} documents, latency ${latency.minMs}-${latency.maxMs} ms, ` +
      `${useDefaults ? 'docbatch with default settings' : `concurrency ${concurrency} chunks of ${chunkSize}`}\n`,
  );
  for (const r of results) if (r.docbatch?.error) process.stdout.write(`${r.variant}: ${r.docbatch.error}\n`);

  const outDir = path.resolve('bench/results');
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `ratelimit-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const settings = useDefaults
    ? { rpm, documents: documentCount, latency, burstSeconds, bucketCapacity, docbatch: 'defaults', maxActivitiesPerSecond: maxActivitiesPerSecond ?? null }
    : { rpm, documents: documentCount, latency, burstSeconds, bucketCapacity, chunkSize, concurrency, maxActivitiesPerSecond: maxActivitiesPerSecond ?? null };
  await writeFile(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), cores: os.cpus().length, settings, results }, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
