import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchActivities, ExtractChunkInput, ExtractChunkResult, PlanBatchResult, WriteReportInput } from '../batch/activities';
import type { ListedArgs } from '../batch/messages';
import { chunkRange } from '../batch/chunks';
import { defaultChunkSize } from '../batch/chunk-size';
import { addCounts, emptyCounts, type ChunkCounts } from '../batch/counts';
import { failureTypes } from '../batch/failures';
import type { BatchInput } from '../batch/input';
import {
  activeMs,
  finalStates,
  pauseClock,
  progressOf,
  recordThroughput,
  resumeClock,
  startClock,
  totalPausedMs,
  type BatchClock,
  type BatchState,
  type BatchView,
  type Progress,
} from '../batch/progress';
import type { ReportState } from '../batch/summary';
import { chunkOptions, locatingOptions, planningOptions, reportOptions } from './activity-options';
import type { CarriedState } from '../batch/carried-state';
import { ChunkQueue } from './chunk-queue';
import { runMessageBatchChunk } from './message-batch-chunk';
import { MessageBatchWatch } from './message-batch-watch';
import { currentDetailsMarkdown } from './details';
import { rejectUpdate } from './controls';
import { searchAttributeUpdate } from './publish';
import { tolerance } from './tolerance';

const { planBatch } = proxyActivities<BatchActivities>(planningOptions);
const { locateDocuments } = proxyActivities<BatchActivities>(locatingOptions);
const { writeReport } = proxyActivities<BatchActivities>(reportOptions);

/**
 * One run of a batch: its state (counts, chunk indices, clock, controls — never documents or
 * results) and everything that changes it. The workflow function wires messages to these methods
 * and drives the loop; a run hands its state to the next across continue-as-new.
 */
export class BatchRun {
  private plan: PlanBatchResult | null;
  /** True while planning lists the source and chunks already run (plan holds the totals so far). */
  private listing = false;
  /** Whether this run stops starting chunks once it has done its share while the source is still listed (batches started before that rule run on). */
  private shareBoundsListing = false;
  private planningFailure: Error | undefined;
  private queue: ChunkQueue | null;
  private counts: ChunkCounts;
  private clock: BatchClock;
  private priority: number;
  private pauseReason: string | null;
  private pauseFault: { type: string | null } | null;
  private phase: BatchState;
  private cancelReason: string | null = null;
  private toleranceReason: string | null = null;
  private completedThisRun = 0;
  /** Resumes in this run: a chunk's outcome is judged against the resumes since it started. */
  private resumes = 0;
  private readonly runs: number;
  private readonly chunkScope = new CancellationScope();
  private lastSearchAttributes: string | null = null;
  private readonly messageBatches: MessageBatchWatch;

  constructor(
    private readonly batchId: string,
    private readonly input: BatchInput,
    carried: CarriedState | undefined,
  ) {
    this.plan = carried?.plan ?? null;
    this.queue = carried ? new ChunkQueue(carried.plan.chunkCount, carried.doneChunks, carried.front) : null;
    this.counts = carried?.counts ?? emptyCounts();
    this.clock = carried?.clock ?? startClock(Date.now());
    this.priority = carried?.priority ?? input.priority;
    this.pauseReason = carried?.pauseReason ?? null;
    this.pauseFault = carried?.pauseFault ?? null;
    this.phase = carried ? 'running' : 'planning';
    this.runs = carried?.runs ?? 1;
    this.messageBatches = new MessageBatchWatch(carried?.messageBatches);
  }

  // --- what the batch is doing ---

  readonly progress = (): Progress => {
    const now = Date.now();
    return progressOf(
      {
        batchId: this.batchId,
        mode: this.input.mode,
        phase: this.phase,
        pauseReason: this.pauseReason,
        pauseFault: this.pauseFault,
        priority: this.priority,
        plan: this.plan && this.listing ? { ...this.plan, listing: true } : this.plan,
        chunkSize: this.chunkSize(),
        doneChunks: this.queue?.doneCount ?? 0,
        inFlightChunks: this.queue?.inFlightChunks() ?? [],
        counts: this.messageBatches.countsWith(this.counts),
        clock: this.clock,
        outputDir: `${this.input.outputDir}/${this.batchId}`,
        run: this.runs,
        ...(this.input.mode === 'batch' ? { messageBatches: this.messageBatchView(now) } : {}),
      },
      now,
    );
  };

  isPlanned(): boolean {
    return this.plan !== null;
  }

  isPaused(): boolean {
    return this.pauseReason !== null;
  }

  inFlightCount(): number {
    return this.queue?.inFlightCount ?? 0;
  }

  /** Every chunk is done and none is in flight. */
  finished(): boolean {
    return this.queue !== null && !this.listing && this.planningFailure === undefined && this.queue.isFinished() && this.inFlightCount() === 0;
  }

  /** Planning failed after chunks had started (the source vanished mid-listing, retries ran out): the batch fails with it. */
  planningFailed(): Error | undefined {
    return this.planningFailure;
  }

  /** Cancelled, or past its failure tolerance: no new chunk starts. */
  stopping(): boolean {
    return this.cancelReason !== null || this.toleranceReason !== null;
  }

  /** This run has done its share of chunks, or Temporal suggests a new run. */
  private shareDone(): boolean {
    return this.completedThisRun >= this.input.chunksPerRun || workflowInfo().continueAsNewSuggested;
  }

  /**
   * This run has done its share: it drains and continues as new before its history grows large.
   * Not while the source is being listed: the planning activity belongs to this run.
   */
  handOverDue(): boolean {
    return !this.listing && this.shareDone();
  }

  /**
   * A run that has done its share starts no more chunks, even while the source is still listed: it
   * waits for the listing to end, then hands over. Otherwise a listing slower than extraction (a
   * bucket of millions of objects, a folder listed on a busy worker) kept the first run going, its
   * history growing with every chunk towards Temporal's limit.
   */
  canStartChunk(): boolean {
    const waitingForListing = this.listing && this.shareBoundsListing && this.shareDone();
    return !this.isPaused() && !this.stopping() && !this.handOverDue() && !waitingForListing && this.inFlightCount() < this.input.concurrency && this.queue!.hasPending();
  }

  /** Why the batch takes no more steering, or null while it does. */
  notSteerable(what: string): string | null {
    const over = finalStates.has(this.phase);
    return over || this.cancelReason !== null ? `cannot ${what}: the batch is ${over ? this.phase : 'cancelling'}` : null;
  }

  /** Why the batch cannot be cancelled (it has ended), or null. */
  notCancellable(): string | null {
    return finalStates.has(this.phase) ? `cannot cancel: the batch is already ${this.phase}` : null;
  }

  /** Shows progress in the Web UI; search attributes only on coarse changes, to keep history small. */
  publish(): void {
    const snapshot = this.progress();
    setCurrentDetails(currentDetailsMarkdown(snapshot));
    const update = searchAttributeUpdate(snapshot);
    if (update.key !== this.lastSearchAttributes) {
      this.lastSearchAttributes = update.key;
      upsertSearchAttributes(update.pairs);
    }
  }

  // --- the controls ---

  pause(reason: string | undefined, fault: { type: string | null } | null = null): void {
    this.pauseReason = reason ?? 'paused by request';
    this.pauseFault = fault;
    this.stopClockWhenIdle();
    this.publish();
  }

  resume(): void {
    this.pauseReason = null;
    this.pauseFault = null;
    this.resumes++;
    this.clock = resumeClock(this.clock, Date.now());
    this.publish();
  }

  cancel(reason: string | undefined): void {
    this.cancelReason ??= reason ?? 'cancelled by request';
    if (this.isPaused()) this.resume();
    this.chunkScope.cancel();
  }

  setPriority(priority: number): void {
    this.priority = priority;
    this.publish();
  }

  /** Moves the chunks of these documents to the front; unknown documents reject the whole request. */
  async prioritize(documents: string[]): Promise<void> {
    const located = await locateDocuments({ batchDir: this.plan!.batchDir, chunkSize: this.chunkSize(), total: this.plan!.total, documents });
    if (located.unknown.length > 0) throw rejectUpdate(`unknown documents in batch ${this.batchId}: ${located.unknown.join(', ')}`);
    const moved = this.queue!.prioritize(located.chunks);
    if (moved === 0) log.info(`prioritize: the chunks of ${documents.join(', ')} are already done or running`);
  }

  // --- the work ---

  async planBatch(): Promise<void> {
    this.publish();
    if (!patched('streaming-plan')) {
      this.plan = await planBatch({ batchId: this.batchId, input: this.input });
      this.queue = new ChunkQueue(this.plan.chunkCount);
      this.phase = 'running';
      return;
    }
    // Chunks start as planning reports them listed (`listed`); the activity's result is the whole plan.
    this.listing = true;
    this.shareBoundsListing = patched('share-bounds-listing');
    this.queue = new ChunkQueue(0);
    void planBatch({ batchId: this.batchId, input: this.input }).then(
      (plan) => {
        this.plan = plan;
        this.queue!.extend(plan.chunkCount);
        this.listing = false;
        this.publish();
      },
      (error: unknown) => {
        this.planningFailure = error instanceof Error ? error : new Error(String(error));
        this.listing = false;
      },
    );
    await condition(() => this.plan !== null || this.planningFailure !== undefined);
    if (this.planningFailure !== undefined) throw this.planningFailure;
    this.phase = 'running';
  }

  /** Planning listed more chunks: they can run while it lists the rest. */
  listed(args: ListedArgs): void {
    if (!this.listing) return;
    const { chunks, documents, bytes, ...plan } = args;
    this.plan = { ...plan, total: documents, chunkCount: chunks, totalBytes: bytes };
    this.queue!.extend(chunks);
  }

  /** Starts the next chunk in the background; its outcome updates the counts, or pauses the batch. */
  startNextChunk(): void {
    const chunk = this.queue!.take()!;
    const plan = this.plan!;
    const chunkSize = this.chunkSize();
    const { start, end } = chunkRange(chunk, chunkSize, plan.total);
    const label = `chunk ${chunk}: documents ${start + 1}–${end}`;
    const { extractChunk } = proxyActivities<BatchActivities>({
      ...chunkOptions(this.input),
      priority: { priorityKey: this.priority },
      summary: label,
    });
    const { models, cache, examples } = this.input;
    const settings = { schema: plan.schema ?? this.input.schema, extractor: plan.extractor, models, cache, ...(examples ? { examples } : {}) };
    const resumesAtStart = this.resumes;
    const chunkInput = { batchId: this.batchId, batchDir: plan.batchDir, chunkIndex: chunk, chunkSize, settings };
    const running = this.input.mode === 'batch' ? this.runMessageBatchChunk(chunkInput, label) : this.chunkScope.run(() => extractChunk(chunkInput));
    void running
      .then(
        (result) => this.chunkDone(result),
        (error: unknown) => this.chunkFailed(chunk, error, this.resumes > resumesAtStart),
      )
      .finally(() => {
        this.messageBatches.left(chunk);
        this.stopClockWhenIdle();
        this.publish();
      });
  }

  /** The state the next run starts from. */
  handOver(): CarriedState {
    return {
      ...(this.input.mode === 'batch' ? { messageBatches: this.messageBatches.handOver() } : {}),
      plan: this.plan!,
      doneChunks: this.queue!.doneRanges(),
      front: this.queue!.frontChunks(),
      counts: this.counts,
      clock: this.clock,
      pauseReason: this.pauseReason,
      ...(this.pauseFault ? { pauseFault: this.pauseFault } : {}),
      priority: this.priority,
      runs: this.runs + 1,
    };
  }

  /** Marks a cancelled batch as winding down: chunks in flight stop, then the partial report. */
  markCancelling(reason?: string): void {
    if (reason !== undefined) this.cancelReason ??= reason;
    this.phase = 'cancelling';
    this.publish();
  }

  isCancelled(): boolean {
    return this.cancelReason !== null;
  }

  /** How the batch ends: cancelled, failed (past its tolerance) or completed, and why. */
  outcome(): { state: ReportState; reason: string | undefined } {
    if (this.cancelReason !== null) return { state: 'cancelled', reason: this.cancelReason };
    if (this.toleranceReason !== null) return { state: 'failed', reason: this.toleranceReason };
    return { state: 'completed', reason: undefined };
  }

  /** Writes the report (results, failures, summary) and enters the final state. */
  async writeReport(state: ReportState, reason: string | undefined) {
    const summary = await writeReport(this.reportRequest(state, reason));
    this.phase = state;
    this.publish();
    return summary;
  }

  /** Ends the batch as cancelled: the report when there is a plan to report on. */
  async endCancelled(): Promise<void> {
    if (this.plan) await writeReport(this.reportRequest('cancelled', this.cancelReason ?? undefined));
    this.phase = 'cancelled';
    this.publish();
  }

  failure(summary: unknown): ApplicationFailure {
    return ApplicationFailure.nonRetryable(this.toleranceReason, failureTypes.toleranceExceeded, summary);
  }

  // --- internals ---

  /** Documents per chunk: planning's choice, or the input's in batches planned before planning chose. */
  private chunkSize(): number {
    return this.plan?.chunkSize ?? this.input.chunkSize ?? defaultChunkSize;
  }

  /** Batch mode: the chunk's documents go to Anthropic as Message Batches (message-batch-chunk.ts). */
  private runMessageBatchChunk(chunk: ExtractChunkInput, label: string): Promise<ExtractChunkResult> {
    return runMessageBatchChunk({
      chunk,
      input: this.input,
      label,
      priority: () => this.priority,
      paused: () => this.isPaused(),
      cancelled: () => this.isCancelled(),
      watch: this.messageBatches,
      publish: () => this.publish(),
    });
  }

  private chunkDone(result: ExtractChunkResult): void {
    this.queue!.complete(result.chunkIndex);
    this.counts = addCounts(this.counts, result);
    this.completedThisRun++;
    this.clock = recordThroughput(this.clock, Date.now(), this.counts.succeeded + this.counts.failed);
    this.toleranceReason ??= tolerance(this.counts.failed, this.plan!.total, this.input.toleratedFailurePercent);
  }

  private chunkFailed(chunk: number, error: unknown, resumedSinceStart: boolean): void {
    this.queue!.release(chunk);
    if (isCancellation(error)) return;
    const cause = error instanceof ActivityFailure ? error.cause : error;
    if (cause instanceof ApplicationFailure && cause.type === failureTypes.batchFault) {
      // A chunk that started before the last resume may report the fault that paused the batch
      // after the person fixed it and resumed: it says nothing about now. The chunk runs again
      // (it is back in the queue); if the fault is still there, that attempt pauses the batch.
      if (resumedSinceStart && patched('stale-batch-fault')) {
        log.info(`chunk ${chunk} reported a fault from before the resume (${cause.message}): it runs again`);
        return;
      }
      this.pause(cause.message, { type: cause.type ?? null });
      return;
    }
    // Retries are exhausted: the fault outlived the retry policy, so a person should look.
    this.pause(`chunk ${chunk} failed after its retries: ${cause instanceof Error ? cause.message : String(cause)}. Fix the cause, then resume`, {
      type: cause instanceof ApplicationFailure ? (cause.type ?? null) : null,
    });
  }

  private messageBatchView(now: number): NonNullable<BatchView['messageBatches']> {
    const pendingChunks = this.queue ? this.queue.chunkCount - this.queue.doneCount - this.queue.inFlightCount : 0;
    return { progress: this.messageBatches.progress(now), etaMs: this.messageBatches.etaMs(now, pendingChunks, this.input.concurrency) };
  }

  /** A paused batch's clock stops once its in-flight chunks have finished: they still count as work. */
  private stopClockWhenIdle(): void {
    if (this.isPaused() && this.inFlightCount() === 0) this.clock = pauseClock(this.clock, Date.now());
  }

  private reportRequest(state: ReportState, reason: string | undefined): WriteReportInput {
    const now = Date.now();
    return {
      batchId: this.batchId,
      batchDir: this.plan!.batchDir,
      state,
      reason,
      startedAt: this.clock.startedAt,
      elapsedMs: activeMs(this.clock, now),
      pausedMs: totalPausedMs(this.clock, now),
      redriveOf: this.input.redriveOf,
      runs: this.runs,
      schema: this.plan?.schema ?? this.input.schema,
      chunkSize: this.chunkSize(),
      total: this.plan!.total,
      mode: this.input.mode,
    };
  }
}
