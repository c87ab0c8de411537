import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchActivities, ExtractChunkInput, ExtractChunkResult, LocateDocumentsInput, PlanBatchInput, WriteReportInput } from '../../src/batch/activities';
import { zeroUsage } from '../../src/extraction/usage';
import type { BatchSummary } from '../../src/batch/summary';
import { failureTypes } from '../../src/batch/failures';

/**
 * Plain functions in place of docbatch's activities, for fast tests of the workflow's control
 * logic: no files, no extractor. A batch of `total` documents named doc-000…; each chunk reports
 * `failedPerChunk(chunk)` failures; a chunk waits while `held` names it; `fault(chunk)` may throw.
 */
export interface MockBatch {
  total: number;
  chunkSize: number;
  /** Chunks in the order extractChunk started them (every attempt). */
  started: number[];
  /** The task-queue priority key each chunk's last attempt ran with. */
  priorities: Map<number, number | undefined>;
  /** Chunks held until released. */
  held: Set<number>;
  release(chunk?: number): void;
  failedPerChunk: (chunk: number) => number;
  /** Throw from extractChunk (e.g. a BatchFault); return undefined to extract. */
  fault: (chunk: number, attempt: number) => Error | undefined;
  reports: WriteReportInput[];
  activities: BatchActivities;
}

export function mockBatch(total: number, chunkSize: number): MockBatch {
  const waiting = new Map<number, (() => void)[]>();
  const attempts = new Map<number, number>();
  const batch: MockBatch = {
    total,
    chunkSize,
    started: [],
    priorities: new Map(),
    held: new Set(),
    release(chunk) {
      for (const c of chunk === undefined ? [...batch.held] : [chunk]) {
        batch.held.delete(c);
        for (const wake of waiting.get(c) ?? []) wake();
        waiting.delete(c);
      }
    },
    failedPerChunk: () => 0,
    fault: () => undefined,
    reports: [],
    activities: {
      planBatch: async ({ batchId }: PlanBatchInput) => ({
        batchDir: `/mock/${batchId}`,
        total,
        chunkCount: Math.ceil(total / chunkSize),
        totalBytes: total * 1000,
        sourceLabel: 'mock documents',
        extractor: 'local' as const,
      }),
      extractChunk: async ({ chunkIndex }: ExtractChunkInput): Promise<ExtractChunkResult> => {
        const attempt = (attempts.get(chunkIndex) ?? 0) + 1;
        attempts.set(chunkIndex, attempt);
        batch.started.push(chunkIndex);
        batch.priorities.set(chunkIndex, Context.current().info.priority?.priorityKey);
        if (batch.held.has(chunkIndex)) await heartbeatUntil(new Promise<void>((wake) => waiting.set(chunkIndex, [...(waiting.get(chunkIndex) ?? []), wake])));
        const fault = batch.fault(chunkIndex, attempt);
        if (fault) throw fault;
        const documents = Math.min(chunkSize, total - chunkIndex * chunkSize);
        const failed = Math.min(documents, batch.failedPerChunk(chunkIndex));
        return { chunkIndex, documents, succeeded: documents - failed, failed, cached: 0, extractedNow: documents, usage: { ...zeroUsage } };
      },
      locateDocuments: async ({ documents }: LocateDocumentsInput) => {
        const index = (name: string) => Number(/^doc-(\d+)\.txt$/.exec(name)?.[1] ?? NaN);
        const known = documents.filter((name) => index(name) < total);
        return { chunks: known.map((name) => Math.floor(index(name) / chunkSize)), unknown: documents.filter((name) => !known.includes(name)) };
      },
      writeReport: async (request: WriteReportInput): Promise<BatchSummary> => {
        batch.reports.push(request);
        return summaryOf(request, total);
      },
    },
  };
  return batch;
}

/** A held chunk heartbeats like the real one, so its heartbeat timeout never retries it on a loaded machine. */
async function heartbeatUntil(released: Promise<void>): Promise<void> {
  const timer = setInterval(() => Context.current().heartbeat(), 1000);
  try {
    await released;
  } finally {
    clearInterval(timer);
  }
}

export function batchFault(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: failureTypes.batchFault, message, nonRetryable: true });
}

/** The summary the real writeReport would return, filled only with what the workflow sent it. */
function summaryOf(request: WriteReportInput, total: number): BatchSummary {
  const file = (name: string) => `${request.batchDir}/${name}`;
  return {
    batchId: request.batchId,
    state: request.state,
    ...(request.reason ? { reason: request.reason } : {}),
    outputDir: request.batchDir,
    total,
    processed: 0,
    succeeded: 0,
    failed: 0,
    cached: 0,
    notProcessed: total,
    successRate: 0,
    failuresByType: {},
    startedAt: new Date(request.startedAt).toISOString(),
    finishedAt: new Date(request.startedAt + request.elapsedMs + request.pausedMs).toISOString(),
    elapsedMs: request.elapsedMs,
    pausedMs: request.pausedMs,
    documentsPerSecond: 0,
    meanDocumentMs: 0,
    usage: { ...zeroUsage },
    models: {},
    runs: request.runs,
    redrivenBy: [],
    files: { results: file('results.jsonl'), resultsCsv: file('results.csv'), failures: file('failures.jsonl'), summary: file('summary.json'), manifest: file('manifest.jsonl') },
  };
}
