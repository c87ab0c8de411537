import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { schemaIssues } from '../batch/issues';
import {
  approveArgsSchema,
  approveUpdate,
  closeArgsSchema,
  closeUpdate,
  correctArgsSchema,
  correctUpdate,
  rejectArgsSchema,
  rejectUpdate as rejectDocumentUpdate,
  reopenArgsSchema,
  reopenUpdate,
  reviewCarriedSchema,
  reviewFailureTypes,
  reviewInputSchema,
  reviewQuery,
  type ReviewActivities,
  type ReviewCarried,
  type ReviewCounts,
  type ReviewInput,
  type ReviewInputJson,
  type ReviewItem,
  type ReviewView,
} from '../batch/review';
import { builtInCorrectionRefusal, failingChecksRefusal, invalidDataRefusal } from '../batch/review-validation';
import { anonymousReviewer, ReviewQueue, reviewDetailsMarkdown, type Decision } from '../batch/review-queue';
import { DocbatchReviewPending } from '../batch/search-attributes';
import { failureTypes } from '../batch/failures';
import { rejectUpdate } from './controls';

const nonRetryableErrorTypes = [reviewFailureTypes.outputsMissing, failureTypes.invalidInput];

/** openReview: read the batch's results for the queue. A person just asked for the review: a few quick tries. */
const openingOptions: ActivityOptions = { startToCloseTimeout: '5m', retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes } };
/** checkCorrection: the reviewer waits for the answer to a correction. */
const checkingOptions: ActivityOptions = { startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes } };
/** writeReviewedOutputs: retried a while; outputs that are gone are reported in the view, decisions kept. */
const writingOptions: ActivityOptions = { startToCloseTimeout: '10m', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 6, nonRetryableErrorTypes } };

const { openReview } = proxyActivities<ReviewActivities>(openingOptions);
/** awaitBatchEnd: each attempt while the batch runs fails with BatchStillRunning and a next retry delay of the poll interval. */
const { awaitBatchEnd } = proxyActivities<ReviewActivities>({ startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '10m' } });
const { checkCorrection } = proxyActivities<ReviewActivities>(checkingOptions);
const { writeReviewedOutputs } = proxyActivities<ReviewActivities>(writingOptions);

/**
 * The human review of one batch (workflow id `<batch id>-review`): the queue of documents that
 * failed a consistency check or failed, and each one's decision (approve, correct, reject, reopen),
 * taken through validated updates so every reviewer sees one state. It waits as long as people
 * take, hands over with continue-as-new every `decisionsPerRun` decisions, and rewrites the batch's
 * reviewed outputs a moment after each change.
 */
export async function batchReview(rawInput: ReviewInputJson, carried?: ReviewCarried): Promise<ReviewCounts> {
  const input = parseOrFail(reviewInputSchema, rawInput, 'review input');
  if (carried === undefined && input.awaitBatch) {
    setHandler(reviewQuery, () => waitingView(input));
    await awaitBatchEnd({ batchId: input.batchId, pollInterval: input.batchPollInterval });
  }
  const state = carried === undefined ? await openState(input) : parseOrFail(reviewCarriedSchema, carried, 'carried state');
  // Nothing to review (every document passed its checks): nothing to keep open.
  if (state.items.length === 0) return new ReviewQueue(input.batchId, []).counts();
  const review = new ReviewRun(input, state);

  setHandler(reviewQuery, () => review.view());
  registerDecision(review, approveUpdate, approveArgsSchema, 'approve', async (args) => review.decide(args.document, { action: 'approve' }, args.by));
  registerDecision(review, correctUpdate, correctArgsSchema, 'correct', (args) => review.correct(args), (args) => review.dataRefusal(args));
  registerDecision(review, rejectDocumentUpdate, rejectArgsSchema, 'reject', async (args) => review.decide(args.document, { action: 'reject', reason: args.reason }, args.by));
  registerDecision(review, reopenUpdate, reopenArgsSchema, 'reopen', async (args) => review.decide(args.document, { action: 'reopen' }, args.by));
  setHandler(
    closeUpdate,
    () => {
      review.close();
      return Promise.resolve(review.queue.counts());
    },
    { validator: (raw: unknown) => review.closeRefusal(parseUpdateArgs(closeArgsSchema, raw)) },
  );

  review.publish();
  for (;;) {
    await condition(() => review.dirty || review.closing || review.handOverDue());
    if (review.dirty) {
      // Decisions within the refresh delay land in one write.
      await sleep(input.refreshDelay);
      await review.writeOutputs();
      continue;
    }
    if (review.closing) break;
    // A correction still being checked lands before the hand-over.
    await condition(allHandlersFinished);
    if (review.dirty) continue;
    return await continueAsNew<typeof batchReview>(input, review.handOver());
  }
  await review.writeOutputs();
  await condition(allHandlersFinished);
  return review.queue.counts();
}

/** The state a run keeps: the queue, and what the reviewed outputs have caught up with. */
class ReviewRun {
  readonly queue: ReviewQueue;
  dirty: boolean;
  closing = false;
  private writing = false;
  private writtenAt: string | null = null;
  private outputProblem: string | null = null;
  private decisionsThisRun = 0;
  /** Documents whose correction is being checked: another decision on them waits its turn. */
  private readonly checking = new Set<number>();
  private lastPending: number | null = null;

  constructor(
    private readonly input: ReviewInput,
    private readonly state: ReviewCarried,
  ) {
    this.queue = new ReviewQueue(input.batchId, state.items);
    this.dirty = state.dirty;
  }

  view(): ReviewView {
    return {
      batchId: this.input.batchId,
      batchLocation: this.input.batchLocation,
      state: this.closing ? 'closed' : 'open',
      openedAt: this.state.openedAt,
      counts: this.queue.counts(),
      items: this.queue.list(),
      writtenAt: this.writtenAt,
      writing: this.writing || this.dirty,
      outputProblem: this.outputProblem,
      runs: this.state.runs,
      schema: this.state.schema,
    };
  }

  refusal(action: Decision['action'], document: number): string | null {
    if (this.closing) return `the review of batch ${this.input.batchId} is closed: its outcome is in results.reviewed.jsonl`;
    if (this.checking.has(document)) return `a correction of document ${document} is being checked right now: try again in a moment`;
    return this.queue.refusal(action, document);
  }

  closeRefusal(args: z.infer<typeof closeArgsSchema>): void {
    if (this.closing) throw rejectUpdate(`the review of batch ${this.input.batchId} is closed already`);
    const { pending } = this.queue.counts();
    if (pending > 0 && args.force !== true) throw rejectUpdate(`${pending} document${pending === 1 ? ' is' : 's are'} still pending: decide them first, or close with {"force": true}`);
  }

  close(): void {
    this.closing = true;
    this.publish();
  }

  async decide(document: number, decision: Decision, by: string | undefined): Promise<ReviewItem> {
    const refused = this.refusal(decision.action, document);
    if (refused !== null) throw rejectUpdate(refused);
    const item = this.queue.decide(document, decision, by ?? anonymousReviewer, new Date().toISOString());
    this.decisionsThisRun++;
    this.dirty = true;
    this.publish();
    return Promise.resolve(item);
  }

  /**
   * A correction is parsed against the batch's schema and its checks by an activity (the schema may
   * be a file or a module, and the corrected data is written to the batch's output, not history);
   * only a correction that passes, or whose failing checks the reviewer accepted, is taken.
   */
  async correct(args: z.infer<typeof correctArgsSchema>): Promise<ReviewItem> {
    const item = this.queue.get(args.document)!;
    const correctionId = `${args.document}-${item.revision + 1}-${uuid4().slice(0, 8)}`;
    const by = args.by ?? anonymousReviewer;
    this.checking.add(args.document);
    let checked;
    try {
      checked = await checkCorrection({
        batchLocation: this.input.batchLocation,
        schema: this.state.schema,
        document: args.document,
        data: args.data,
        correctionId,
        by,
        at: new Date().toISOString(),
        acceptWarnings: args.acceptWarnings === true,
      });
    } catch (error) {
      throw rejectUpdate(`the correction of document ${args.document} could not be checked: ${describeActivityError(error)}`);
    } finally {
      this.checking.delete(args.document);
    }
    if (checked.outcome === 'invalid') throw rejectUpdate(invalidDataRefusal(this.state.schema, checked.problems));
    if (checked.outcome === 'fails_checks') throw rejectUpdate(failingChecksRefusal(checked.warnings));
    return this.decide(args.document, { action: 'correct', changedFields: checked.changedFields, correctionId, acceptedWarnings: checked.warnings }, by);
  }

  /** A built-in schema's verdict on a correction's data, taken in the validator (pure: zod and the checks). */
  dataRefusal(args: z.infer<typeof correctArgsSchema>): string | null {
    return builtInCorrectionRefusal(this.state.schema, args.data, args.acceptWarnings === true);
  }

  handOverDue(): boolean {
    return this.decisionsThisRun >= this.input.decisionsPerRun || workflowInfo().continueAsNewSuggested;
  }

  handOver(): ReviewCarried {
    return { items: this.queue.list(), schema: this.state.schema, openedAt: this.state.openedAt, runs: this.state.runs + 1, dirty: this.dirty };
  }

  /** Rewrites results.reviewed.* from the decisions as they are now; a failure is shown, not thrown (the decisions are safe in the workflow). */
  async writeOutputs(): Promise<void> {
    this.dirty = false;
    this.writing = true;
    try {
      const { writtenAt } = await writeReviewedOutputs({
        batchId: this.input.batchId,
        batchLocation: this.input.batchLocation,
        schema: this.state.schema,
        items: this.queue.list(),
        openedAt: this.state.openedAt,
        state: this.closing ? 'closed' : 'open',
      });
      this.writtenAt = writtenAt;
      this.outputProblem = null;
    } catch (error) {
      this.outputProblem = describeActivityError(error);
      log.warn(`reviewed outputs of batch ${this.input.batchId} not written: ${this.outputProblem}`);
    } finally {
      this.writing = false;
    }
  }

  /** Current details and DocbatchReviewPending for the Web UI; the search attribute only when the count moved. */
  publish(): void {
    const counts = this.queue.counts();
    setCurrentDetails(reviewDetailsMarkdown(this.input.batchId, counts, this.closing ? 'closed' : 'open'));
    if (counts.pending !== this.lastPending) {
      this.lastPending = counts.pending;
      upsertSearchAttributes([{ key: DocbatchReviewPending, value: counts.pending }]);
    }
  }
}

function waitingView(input: ReviewInput): ReviewView {
  return {
    batchId: input.batchId,
    batchLocation: input.batchLocation,
    state: 'waiting',
    openedAt: new Date().toISOString(),
    counts: { total: 0, pending: 0, approved: 0, corrected: 0, rejected: 0 },
    items: [],
    writtenAt: null,
    writing: false,
    outputProblem: null,
    runs: 1,
    schema: 'invoice',
  };
}

async function openState(input: ReviewInput): Promise<ReviewCarried> {
  const opened = await openReview({ batchId: input.batchId, batchLocation: input.batchLocation });
  return { items: opened.items, schema: opened.schema, openedAt: new Date().toISOString(), runs: 1, dirty: true };
}

/**
 * A decision update: the validator refuses bad arguments and decisions the queue does not allow
 * (unknown document, decided already, a failed document approved) before anything reaches
 * history; the handler decides (the queue is checked again, since a correction's check takes a
 * moment and another reviewer may have decided meanwhile).
 */
function registerDecision<S extends z.ZodType<{ document: number }>>(
  review: ReviewRun,
  update: UpdateDefinition<ReviewItem, [unknown]>,
  schema: S,
  action: Decision['action'],
  apply: (args: z.infer<S>) => Promise<ReviewItem>,
  /** A refusal that depends on more than the queue (a correction's data against a built-in schema). */
  argumentsRefusal: (args: z.infer<S>) => string | null = () => null,
): void {
  setHandler(update, (raw: unknown) => apply(parseUpdateArgs(schema, raw)), {
    validator: (raw: unknown) => {
      const args = parseUpdateArgs(schema, raw);
      const refused = review.refusal(action, args.document) ?? argumentsRefusal(args);
      if (refused !== null) throw rejectUpdate(refused);
    },
  });
}

function parseUpdateArgs<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw rejectUpdate(schemaIssues(parsed.error, '(arguments)').join('; '));
}

function parseOrFail<S extends z.ZodType>(schema: S, raw: unknown, label: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = schemaIssues(parsed.error, '(root)');
  throw ApplicationFailure.nonRetryable(`invalid ${label}: ${problems.join('; ')}`, failureTypes.invalidInput, { problems });
}

function describeActivityError(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

