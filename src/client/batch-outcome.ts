import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { readSummary } from '../store/report';
import { batchSummarySchema, type BatchSummary } from '../batch/summary';
import { batchCause, causeOfFailure, type BatchCause } from './batch-cause';
import { batchDirFor, readBatchInput } from './batch-record';
import type { BatchHandle } from './start-batch';

/** How a batch ended, with its report when it wrote one. */
export interface BatchOutcome {
  batchId: string;
  state: 'completed' | 'cancelled' | 'failed' | 'terminated' | 'timed out';
  reason?: string;
  /** Why it did not complete (absent when it completed): the innermost failure, its fix and exit code. */
  cause?: BatchCause;
  summary: BatchSummary | null;
}

/**
 * Waits for the batch to end (following continue-as-new) and gathers its report: the workflow's
 * result, the summary carried by a tolerance failure, or summary.json of a cancelled batch.
 */
export async function awaitBatchOutcome(client: Client, handle: BatchHandle, signal?: AbortSignal): Promise<BatchOutcome> {
  const batchId = handle.workflowId;
  try {
    // Aborting stops the long poll (and its retries), so a watcher that stops early leaves nothing behind on the connection.
    const summary = batchSummarySchema.parse(await (signal ? client.withAbortSignal(signal, () => handle.result()) : handle.result()));
    const cause = summary.state === 'completed' ? undefined : batchCause('cancelled', batchId, summary.reason ?? 'cancelled by request', null);
    return { batchId, state: summary.state, ...(summary.reason ? { reason: summary.reason } : {}), ...(cause ? { cause } : {}), summary };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = causeOfFailure(batchId, error);
    const state = cause.kind === 'cancelled' ? 'cancelled' : cause.kind === 'terminated' ? 'terminated' : cause.kind === 'timed-out' ? 'timed out' : 'failed';
    const carried = error.cause instanceof ApplicationFailure ? batchSummarySchema.safeParse(error.cause.details?.[0]) : null;
    const summary = carried?.success ? carried.data : await summaryFile(client, batchId);
    return { batchId, state, reason: cause.message, cause, summary };
  }
}

async function summaryFile(client: Client, batchId: string): Promise<BatchSummary | null> {
  const input = await readBatchInput(client, batchId).catch(() => undefined);
  return readSummary(batchDirFor(input, batchId));
}
