import { z } from 'zod';
import { usageSchema } from '../extraction/usage';
import { chunkRange } from './chunks';
import type { ChunkCounts } from './counts';
import { extractionModes, type ExtractionMode } from './input';
import { messageBatchProgressSchema, type MessageBatchProgress } from './message-batch-progress';
import type { BatchSummary } from './summary';

/**
 * The progress shape (query `progress`, update results, `docbatch status --json`) and the pure
 * math behind it: elapsed time without pauses, throughput over a recent window, ETA.
 */

export const batchStates = ['planning', 'running', 'paused', 'cancelling', 'cancelled', 'completed', 'failed'] as const;
export type BatchState = (typeof batchStates)[number];

export const progressSchema = z.object({
  batchId: z.string(),
  state: z.enum(batchStates),
  pauseReason: z.string().optional(),
  priority: z.number().int().min(1).max(5),
  total: z.number().int().nonnegative(),
  processed: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cached: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  chunks: z.object({ total: z.number().int(), done: z.number().int(), inFlight: z.number().int() }),
  percent: z.number().min(0).max(100),
  elapsedMs: z.number().nonnegative(),
  pausedMs: z.number().nonnegative(),
  etaMs: z.number().nonnegative().nullable(),
  docsPerSecond: z.number().nonnegative().nullable(),
  usage: usageSchema,
  outputDir: z.string(),
  run: z.number().int().positive(),
  /** How documents reach Claude (absent from batches started before modes, and from ended batches whose summary predates modes). */
  mode: z.enum(extractionModes).optional(),
  /** Batch mode: documents submitted, Message Batches waiting at Anthropic (ids, age, expiry), their turnaround. */
  messageBatches: messageBatchProgressSchema.optional(),
  /** True while the source is still being listed: `total` is what is listed so far, and there is no ETA yet. */
  listing: z.boolean().optional(),
});
export type Progress = z.infer<typeof progressSchema>;

/** A point on the batch's active clock (paused time left out): documents processed by then. */
const throughputSampleSchema = z.object({ activeMs: z.number(), processed: z.number() });

/** The clock of a batch, carried across continue-as-new. All times are epoch ms. */
export const batchClockSchema = z.object({
  startedAt: z.number(),
  pausedMs: z.number(),
  pausedSince: z.number().nullable(),
  samples: z.array(throughputSampleSchema),
});
export type BatchClock = z.infer<typeof batchClockSchema>;

/** How many recent samples the throughput estimate looks at. */
export const THROUGHPUT_WINDOW = 20;
/** Chunk completions needed before a rate (and so an ETA) is given. */
const MIN_SAMPLES_FOR_RATE = 2;

export function startClock(now: number): BatchClock {
  return { startedAt: now, pausedMs: 0, pausedSince: null, samples: [] };
}

export function activeMs(clock: BatchClock, now: number): number {
  const pausedNow = clock.pausedSince === null ? 0 : now - clock.pausedSince;
  return Math.max(0, now - clock.startedAt - clock.pausedMs - pausedNow);
}

export function totalPausedMs(clock: BatchClock, now: number): number {
  return clock.pausedMs + (clock.pausedSince === null ? 0 : now - clock.pausedSince);
}

export function pauseClock(clock: BatchClock, now: number): BatchClock {
  return clock.pausedSince === null ? { ...clock, pausedSince: now } : clock;
}

export function resumeClock(clock: BatchClock, now: number): BatchClock {
  if (clock.pausedSince === null) return clock;
  return { ...clock, pausedMs: clock.pausedMs + (now - clock.pausedSince), pausedSince: null };
}

/** Records that `processed` documents are done at `now`; keeps the last THROUGHPUT_WINDOW + 1 samples. */
export function recordThroughput(clock: BatchClock, now: number, processed: number): BatchClock {
  const samples = [...clock.samples, { activeMs: activeMs(clock, now), processed }];
  return { ...clock, samples: samples.slice(-(THROUGHPUT_WINDOW + 1)) };
}

/** Documents per second over the recent window of active time, or null with too little to go on. */
export function recentRate(clock: BatchClock): number | null {
  const { samples } = clock;
  if (samples.length < MIN_SAMPLES_FOR_RATE) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const docs = last.processed - first.processed;
  const ms = last.activeMs - first.activeMs;
  if (docs <= 0 || ms <= 0) return null;
  return (docs / ms) * 1000;
}

/**
 * Time left at the recent rate. It is measured from the last completion, so it counts down
 * between completions and stands still while the batch is paused.
 */
export function estimateRemainingMs(clock: BatchClock, now: number, remaining: number): number | null {
  if (remaining <= 0) return 0;
  const rate = recentRate(clock);
  if (rate === null) return null;
  const last = clock.samples[clock.samples.length - 1]!;
  const sinceLast = activeMs(clock, now) - last.activeMs;
  return Math.max(0, Math.round((remaining / rate) * 1000 - sinceLast));
}

/**
 * The one percent formula (progress query, search attributes, `docbatch status` of an ended
 * batch): one decimal, rounded down, capped at 100. A batch of no documents is 0% while it runs
 * and 100% once it has ended.
 */
export function percentOf(processed: number, total: number, ended = false): number {
  if (total <= 0) return ended ? 100 : 0;
  return Math.min(100, Math.floor((processed / total) * 1000) / 10);
}

/** The states a batch ends in. */
export const finalStates: ReadonlySet<BatchState> = new Set(['cancelled', 'completed', 'failed']);

/** What the workflow knows about its batch at a moment: everything progress is derived from. */
export interface BatchView {
  batchId: string;
  mode: ExtractionMode;
  phase: BatchState;
  pauseReason: string | null;
  priority: number;
  /** Null while the batch is being planned; `listing` while its source is still being listed (totals so far). */
  plan: { total: number; chunkCount: number; batchDir: string; listing?: boolean } | null;
  chunkSize: number;
  doneChunks: number;
  inFlightChunks: number[];
  counts: ChunkCounts;
  clock: BatchClock;
  outputDir: string;
  run: number;
  /** Batch mode: its Message Batches, and the ETA from their turnaround (message-batch-progress.ts). */
  messageBatches?: { progress: MessageBatchProgress; etaMs: number | null };
}

export function progressOf(view: BatchView, now: number): Progress {
  const { plan, counts, clock } = view;
  const total = plan?.total ?? 0;
  const processed = counts.succeeded + counts.failed;
  const rate = recentRate(clock);
  const state: BatchState = view.phase === 'running' && view.pauseReason !== null ? 'paused' : view.phase;
  const over = finalStates.has(state);
  const chunkLength = (chunk: number) => {
    const { start, end } = chunkRange(chunk, view.chunkSize, total);
    return end - start;
  };
  return {
    batchId: view.batchId,
    state,
    ...(state === 'paused' ? { pauseReason: view.pauseReason! } : {}),
    priority: view.priority,
    total,
    processed,
    succeeded: counts.succeeded,
    failed: counts.failed,
    cached: counts.cached,
    inFlight: view.inFlightChunks.reduce((sum, chunk) => sum + chunkLength(chunk), 0),
    chunks: { total: plan?.chunkCount ?? 0, done: view.doneChunks, inFlight: view.inFlightChunks.length },
    percent: percentOf(processed, total, over),
    elapsedMs: activeMs(clock, now),
    pausedMs: totalPausedMs(clock, now),
    etaMs: over ? 0 : plan && !plan.listing ? etaOf(view, now, total - processed) : null,
    docsPerSecond: rate === null ? null : Math.round(rate * 1000) / 1000,
    usage: counts.usage,
    outputDir: plan?.batchDir ?? view.outputDir,
    run: view.run,
    mode: view.mode,
    ...(view.messageBatches ? { messageBatches: view.messageBatches.progress } : {}),
    ...(plan?.listing ? { listing: true } : {}),
  };
}

/** Realtime: from the recent rate of documents. Batch mode: from the turnaround of Message Batches, since results arrive a Message Batch at a time. */
function etaOf(view: BatchView, now: number, remaining: number): number | null {
  if (!view.messageBatches) return estimateRemainingMs(view.clock, now, remaining);
  return remaining <= 0 ? 0 : view.messageBatches.etaMs;
}

/** The progress of an ended batch, from its summary (no worker needed to answer a query). */
export function progressFromSummary(summary: BatchSummary, priority: number): Progress {
  return {
    batchId: summary.batchId,
    state: summary.state,
    priority,
    total: summary.total,
    processed: summary.processed,
    succeeded: summary.succeeded,
    failed: summary.failed,
    cached: summary.cached,
    inFlight: 0,
    chunks: { total: 0, done: 0, inFlight: 0 },
    percent: percentOf(summary.processed, summary.total, true),
    elapsedMs: summary.elapsedMs,
    pausedMs: summary.pausedMs,
    etaMs: 0,
    docsPerSecond: summary.documentsPerSecond,
    usage: summary.usage,
    outputDir: summary.outputDir,
    run: summary.runs,
    ...(summary.mode ? { mode: summary.mode } : {}),
  };
}
