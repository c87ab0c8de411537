import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  approveUpdate,
  closeUpdate,
  correctUpdate,
  rejectUpdate,
  reopenUpdate,
  reviewQuery,
  reviewWorkflowId,
  reviewWorkflowType,
  type ReviewCounts,
  type ReviewInputJson,
  type ReviewItem,
  type ReviewView,
} from '../batch/review';
import { batchSummarySchema } from '../batch/summary';
import { DEFAULTS } from '../env';
import { reviewKeys } from '../review/batch-outputs';
import { locationJoin, resolveLocation, storageAt } from '../storage/location';
import { awaitBatchOutcome } from './batch-outcome';
import { batchDirFor, describeBatch, readBatchInput } from './batch-record';
import { DocbatchError, firstLine } from './errors';

/** A review asked of a batch that has not ended: there is nothing final to review yet. */
export class ReviewBatchRunningError extends DocbatchError {
  override name = 'ReviewBatchRunningError';
  constructor(readonly batchId: string) {
    super(`batch ${batchId} is still running: a review opens once it has ended`, `follow it with \`docbatch watch ${batchId}\`, then \`docbatch review ${batchId}\` (or start it with --review)`, '; ');
  }
}

/** The batch ended, but its outputs (summary.json, results.jsonl) are not where it wrote them. */
export class ReviewOutputsMissingError extends DocbatchError {
  override name = 'ReviewOutputsMissingError';
  constructor(
    readonly batchId: string,
    readonly missing: string,
  ) {
    super(`batch ${batchId} cannot be reviewed: ${missing} is missing (its outputs were deleted or moved)`, `run the batch again (\`docbatch run … --rerun\`) to write them, then \`docbatch review ${batchId}\``);
  }
}

/** The batch ended with every document passing its checks: there is no queue. */
export class NothingToReviewError extends DocbatchError {
  override name = 'NothingToReviewError';
  constructor(readonly batchId: string) {
    super(`batch ${batchId} has nothing to review: no document failed a check or failed`, null);
  }
}

/** A decision the review workflow refused; `message` is its reason. */
export class ReviewRefusedError extends DocbatchError {
  override name = 'ReviewRefusedError';
  constructor(
    readonly action: string,
    reason: string,
  ) {
    super(`${action} refused: ${reason}`, null);
  }
}

export type ReviewHandle = WorkflowHandle;

export interface OpenReviewOptions {
  taskQueue: string;
  /** How long to wait for the review to have read the batch's results. @default 60 s */
  readyTimeoutMs?: number;
}

/**
 * Opens the review of an ended batch (workflow `<batch id>-review`), or attaches to the one that
 * is open, and returns it once it answers the `review` query. Refuses a running batch and one
 * whose outputs are gone before starting anything.
 */
export async function openBatchReview(client: Client, batchId: string, options: OpenReviewOptions): Promise<{ handle: ReviewHandle; view: ReviewView; started: boolean }> {
  const workflowId = reviewWorkflowId(batchId);
  const existing = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    });
  if (existing?.status.name === 'RUNNING') {
    const handle = client.workflow.getHandle(workflowId);
    return { handle, view: await waitForReview(handle, batchId, options.readyTimeoutMs), started: false };
  }

  const description = await describeBatch(client, batchId);
  if (description.status.name === 'RUNNING') throw new ReviewBatchRunningError(batchId);
  const batchLocation = await batchLocationOf(client, batchId);
  const storage = storageAt(batchLocation);
  for (const key of [reviewKeys.summary, reviewKeys.results]) {
    if ((await storage.stat(key)) === null) throw new ReviewOutputsMissingError(batchId, storage.urlOf(key));
  }
  const summary = batchSummarySchema.safeParse(JSON.parse((await storage.read(reviewKeys.summary))?.toString('utf8') ?? 'null'));
  if (summary.success && (summary.data.needsReview ?? 0) === 0 && summary.data.failed === 0) throw new NothingToReviewError(batchId);

  const input: ReviewInputJson = { batchId, batchLocation };
  let handle: ReviewHandle;
  let started = true;
  try {
    handle = await client.workflow.start(reviewWorkflowType, { taskQueue: options.taskQueue, workflowId, args: [input], staticSummary: `human review of batch ${batchId}` });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    handle = client.workflow.getHandle(workflowId);
    started = false;
  }
  return { handle, view: await waitForReview(handle, batchId, options.readyTimeoutMs), started };
}

/** Where the batch wrote its outputs: its summary says; else `<outputDir>/<batch id>` from its input. */
export async function batchLocationOf(client: Client, batchId: string): Promise<string> {
  const outcome = await awaitBatchOutcome(client, client.workflow.getHandle(batchId)).catch(() => null);
  if (outcome?.summary?.outputDir) return outcome.summary.outputDir;
  const input = await readBatchInput(client, batchId).catch(() => undefined);
  return batchDirFor(input, batchId);
}

/** The review's state; the query waits while the review is reading the batch's results. */
export async function waitForReview(handle: ReviewHandle, batchId: string, timeoutMs = 60_000): Promise<ReviewView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await handle.query(reviewQuery);
    } catch (error) {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        const failure = await handle.result().then(
          (counts: unknown) => {
            if ((counts as ReviewCounts | null)?.total === 0) throw new NothingToReviewError(batchId);
            return null;
          },
          (cause: unknown) => (cause instanceof WorkflowFailedError ? firstLine(cause.cause?.message ?? cause.message) : firstLine(String(cause))),
        );
        throw new DocbatchError(`the review of batch ${batchId} ended${failure ? `: ${failure}` : ''}`, `see \`docbatch report ${batchId}\``);
      }
      if (Date.now() > deadline) throw new DocbatchError(`the review of batch ${batchId} did not answer (${firstLine(error instanceof Error ? error.message : String(error))})`, 'is a worker running? start one with `docbatch worker`');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function fetchReview(client: Client, batchId: string): Promise<ReviewView> {
  return client.workflow.getHandle(reviewWorkflowId(batchId)).query(reviewQuery);
}

export type ReviewDecision =
  | { action: 'approve'; document: number; by?: string }
  | { action: 'correct'; document: number; data: Record<string, unknown>; by?: string; acceptWarnings?: boolean }
  | { action: 'reject'; document: number; reason: string; by?: string }
  | { action: 'reopen'; document: number; by?: string };

/** Takes a decision through the review's update of the same name; a refusal is a ReviewRefusedError with the workflow's reason. */
export async function decideReview(client: Client, batchId: string, decision: ReviewDecision): Promise<ReviewItem> {
  const handle = client.workflow.getHandle(reviewWorkflowId(batchId));
  const { action, ...args } = decision;
  try {
    switch (action) {
      case 'approve':
        return await handle.executeUpdate(approveUpdate, { args: [args] });
      case 'correct':
        return await handle.executeUpdate(correctUpdate, { args: [args as { document: number; data: Record<string, unknown>; by?: string }] });
      case 'reject':
        return await handle.executeUpdate(rejectUpdate, { args: [args as { document: number; reason: string; by?: string }] });
      case 'reopen':
        return await handle.executeUpdate(reopenUpdate, { args: [args] });
    }
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new ReviewRefusedError(`${action} of document ${decision.document}`, firstLine(error.cause?.message ?? error.message));
    throw error;
  }
}

export async function closeReview(client: Client, batchId: string, options: { by?: string; force?: boolean } = {}): Promise<ReviewCounts> {
  try {
    return await client.workflow.getHandle(reviewWorkflowId(batchId)).executeUpdate(closeUpdate, { args: [options] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new ReviewRefusedError('close', firstLine(error.cause?.message ?? error.message));
    throw error;
  }
}

/**
 * `--review` on run and start: the review of a batch that is starting, opened when it ends (the
 * review workflow waits for it). Attaches to a review already there.
 */
export async function reviewWhenBatchEnds(client: Client, batchId: string, options: { taskQueue: string; outputDir?: string | undefined }): Promise<{ workflowId: string; started: boolean }> {
  const workflowId = reviewWorkflowId(batchId);
  const batchLocation = locationJoin(resolveLocation(options.outputDir ?? DEFAULTS.outputDir), batchId);
  const input: ReviewInputJson = { batchId, batchLocation, awaitBatch: true };
  try {
    await client.workflow.start(reviewWorkflowType, { taskQueue: options.taskQueue, workflowId, args: [input], staticSummary: `human review of batch ${batchId} (opens when it ends)` });
    return { workflowId, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw error;
  }
}
