import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { schemaReferenceSchema } from '../extraction/schemas';

/**
 * The review of a batch: the documents people must look at (those that failed a consistency check,
 * and failed ones), each one's decision, and the messages of the batchReview workflow. Pure: the
 * workflow, the activities and the review page share it.
 */

export const reviewStatuses = ['pending', 'approved', 'corrected', 'rejected'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** Why a document is in the queue: its data failed a check, or it has no data (the document failed). */
export const reviewKinds = ['needs_review', 'failed'] as const;

/** One document of the queue. Small on purpose: corrected data lives in the batch's output (review/corrections), not in workflow state. */
export const reviewItemSchema = z.object({
  /** The document's index in manifest.jsonl: how every message names it. */
  index: z.number().int().nonnegative(),
  path: z.string(),
  kind: z.enum(reviewKinds),
  /** Names of the failed checks ("totals add up"), for the queue's filter. */
  checks: z.array(z.string()).default([]),
  /** A failed document's error type (corrupt, validation_failed …). */
  failureType: z.string().optional(),
  /** The extracted issuer, for the queue's filter. */
  issuer: z.string().nullable().default(null),
  status: z.enum(reviewStatuses).default('pending'),
  /** Who decided, and when (ISO); absent while pending. */
  by: z.string().optional(),
  at: z.string().optional(),
  /** corrected: the top-level fields whose values changed, and the correction's id in review/corrections. */
  changedFields: z.array(z.string()).optional(),
  correctionId: z.string().optional(),
  /** corrected: consistency checks the reviewer accepted as failing. */
  acceptedWarnings: z.array(z.string()).optional(),
  /** rejected: why. */
  reason: z.string().optional(),
  /** Decisions taken on this document so far (a reopen keeps the count). */
  revision: z.number().int().nonnegative().default(0),
});
export type ReviewItem = z.infer<typeof reviewItemSchema>;

export const reviewInputSchema = z.object({
  batchId: z.string().min(1),
  /** Where the batch's outputs are: a path or `s3://bucket/prefix/<batch id>`. */
  batchLocation: z.string().min(1),
  /**
   * Decisions a run takes before it continues as new (history stays bounded however long the
   * review waits). @default 200
   */
  decisionsPerRun: z.number().int().positive().default(200),
  /**
   * How long the reviewed outputs may lag a decision: decisions within this window are written
   * together. @default "2s"
   */
  refreshDelay: z.string().default('2s'),
  /**
   * Wait for the batch to end before opening (`--review` on run and start): checked every
   * `batchPollInterval` by a retried activity, so the wait holds no worker slot and adds no history.
   */
  awaitBatch: z.boolean().default(false),
  /** @default "30s" */
  batchPollInterval: z.string().default('30s'),
});
export type ReviewInput = z.infer<typeof reviewInputSchema>;
export type ReviewInputJson = z.input<typeof reviewInputSchema>;

/** What one run hands the next with continue-as-new. */
export const reviewCarriedSchema = z.object({
  items: z.array(reviewItemSchema),
  schema: schemaReferenceSchema,
  openedAt: z.string(),
  runs: z.number().int().positive(),
  /** A change not yet in the reviewed outputs. */
  dirty: z.boolean(),
});
export type ReviewCarried = z.infer<typeof reviewCarriedSchema>;

export const reviewCountsSchema = z.object({
  total: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  approved: z.number().int().nonnegative(),
  corrected: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
});
export type ReviewCounts = z.infer<typeof reviewCountsSchema>;

/** The answer to the `review` query. */
export interface ReviewView {
  batchId: string;
  batchLocation: string;
  /** waiting: for the batch to end (awaitBatch); the queue is empty until then. */
  state: 'waiting' | 'open' | 'closed';
  openedAt: string;
  counts: ReviewCounts;
  items: ReviewItem[];
  /** When the reviewed outputs last caught up with the decisions (ISO), and whether a change is still on its way there. */
  writtenAt: string | null;
  writing: boolean;
  /** Why the reviewed outputs could not be written last time (the batch's outputs deleted …); the decisions are kept. */
  outputProblem: string | null;
  runs: number;
  /** The batch's schema, which corrections are parsed against. */
  schema: z.infer<typeof schemaReferenceSchema>;
}

// --- messages ------------------------------------------------------------------------------------

const documentIndex = z.number({ error: 'document is the document\'s index in the batch (a whole number, as in review.jsonl)' }).int().nonnegative();
const reviewer = z.string().trim().min(1).max(200).optional();

export const approveArgsSchema = z.strictObject({ document: documentIndex, by: reviewer });
export const correctArgsSchema = z.strictObject({
  document: documentIndex,
  /** The document's data as it should be: the whole object, validated against the batch's schema. */
  data: z.record(z.string(), z.unknown(), { error: 'data is the document\'s corrected data: an object of the schema\'s fields' }),
  by: reviewer,
  /** Accept the correction although consistency checks still fail (the reviewer read the document). */
  acceptWarnings: z.boolean().optional(),
});
export const rejectArgsSchema = z.strictObject({ document: documentIndex, reason: z.string().trim().min(1, 'say why the document is rejected').max(1000), by: reviewer });
export const reopenArgsSchema = z.strictObject({ document: documentIndex, by: reviewer });
export const closeArgsSchema = z.strictObject({ by: reviewer, force: z.boolean().optional() }).default({});

export type ApproveArgs = z.input<typeof approveArgsSchema>;
export type CorrectArgs = z.input<typeof correctArgsSchema>;
export type RejectArgs = z.input<typeof rejectArgsSchema>;
export type ReopenArgs = z.input<typeof reopenArgsSchema>;
export type CloseArgs = z.input<typeof closeArgsSchema>;

export const reviewQuery = defineQuery<ReviewView>('review');
/** Each decision update returns the document's item as it now stands. */
export const approveUpdate = defineUpdate<ReviewItem, [ApproveArgs]>('approve');
export const correctUpdate = defineUpdate<ReviewItem, [CorrectArgs]>('correct');
export const rejectUpdate = defineUpdate<ReviewItem, [RejectArgs]>('reject');
export const reopenUpdate = defineUpdate<ReviewItem, [ReopenArgs]>('reopen');
export const closeUpdate = defineUpdate<ReviewCounts, [CloseArgs | undefined]>('close');

/** The workflow id of a batch's review. */
export function reviewWorkflowId(batchId: string): string {
  return `${batchId}-review`;
}

export const reviewWorkflowType = 'batchReview';

// --- activities ----------------------------------------------------------------------------------

export const openReviewResultSchema = z.object({
  items: z.array(reviewItemSchema),
  schema: schemaReferenceSchema,
});
export type OpenReviewResult = z.infer<typeof openReviewResultSchema>;

export const checkCorrectionInputSchema = z.object({
  batchLocation: z.string(),
  schema: schemaReferenceSchema,
  document: z.number().int().nonnegative(),
  data: z.record(z.string(), z.unknown()),
  correctionId: z.string(),
  by: z.string(),
  at: z.string(),
  acceptWarnings: z.boolean().default(false),
});
export type CheckCorrectionInput = z.input<typeof checkCorrectionInputSchema>;

export const checkCorrectionResultSchema = z.discriminatedUnion('outcome', [
  /** Parsed and recorded in review/corrections. */
  z.object({ outcome: z.literal('recorded'), changedFields: z.array(z.string()), warnings: z.array(z.string()) }),
  /** Does not parse against the schema: the problems name the fields. */
  z.object({ outcome: z.literal('invalid'), problems: z.array(z.string()) }),
  /** Parses, but consistency checks fail and the reviewer did not accept them. */
  z.object({ outcome: z.literal('fails_checks'), warnings: z.array(z.string()) }),
]);
export type CheckCorrectionResult = z.infer<typeof checkCorrectionResultSchema>;

export const writeReviewedInputSchema = z.object({
  batchId: z.string(),
  batchLocation: z.string(),
  schema: schemaReferenceSchema,
  items: z.array(reviewItemSchema),
  openedAt: z.string(),
  state: z.enum(['open', 'closed']),
});
export type WriteReviewedInput = z.input<typeof writeReviewedInputSchema>;
export type WriteReviewedRequest = z.infer<typeof writeReviewedInputSchema>;

export interface ReviewActivities {
  awaitBatchEnd(input: { batchId: string; pollInterval: string }): Promise<{ status: string }>;
  openReview(input: { batchId: string; batchLocation: string }): Promise<OpenReviewResult>;
  checkCorrection(input: CheckCorrectionInput): Promise<CheckCorrectionResult>;
  writeReviewedOutputs(input: WriteReviewedInput): Promise<{ writtenAt: string }>;
}

/** ApplicationFailure types of the review. */
export const reviewFailureTypes = {
  /** The batch's outputs (summary.json, results.jsonl) are not where the batch wrote them. */
  outputsMissing: 'BatchOutputsMissing',
  /** awaitBatchEnd while the batch runs: retried after the poll interval. */
  batchStillRunning: 'BatchStillRunning',
} as const;
