import { messageBatchProgressOf } from '../../src/batch/message-batch-progress';
import type { Progress } from '../../src/batch/progress';

const minute = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

/** A batch in batch mode, half-way: 2 Message Batches waiting at Anthropic. */
export function batchModeProgress(): Progress {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const tally = { submitted: 120, resubmitted: 4, turnaroundsMs: [12 * minute] };
  const waiting = [
    { id: 'msgbatch_new', chunkIndex: 3, round: 1, requests: 4, createdAt: at(now - 2 * minute), expiresAt: at(now - 2 * minute + 24 * 60 * minute) },
    { id: 'msgbatch_old', chunkIndex: 2, round: 0, requests: 50, createdAt: at(now - 5 * minute), expiresAt: at(now - 5 * minute + 24 * 60 * minute) },
  ];
  return {
    batchId: 'b1', state: 'running', priority: 3, total: 200, processed: 60, succeeded: 58, failed: 2, cached: 0, inFlight: 100,
    chunks: { total: 4, done: 1, inFlight: 2 }, percent: 30, elapsedMs: 20 * minute, pausedMs: 0, etaMs: 25 * minute, docsPerSecond: 0.05,
    usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.5 }, outputDir: '/out/b1', run: 1,
    mode: 'batch', messageBatches: messageBatchProgressOf(tally, waiting, now),
  };
}

