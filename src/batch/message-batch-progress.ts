import { z } from 'zod';

/**
 * Progress of a batch in batch mode (`mode: "batch"`): documents submitted as Message Batches,
 * the Message Batches still waiting at Anthropic, and an ETA from their observed turnaround.
 * Pure: the workflow keeps the state, the progress query derives the view from it.
 */

/** What a batch in batch mode has counted so far; carried across continue-as-new. */
export const messageBatchTallySchema = z.object({
  /** Documents sent in a first submission (round 0). */
  submitted: z.number().int().nonnegative(),
  /** Documents sent again after they expired or met a server error (rounds 1 and later). */
  resubmitted: z.number().int().nonnegative(),
  /** Created -> ended of recent Message Batches, as Anthropic timed them (ms), oldest first. */
  turnaroundsMs: z.array(z.number().nonnegative()),
});
export type MessageBatchTally = z.infer<typeof messageBatchTallySchema>;

/** How many recent turnarounds the typical one is taken from. */
export const TURNAROUND_WINDOW = 20;

export function emptyTally(): MessageBatchTally {
  return { submitted: 0, resubmitted: 0, turnaroundsMs: [] };
}

export function recordSubmission(tally: MessageBatchTally, round: number, documents: number): MessageBatchTally {
  return round === 0 ? { ...tally, submitted: tally.submitted + documents } : { ...tally, resubmitted: tally.resubmitted + documents };
}

/** A Message Batch has ended: its turnaround joins the recent window. */
export function recordTurnaround(tally: MessageBatchTally, createdAt: string, endedAt: string): MessageBatchTally {
  const ms = Date.parse(endedAt) - Date.parse(createdAt);
  if (!Number.isFinite(ms)) return tally;
  return { ...tally, turnaroundsMs: [...tally.turnaroundsMs, Math.max(0, ms)].slice(-TURNAROUND_WINDOW) };
}

/** The median of the recent turnarounds (one slow Message Batch does not swing it), or null before any has ended. */
export function typicalTurnaroundMs(tally: MessageBatchTally): number | null {
  const sorted = [...tally.turnaroundsMs].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** Where a chunk in flight stands in its submit -> wait -> collect cycle. */
export type ChunkStage =
  | { stage: 'submitting' }
  /** `createdAt`: epoch ms of each of its Message Batches not yet ended. */
  | { stage: 'waiting'; createdAt: number[] }
  | { stage: 'collecting' };

export interface MessageBatchEtaInput {
  now: number;
  /** The typical turnaround (typicalTurnaroundMs); null: no Message Batch has ended yet. */
  turnaroundMs: number | null;
  inFlight: ChunkStage[];
  /** Chunks not started yet. */
  pendingChunks: number;
  /** Chunks the batch runs at once (its `concurrency`). */
  concurrency: number;
}

/**
 * Time until the last chunk is collected, assuming each Message Batch takes the typical
 * turnaround: a chunk waiting at Anthropic needs what is left of it (counted from its newest
 * Message Batch; one past the typical turnaround is taken to end now), a chunk being submitted a
 * whole one, a chunk being collected none; pending chunks take the slots as they free up, each a
 * whole turnaround. Collection time and resubmission rounds are left out. A paused batch is
 * estimated as if resumed now. Null until a Message Batch has ended.
 */
export function messageBatchEtaMs({ now, turnaroundMs, inFlight, pendingChunks, concurrency }: MessageBatchEtaInput): number | null {
  if (turnaroundMs === null) return null;
  const left = (chunk: ChunkStage): number => {
    if (chunk.stage === 'submitting') return turnaroundMs;
    if (chunk.stage === 'collecting' || chunk.createdAt.length === 0) return 0;
    return Math.max(0, turnaroundMs - (now - Math.max(...chunk.createdAt)));
  };
  const slots = Math.max(1, concurrency, inFlight.length);
  const freeAt = [...inFlight.map(left), ...Array<number>(slots - inFlight.length).fill(0)].sort((a, b) => a - b);
  // Equal jobs on the earliest free slot in turn: the first (pending % slots) slots take one more.
  const perSlot = Math.floor(pendingChunks / slots);
  const extra = pendingChunks % slots;
  const finish = freeAt.map((free, slot) => free + (perSlot + (slot < extra ? 1 : 0)) * turnaroundMs);
  return Math.round(Math.max(0, ...finish));
}

/** A Message Batch at Anthropic as progress shows it. */
export const waitingMessageBatchSchema = z.object({
  id: z.string(),
  chunkIndex: z.number().int().nonnegative(),
  /** 0: first submission; 1 and later: resubmissions. */
  round: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  createdAt: z.string(),
  expiresAt: z.string(),
  ageMs: z.number().nonnegative(),
  /** Until Anthropic expires what it has not done (0 once past). */
  expiresInMs: z.number().nonnegative(),
});
export type WaitingMessageBatch = z.infer<typeof waitingMessageBatchSchema>;

/** The batch-mode part of the progress query. */
export const messageBatchProgressSchema = z.object({
  submitted: z.number().int().nonnegative(),
  resubmitted: z.number().int().nonnegative(),
  /** Documents in Message Batches that have not ended. */
  waiting: z.number().int().nonnegative(),
  /** The typical turnaround the ETA uses; null before any Message Batch has ended. */
  turnaroundMs: z.number().nonnegative().nullable(),
  /** Oldest first. */
  waitingBatches: z.array(waitingMessageBatchSchema),
});
export type MessageBatchProgress = z.infer<typeof messageBatchProgressSchema>;

/** A Message Batch not yet ended, as the workflow recorded it when submitChunk returned. */
export interface MessageBatchAtAnthropic {
  id: string;
  chunkIndex: number;
  round: number;
  requests: number;
  createdAt: string;
  expiresAt: string;
}

export function messageBatchProgressOf(tally: MessageBatchTally, waiting: MessageBatchAtAnthropic[], now: number): MessageBatchProgress {
  const since = (iso: string) => {
    const at = Date.parse(iso);
    return Number.isFinite(at) ? now - at : 0;
  };
  const waitingBatches = waiting
    .map((batch) => ({ ...batch, ageMs: Math.max(0, since(batch.createdAt)), expiresInMs: Math.max(0, -since(batch.expiresAt)) }))
    .sort((a, b) => b.ageMs - a.ageMs || a.id.localeCompare(b.id));
  return {
    submitted: tally.submitted,
    resubmitted: tally.resubmitted,
    waiting: waiting.reduce((sum, batch) => sum + batch.requests, 0),
    turnaroundMs: typicalTurnaroundMs(tally),
    waitingBatches,
  };
}
