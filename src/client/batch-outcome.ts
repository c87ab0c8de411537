import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';
import { readSummary } from '../store/report';
import { batchSummarySchema, type BatchSummary } from '../batch/summary';
import { batchDirFor, readBatchInput } from './batch-record';
import { firstLine } from './errors';
import type { BatchHandle } from './start-batch';

/** How a batch ended, with its report when it wrote one. */
export interface BatchOutcome {
  batchId: string;
  state: 'completed' | 'cancelled' | 'failed' | 'terminated' | 'timed out';
  reason?: string;
  summary: BatchSummary | null;
}

/**
 * Waits for the batch to end (following continue-as-new) and gathers its report: the workflow's
 * result, the summary carried by a tolerance failure, or summary.json of a cancelled batch.
 */
export async function awaitBatchOutcome(client: Client, handle: BatchHandle): Promise<BatchOutcome> {
  const batchId = handle.workflowId;
  try {
    const summary = batchSummarySchema.parse(await handle.result());
    return { batchId, state: summary.state, ...(summary.reason ? { reason: summary.reason } : {}), summary };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause;
    if (cause instanceof CancelledFailure) {
      return { batchId, state: 'cancelled', reason: 'cancelled through Temporal', summary: await summaryFile(client, batchId) };
    }
    if (cause instanceof TerminatedFailure) {
      return { batchId, state: 'terminated', reason: firstLine(cause.message || 'terminated'), summary: await summaryFile(client, batchId) };
    }
    const carried = cause instanceof ApplicationFailure ? batchSummarySchema.safeParse(cause.details?.[0]) : null;
    const summary = carried?.success ? carried.data : await summaryFile(client, batchId);
    const timedOut = /timed? ?out/i.test(error.message);
    return { batchId, state: timedOut ? 'timed out' : 'failed', reason: firstLine(cause?.message ?? error.message), summary };
  }
}

async function summaryFile(client: Client, batchId: string): Promise<BatchSummary | null> {
  const input = await readBatchInput(client, batchId).catch(() => undefined);
  return readSummary(batchDirFor(input, batchId));
}
