/**
 * bench/message-batches (`npm run bench:batches`): what Message Batches mode saves, per 1,000
 * invoices, and what it costs in wall time: the same documents as three real batches, each on a
 * fresh Temporal dev server with a real worker process (bench/fixtures/ratelimit-worker.ts:
 * createDocbatchWorker, the Anthropic extractor) against its own in-process emulator:
 * - realtime: `mode: "realtime"`, one Messages API call per document (5-minute prompt cache);
 * - batch: `mode: "batch"` with the emulator's prompt cache out of reach (no cache hit at all,
 *   the ceiling of batch mode since Anthropic serves cache hits in batches on a best-effort basis);
 * - batch + cache: `mode: "batch"` with prompt caching as the API does it (1-hour TTL).
 * Documents: the valid sample invoices of samples/invoices (text, Markdown, PDF, scans) cycled to
 * `--documents`, each text copy with its own reference line; routing (default models) sends text
 * invoices to Haiku 4.5 and scans to Sonnet 4.6, as in production.
 *
 * Cost is what docbatch reports (the batch summary's usage, summed from the per-document journal),
 * checked against what the emulator billed (its request log priced by src/extraction/pricing.ts:
 * Message Batches requests at the batch price). Wall time runs from workflow start to its result;
 * in batch mode it is mostly the emulator's processing time per Message Batch (`--processing-ms`,
 * short here: the real API takes minutes to hours), so compare it with that, not with realtime.
 *
 *   npm run bench:batches -- [--documents 1000] [--processing-ms 5000] [--poll-interval 1s]
 *     [--latency 300-1200] [--rpm 4000] [--variants realtime,batch,batch-cache] [--chunk-size 50]
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { BatchSummary } from '../src/batch/summary';
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/emulator';
import { costOf } from '../src/extraction/pricing';
import { zeroUsage, type Usage } from '../src/extraction/usage';
import { ensureTemporalCli } from '../src/temporal/binary';
import { workflowsPath } from '../src/worker';
import { startDocbatchFleet, type DocbatchEnvironment } from './ratelimit-docbatch';

const { values: args } = parseArgs({
  options: {
    documents: { type: 'string', default: '1000' },
    'processing-ms': { type: 'string', default: '5000' },
    'poll-interval': { type: 'string', default: '1s' },
    latency: { type: 'string', default: '300-1200' },
    rpm: { type: 'string', default: '4000' },
    variants: { type: 'string', default: 'realtime,batch,batch-cache' },
    'chunk-size': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const documentCount = Number(args.documents);
const processingMs = Number(args['processing-ms']);
const pollInterval = args['poll-interval'];
const [latencyMin, latencyMax = latencyMin] = args.latency.split('-').map(Number) as [number, number?];
const latency = { minMs: latencyMin, maxMs: latencyMax };
const chunkSize = args['chunk-size'] ? Number(args['chunk-size']) : undefined;
const rpm = Number(args.rpm);
const apiKey = 'test-key';
/** Batch mode should cost at most this share of realtime for the same documents (issue 12). */
const TARGET_RATIO = 0.55;
const log = (message: string) => process.stderr.write(`${message}\n`);

interface Variant {
  name: 'realtime' | 'batch' | 'batch-cache';
  label: string;
  mode: 'realtime' | 'batch';
  /** Prompt caching out of reach: every model's minimum cacheable prefix beyond any prompt. */
  noCacheHits: boolean;
}

const allVariants: Variant[] = [
  { name: 'realtime', label: 'realtime', mode: 'realtime', noCacheHits: false },
  { name: 'batch', label: 'batch (no cache hits)', mode: 'batch', noCacheHits: true },
  { name: 'batch-cache', label: 'batch + cache', mode: 'batch', noCacheHits: false },
];

interface VariantResult {
  variant: Variant['name'];
  label: string;
  documents: number;
  succeeded: number;
  failed: number;
  /** What docbatch reports (batch summary). */
  usage: Usage;
  usageByModel: Record<string, Usage>;
  costPer1000Usd: number;
  /** The emulator's request log priced by the pricing table (Message Batches requests at the batch price). */
  billedUsd: number;
  /** Requests the emulator answered: realtime calls and Message Batches requests. */
  realtimeCalls: number;
  messageBatchRequests: number;
  messageBatches: number;
  wallMs: number;
  error?: string;
}

async function main(): Promise<void> {
  if (args.help) {
    process.stdout.write(`${usageText()}\n`);
    return;
  }
  const variants = args.variants.split(',').map((name) => {
    const variant = allVariants.find((v) => v.name === name.trim());
    if (!variant) throw new Error(`--variants: unknown "${name}" (known: ${allVariants.map((v) => v.name).join(', ')})`);
    return variant;
  });
  const startedAt = new Date();
  log(`bench/message-batches: ${documentCount} invoices, emulator processing ${processingMs} ms per Message Batch, poll every ${pollInterval}, realtime latency ${latency.minMs}-${latency.maxMs} ms at ${rpm} requests/min`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-batches-'));
  const results: VariantResult[] = [];
  try {
    const cli = await ensureTemporalCli({ log });
    const docsDir = path.join(workDir, 'documents');
    const mix = await invoiceMix(docsDir, documentCount);
    log(`documents: ${Object.entries(mix).map(([kind, count]) => `${count} ${kind}`).join(', ')}`);
    log('bundling the workflow code …');
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    const workflowBundlePath = path.join(workDir, 'workflow-bundle.js');
    await writeFile(workflowBundlePath, bundle.code);
    const env: DocbatchEnvironment = { cliPath: cli.path, workflowBundlePath, workDir, docsDir, documents: documentCount, log };
    for (const variant of variants) {
      const result = await runVariant(env, variant);
      log(`  ${result.label}: ${formatUsd(result.usage.costUsd)} (${formatUsd(result.costPer1000Usd)} per 1,000), ${(result.wallMs / 1000).toFixed(1)} s${result.error ? `, ERROR ${result.error}` : ''}`);
      results.push(result);
    }

    const realtime = results.find((r) => r.variant === 'realtime');
    const ratio = (r: VariantResult) => (realtime && realtime.usage.costUsd > 0 ? r.usage.costUsd / realtime.usage.costUsd : null);
    process.stdout.write(`\n${table(results, ratio)}\n\n`);
    const batchRows = results.filter((r) => r.variant !== 'realtime');
    const targets = batchRows.map((r) => ({ variant: r.variant, ratio: ratio(r), met: ratio(r) !== null && ratio(r)! <= TARGET_RATIO }));
    for (const t of targets) process.stdout.write(`target: ${t.variant} <= ${TARGET_RATIO} x realtime cost: ${t.ratio === null ? 'no realtime run to compare' : `${t.ratio.toFixed(3)} x, ${t.met ? 'met' : 'NOT met'}`}\n`);
    process.stdout.write(`wall time in batch mode is the emulator's ${processingMs} ms of processing per Message Batch plus polling every ${pollInterval}: the real API takes minutes to hours (most batches within an hour, at most 24 h).\n`);

    const report = {
      name: 'message-batches',
      command: `npm run bench:batches -- ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { cpus: os.availableParallelism(), node: process.version, temporalCli: cli.version },
      settings: { documents: documentCount, mix, processingMs, pollInterval, latency, requestsPerMinute: rpm, chunkSize: chunkSize ?? 'default', targetRatio: TARGET_RATIO },
      results: results.map((r) => ({ ...r, ratioToRealtime: ratio(r) })),
      targets,
    };
    const outDir = path.resolve('bench/results');
    await mkdir(outDir, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const file = path.join(outDir, `message-batches-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, json);
    await writeFile(path.join(outDir, 'latest-message-batches.json'), json);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)} and latest-message-batches.json\n`);
    if (results.some((r) => r.error !== undefined || r.succeeded + r.failed !== r.documents)) process.exitCode = 1;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function runVariant(env: DocbatchEnvironment, variant: Variant): Promise<VariantResult> {
  const options: EmulatorOptions = {
    latency,
    // The emulator's rate-limit headers pace docbatch's limiter as a real key's do (it opens at 60/min without them).
    requestsPerMinute: rpm,
    messageBatches: { processingMs },
    ...(variant.noCacheHits ? { minCacheableTokens: 1_000_000_000 } : {}),
  };
  const emulator = await startEmulator(options);
  const fleet = await startDocbatchFleet(
    env,
    { workers: 1, chunkSize, input: { mode: variant.mode, messageBatches: { pollInterval } } },
    emulator.url,
    apiKey,
    variant.name,
  );
  try {
    log(`${variant.label}: ${documentCount} documents …`);
    const { startedAt, summary, error } = await fleet.run();
    const wallMs = Date.now() - startedAt;
    return measure(variant, summary, emulator, wallMs, error);
  } finally {
    await fleet.stop();
    await emulator.stop();
  }
}

function measure(variant: Variant, summary: BatchSummary | null, emulator: Emulator, wallMs: number, error: string | undefined): VariantResult {
  const answered = emulator.log.filter((entry) => entry.status === 200 && entry.model !== undefined);
  const billedUsd = answered.reduce((sum, entry) => sum + costOf(entry.model!, entry, { batch: entry.via === 'message-batch' }), 0);
  const usage = summary?.usage ?? zeroUsage;
  return {
    variant: variant.name,
    label: variant.label,
    documents: documentCount,
    succeeded: summary?.succeeded ?? 0,
    failed: summary?.failed ?? 0,
    usage,
    usageByModel: summary?.usageByModel ?? {},
    costPer1000Usd: round((usage.costUsd / documentCount) * 1000, 4),
    billedUsd: round(billedUsd, 6),
    realtimeCalls: answered.filter((entry) => entry.via === 'messages').length,
    messageBatchRequests: answered.filter((entry) => entry.via === 'message-batch').length,
    messageBatches: new Set(answered.flatMap((entry) => (entry.batchId ? [entry.batchId] : []))).size,
    wallMs,
    ...(error !== undefined ? { error } : {}),
  };
}

function table(results: VariantResult[], ratio: (r: VariantResult) => number | null): string {
  const header = ['variant', 'docs', 'ok', 'failed', 'cost', 'per 1,000', 'x realtime', 'billed', 'input', 'cache write', 'cache read', 'output', 'calls', 'batch reqs', 'msg batches', 'wall s'];
  const rows = results.map((r) => [
    r.label,
    String(r.documents),
    String(r.succeeded),
    String(r.failed),
    formatUsd(r.usage.costUsd),
    formatUsd(r.costPer1000Usd),
    ratio(r) === null ? '–' : ratio(r)!.toFixed(3),
    formatUsd(r.billedUsd),
    String(r.usage.inputTokens),
    String(r.usage.cacheWriteTokens),
    String(r.usage.cacheReadTokens),
    String(r.usage.outputTokens),
    String(r.realtimeCalls),
    String(r.messageBatchRequests),
    String(r.messageBatches),
    (r.wallMs / 1000).toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * `count` invoices cycled from the valid samples (broken-* left out): text and Markdown copies get
 * their own reference line, PDFs and scans are copied as they are (the result cache is off).
 */
async function invoiceMix(dir: string, count: number): Promise<Record<string, number>> {
  const samples = path.resolve('samples/invoices');
  const names = (await readdir(samples)).filter((name) => !name.startsWith('broken-')).sort();
  await mkdir(dir, { recursive: true });
  const mix: Record<string, number> = {};
  for (let index = 0; index < count; index++) {
    const name = names[index % names.length]!;
    const extension = path.extname(name).slice(1);
    mix[extension] = (mix[extension] ?? 0) + 1;
    const target = path.join(dir, `invoice-${String(index).padStart(5, '0')}-${name}`);
    if (extension === 'txt' || extension === 'md') await writeFile(target, `${await readFile(path.join(samples, name), 'utf8')}\nReference copy ${index}.\n`);
    else await copyFile(path.join(samples, name), target);
  }
  return mix;
}

function formatUsd(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

function usageText(): string {
  return `npm run bench:batches -- [options]

  --documents <n>        invoices (default 1000)
  --processing-ms <ms>   emulator: time a Message Batch takes (default 5000)
  --poll-interval <d>    batch input messageBatches.pollInterval (default 1s)
  --latency <min-max>    emulator: realtime answer latency in ms (default 300-1200)
  --rpm <n>              emulator: the key's requests per minute, in its rate-limit headers (default 4000)
  --variants <list>      realtime,batch,batch-cache (default all three)
  --chunk-size <n>       documents per chunk (default: the batch input's)`;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

