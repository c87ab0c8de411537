import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { chunkRange } from '../../src/batch/chunks';
import type {
  AwaitMessageBatchInput,
  AwaitMessageBatchResult,
  CancelMessageBatchInput,
  CollectChunkInput,
  CollectChunkResult,
  MessageBatchActivities,
  SubmitChunkInput,
  SubmitChunkResult,
} from '../../src/batch/message-batches';
import { zeroUsage } from '../../src/extraction/usage';

/**
 * Anthropic's Message Batches as plain functions, for the workflow's batch-mode lifecycle in
 * seconds: each submitChunk creates (once per chunk and round) a Message Batch that ends after
 * `checksToEnd` checks, or when the test ends it; `resubmits(chunk, round)` documents of a round
 * come back for the next one (errored or expired); cancel ends a Message Batch at its next check,
 * its other documents canceled. Every call is recorded with the attempt and priority it ran with.
 */
export interface FakeMessageBatch {
  id: string;
  chunkIndex: number;
  round: number;
  requests: number;
  createdAt: string;
  endedAt: string | null;
  cancelRequested: boolean;
  /** awaitMessageBatch attempts that found it (still running or ended). */
  checks: number;
  /** Held: never ends by itself (cancel or end() ends it). */
  held: boolean;
}

export interface FakeMessageBatches {
  batches: Map<string, FakeMessageBatch>;
  calls: { activity: keyof MessageBatchActivities; chunkIndex?: number; round?: number; id?: string; attempt: number; priority: number | undefined }[];
  /** Checks a Message Batch takes to end (not held ones). */
  checksToEnd: number;
  /** Documents of a chunk's round that expire or meet a server error (sent again in the next round). */
  resubmits: (chunk: number, round: number) => number;
  /** Chunks whose documents are all journaled already (cached): submitChunk creates nothing. */
  settledWithoutClaude: Set<number>;
  /** Chunks whose first Message Batch (round 0) is held until end() or a cancel. */
  held: Set<number>;
  end(id: string): void;
  idOf(chunk: number, round: number): string;
  activities: MessageBatchActivities;
}

export function fakeMessageBatches(total: number): FakeMessageBatches {
  const fake: FakeMessageBatches = {
    batches: new Map(),
    calls: [],
    checksToEnd: 3,
    resubmits: () => 0,
    settledWithoutClaude: new Set(),
    held: new Set(),
    end(id) {
      const batch = fake.batches.get(id)!;
      batch.endedAt ??= new Date().toISOString();
    },
    idOf: (chunk, round) => `msgbatch_fake_c${chunk}_r${round}`,
    activities: {
      submitChunk: async ({ chunkIndex, chunkSize: size, round }: SubmitChunkInput): Promise<SubmitChunkResult> => {
        record('submitChunk', { chunkIndex, round });
        if (fake.settledWithoutClaude.has(chunkIndex)) return { chunkIndex, messageBatches: [] };
        const requests = round === 0 ? documentsOf(chunkIndex, size) : fake.resubmits(chunkIndex, round - 1);
        if (requests === 0) return { chunkIndex, messageBatches: [] };
        const id = fake.idOf(chunkIndex, round);
        // Idempotent, as the real one: a second call for the same round reuses the recorded Message Batch.
        const batch = fake.batches.get(id) ?? {
          id,
          chunkIndex,
          round,
          requests,
          createdAt: new Date().toISOString(),
          endedAt: null,
          cancelRequested: false,
          checks: 0,
          held: round === 0 && fake.held.has(chunkIndex),
        };
        fake.batches.set(id, batch);
        const expiresAt = new Date(Date.parse(batch.createdAt) + 24 * 3600_000).toISOString();
        return { chunkIndex, messageBatches: [{ id, chunkIndex, requests, createdAt: batch.createdAt, expiresAt }] };
      },
      awaitMessageBatch: async ({ id }: AwaitMessageBatchInput): Promise<AwaitMessageBatchResult> => {
        record('awaitMessageBatch', { id });
        const batch = fake.batches.get(id);
        if (!batch) throw ApplicationFailure.nonRetryable(`no Message Batch ${id}`, 'InvalidInput');
        batch.checks++;
        if (batch.endedAt === null && (batch.cancelRequested || (!batch.held && batch.checks >= fake.checksToEnd))) batch.endedAt = new Date().toISOString();
        if (batch.endedAt === null) throw ApplicationFailure.retryable(`Message Batch ${id} is in progress`, 'MessageBatchInProgress');
        const resubmit = fake.resubmits(batch.chunkIndex, batch.round);
        const canceled = batch.cancelRequested ? batch.requests - resubmit : 0;
        return { id, endedAt: batch.endedAt, requestCounts: { succeeded: batch.requests - canceled - resubmit, errored: resubmit, canceled, expired: 0 } };
      },
      collectChunk: async ({ chunkIndex, chunkSize: size, round, messageBatches }: CollectChunkInput): Promise<CollectChunkResult> => {
        record('collectChunk', { chunkIndex, round });
        const documents = documentsOf(chunkIndex, size);
        const resubmit = messageBatches.length === 0 ? 0 : fake.resubmits(chunkIndex, round);
        const canceled = messageBatches.reduce((sum, ref) => sum + (fake.batches.get(ref.id)?.cancelRequested ? ref.requests - resubmit : 0), 0);
        // The journal's counts: canceled documents are not journaled; those to resend are not yet.
        const journaled = documents - canceled - resubmit;
        return { chunkIndex, documents: journaled, succeeded: journaled, failed: 0, cached: 0, extractedNow: journaled, usage: { ...zeroUsage }, resubmit };
      },
      cancelMessageBatch: async ({ id }: CancelMessageBatchInput): Promise<void> => {
        record('cancelMessageBatch', { id });
        const batch = fake.batches.get(id);
        if (batch && batch.endedAt === null) batch.cancelRequested = true;
      },
    },
  };
  const documentsOf = (chunk: number, size: number) => {
    const { start, end } = chunkRange(chunk, size, total);
    return end - start;
  };
  function record(activity: keyof MessageBatchActivities, what: { chunkIndex?: number; round?: number; id?: string }) {
    const { attempt, priority } = Context.current().info;
    fake.calls.push({ activity, ...what, attempt, priority: priority?.priorityKey });
  }
  return fake;
}
