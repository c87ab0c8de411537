import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { DocbatchActivities } from '../activities';
import type { BatchFaultDetails, ChunkCounts, ExtractChunkResult, PlanBatchResult } from '../activities/contracts';
import type { BatchSummary } from '../store/summary';
import { ChunkQueue } from './chunk-queue';
import { addCounts, emptyCounts, parseUpdateArgs, rejectUpdate, tolerance, validateArgs } from './controls';
import { currentDetailsMarkdown } from './details';
import { parseBatchInput, type BatchInput, type BatchInputJson } from './input';
import * as messages from './messages';
import {
  activeMs,
  estimateRemainingMs,
  pauseClock,
  percentOf,
  recentRate,
  recordThroughput,
  resumeClock,
  startClock,
  totalPausedMs,
  type BatchState,
  type Progress,
} from './progress';
import { searchAttributeUpdate } from './publish';
import type { CarriedState } from './state';

/**
 * One batch of documents: plan it, run its chunks through a sliding window in priority order,
 * obey pause / resume / cancel / priority while it runs, and write the report. The workflow's
 * own state is the checkpoint; it holds counts and chunk indices, never documents or results.
 */
export async function batchExtraction(rawInput: BatchInputJson, carried?: CarriedState): Promise<BatchSummary> {
  const input = parseInputOrFail(rawInput);
  const batchId = workflowInfo().workflowId;
  const activities = proxyActivities<DocbatchActivities>(supportActivityOptions(input));

  let plan: PlanBatchResult | null = carried?.plan ?? null;
  let queue = plan ? new ChunkQueue(plan.chunkCount, carried?.doneChunks, carried?.front) : null;
  let counts: ChunkCounts = carried?.counts ?? emptyCounts();
  let clock = carried?.clock ?? startClock(Date.now());
  let priority = carried?.priority ?? input.priority;
  let pauseReason: string | null = carried?.pauseReason ?? null;
  let phase: BatchState = plan ? 'running' : 'planning';
  let cancelReason: string | null = null;
  let toleranceReason: string | null = null;
  let completedThisRun = 0;
  const runs = carried?.runs ?? 1;
  const inFlight = new Map<number, Promise<void>>();
  const chunkScope = new CancellationScope();

  const isPaused = () => pauseReason !== null;
  const isOver = () => phase === 'cancelled' || phase === 'completed' || phase === 'failed';

  function progress(): Progress {
    const now = Date.now();
    const processed = counts.succeeded + counts.failed;
    const total = plan?.total ?? 0;
    const rate = recentRate(clock);
    const state: BatchState = phase === 'running' && isPaused() ? 'paused' : phase;
    return {
      batchId,
      state,
      ...(pauseReason !== null && state === 'paused' ? { pauseReason } : {}),
      priority,
      total,
      processed,
      succeeded: counts.succeeded,
      failed: counts.failed,
      cached: counts.cached,
      inFlight: [...inFlight.keys()].reduce((sum, chunk) => sum + chunkLength(chunk), 0),
      chunks: { total: plan?.chunkCount ?? 0, done: queue?.doneCount ?? 0, inFlight: inFlight.size },
      percent: percentOf(processed, total),
      elapsedMs: activeMs(clock, now),
      pausedMs: totalPausedMs(clock, now),
      etaMs: plan && !isOver() ? estimateRemainingMs(clock, now, total - processed) : isOver() ? 0 : null,
      docsPerSecond: rate === null ? null : Math.round(rate * 1000) / 1000,
      usage: {
        inputTokens: counts.usage.inputTokens,
        outputTokens: counts.usage.outputTokens,
        cacheReadTokens: counts.usage.cacheReadTokens,
        cacheWriteTokens: counts.usage.cacheWriteTokens,
        costUsd: counts.usage.costUsd,
      },
      outputDir: plan?.batchDir ?? `${input.outputDir}/${batchId}`,
      run: runs,
    };
  }

  let lastSearchAttributes: string | null = null;
  /** Shows progress in the Web UI; search attributes only on coarse changes, to keep history small. */
  function publish(): void {
    const snapshot = progress();
    setCurrentDetails(currentDetailsMarkdown(snapshot));
    const update = searchAttributeUpdate(snapshot);
    if (update.key !== lastSearchAttributes) {
      lastSearchAttributes = update.key;
      upsertSearchAttributes(update.pairs);
    }
  }

  function chunkLength(chunk: number): number {
    if (!plan) return 0;
    return Math.min(plan.total, (chunk + 1) * input.chunkSize) - chunk * input.chunkSize;
  }

  // --- controls: the same logic behind each signal and its update ---

  function pause(reason: string | undefined): void {
    pauseReason = reason ?? 'paused by request';
    stopClockWhenIdle();
    publish();
  }

  /** A paused batch's clock stops once its in-flight chunks have finished: they still count as work. */
  function stopClockWhenIdle(): void {
    if (isPaused() && inFlight.size === 0) clock = pauseClock(clock, Date.now());
  }

  function resume(): void {
    pauseReason = null;
    clock = resumeClock(clock, Date.now());
    publish();
  }

  function cancel(reason: string | undefined): void {
    cancelReason ??= reason ?? 'cancelled by request';
    if (isPaused()) resume();
    chunkScope.cancel();
  }

  function setPriority(value: number): void {
    priority = value;
    publish();
  }

  async function prioritize(documents: string[], strict: boolean): Promise<void> {
    if (!plan || !queue) throw rejectUpdate('the batch is still being planned: try again once it is running');
    const located = await activities.locateDocuments({ batchDir: plan.batchDir, chunkSize: input.chunkSize, documents });
    if (strict && located.unknown.length > 0) {
      throw rejectUpdate(`unknown documents in batch ${batchId}: ${located.unknown.join(', ')}`);
    }
    if (located.unknown.length > 0) log.warn('prioritize: ignoring unknown documents', { unknown: located.unknown });
    queue.prioritize(located.chunks);
  }

  const accepting = (what: string) => () => {
    if (isOver() || phase === 'cancelling' || cancelReason !== null) throw rejectUpdate(`cannot ${what}: the batch is ${phase === 'running' ? 'cancelling' : phase}`);
  };

  setHandler(messages.progressQuery, progress);

  setHandler(messages.pauseSignal, (args) => validateArgs(messages.pauseArgsSchema, args, 'pause', (a) => !isOver() && cancelReason === null && pause(a.reason)));
  setHandler(messages.resumeSignal, (args) => validateArgs(messages.resumeArgsSchema, args, 'resume', () => isPaused() && resume()));
  setHandler(messages.cancelSignal, (args) => validateArgs(messages.cancelArgsSchema, args, 'cancel', (a) => !isOver() && cancel(a.reason)));
  setHandler(messages.setPrioritySignal, (args) => validateArgs(messages.setPriorityArgsSchema, args, 'setPriority', (a) => setPriority(a.priority)));
  setHandler(messages.prioritizeSignal, (args) =>
    validateArgs(messages.prioritizeArgsSchema, args, 'prioritize', (a) => prioritize(a.documents, false).catch((error) => log.warn('prioritize signal ignored', { error: String(error) }))),
  );

  setHandler(
    messages.pauseUpdate,
    (args) => {
      pause(parseUpdateArgs(messages.pauseArgsSchema, args).reason);
      return progress();
    },
    { validator: (args) => { parseUpdateArgs(messages.pauseArgsSchema, args); accepting('pause')(); } },
  );
  setHandler(
    messages.resumeUpdate,
    () => {
      resume();
      return progress();
    },
    {
      validator: (args) => {
        parseUpdateArgs(messages.resumeArgsSchema, args);
        accepting('resume')();
        if (!isPaused()) throw rejectUpdate('cannot resume: the batch is not paused');
      },
    },
  );
  setHandler(
    messages.cancelUpdate,
    (args) => {
      cancel(parseUpdateArgs(messages.cancelArgsSchema, args).reason);
      return progress();
    },
    { validator: (args) => { parseUpdateArgs(messages.cancelArgsSchema, args); if (isOver()) throw rejectUpdate(`cannot cancel: the batch is already ${phase}`); } },
  );
  setHandler(
    messages.setPriorityUpdate,
    (args) => {
      setPriority(parseUpdateArgs(messages.setPriorityArgsSchema, args).priority);
      return progress();
    },
    { validator: (args) => { parseUpdateArgs(messages.setPriorityArgsSchema, args); accepting('change priority')(); } },
  );
  setHandler(
    messages.prioritizeUpdate,
    async (args) => {
      await prioritize(parseUpdateArgs(messages.prioritizeArgsSchema, args).documents, true);
      return progress();
    },
    { validator: (args) => { parseUpdateArgs(messages.prioritizeArgsSchema, args); accepting('prioritize')(); } },
  );

  // --- the chunks ---

  function startChunk(chunk: number): void {
    const range = { first: chunk * input.chunkSize + 1, last: chunk * input.chunkSize + chunkLength(chunk) };
    const { extractChunk } = proxyActivities<DocbatchActivities>({
      ...chunkActivityOptions(input),
      priority: { priorityKey: priority },
      summary: `chunk ${chunk}: documents ${range.first}–${range.last}`,
    });
    const settings = { schema: input.schema, extractor: plan!.extractor, models: input.models, cache: input.cache };
    const attempt = chunkScope
      .run(() => extractChunk({ batchId, batchDir: plan!.batchDir, chunkIndex: chunk, chunkSize: input.chunkSize, settings }))
      .then(
        (result) => onChunkDone(result),
        (error: unknown) => onChunkFailed(chunk, error),
      )
      .finally(() => {
        inFlight.delete(chunk);
        stopClockWhenIdle();
        publish();
      });
    inFlight.set(chunk, attempt);
  }

  function onChunkDone(result: ExtractChunkResult): void {
    queue!.complete(result.chunkIndex);
    counts = addCounts(counts, result);
    completedThisRun++;
    clock = recordThroughput(clock, Date.now(), counts.succeeded + counts.failed);
    toleranceReason ??= tolerance(counts.failed, plan!.total, input.toleratedFailurePercent);
  }

  function onChunkFailed(chunk: number, error: unknown): void {
    queue!.release(chunk);
    if (isCancellation(error)) return;
    const cause = error instanceof ActivityFailure ? error.cause : error;
    if (cause instanceof ApplicationFailure && cause.type === messages.failureTypes.batchFault) {
      const details = cause.details?.[0] as BatchFaultDetails | undefined;
      pause(details?.message ?? cause.message);
      return;
    }
    // Retries are exhausted: the fault outlived the retry policy, so a person should look.
    pause(`chunk ${chunk} failed after its retries: ${cause instanceof Error ? cause.message : String(cause)}. Fix the cause, then resume`);
  }

  // --- the process ---

  const finished = () => queue !== null && queue.isFinished() && inFlight.size === 0;
  const stopping = () => cancelReason !== null || toleranceReason !== null;
  const handOverDue = () => completedThisRun >= input.chunksPerRun || workflowInfo().continueAsNewSuggested;
  const canStartChunk = () => !isPaused() && !stopping() && !handOverDue() && inFlight.size < input.concurrency && queue!.hasPending();

  try {
    if (!plan) {
      publish();
      plan = await activities.planBatch({ batchId, input });
      queue = new ChunkQueue(plan.chunkCount);
      phase = 'running';
    }
    publish();

    while (!stopping() && !finished()) {
      if (handOverDue()) {
        await condition(() => inFlight.size === 0);
        if (stopping() || finished()) break;
        await condition(allHandlersFinished);
        const next: CarriedState = {
          plan: plan!,
          doneChunks: queue!.doneRanges(),
          front: queue!.frontChunks(),
          counts,
          clock,
          pauseReason,
          priority,
          runs: runs + 1,
        };
        return await continueAsNew<typeof batchExtraction>(input, next);
      }
      await condition(() => stopping() || finished() || handOverDue() || canStartChunk());
      if (canStartChunk()) startChunk(queue!.take()!);
    }

    if (cancelReason !== null) {
      phase = 'cancelling';
      publish();
    }
    await condition(() => inFlight.size === 0);
    const finalState = cancelReason !== null ? 'cancelled' : toleranceReason !== null ? 'failed' : 'completed';
    const summary = await activities.writeReport(reportRequest(finalState, cancelReason ?? toleranceReason ?? undefined));
    phase = finalState;
    publish();
    await condition(allHandlersFinished);
    if (finalState === 'failed') {
      throw ApplicationFailure.nonRetryable(toleranceReason!, messages.failureTypes.toleranceExceeded, summary);
    }
    return summary;
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // `temporal workflow cancel` or the Web UI's cancel button: write the partial report, then end as cancelled.
    await CancellationScope.nonCancellable(async () => {
      phase = 'cancelling';
      cancelReason ??= 'cancelled through Temporal';
      publish();
      await condition(() => inFlight.size === 0);
      if (plan) await activities.writeReport(reportRequest('cancelled', cancelReason));
      phase = 'cancelled';
      publish();
    });
    throw error;
  }

  function reportRequest(state: BatchSummary['state'], reason: string | undefined) {
    const now = Date.now();
    return {
      batchId,
      batchDir: plan!.batchDir,
      state,
      reason,
      startedAt: clock.startedAt,
      elapsedMs: activeMs(clock, now),
      pausedMs: totalPausedMs(clock, now),
      redriveOf: input.redriveOf,
      runs,
      schemaName: input.schema,
      chunkSize: input.chunkSize,
    };
  }
}

function parseInputOrFail(rawInput: BatchInputJson): BatchInput {
  const parsed = parseBatchInput(rawInput);
  if (parsed.ok) return parsed.input;
  throw ApplicationFailure.nonRetryable(
    `invalid batch input (${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}): ${parsed.problems.join('; ')}`,
    messages.failureTypes.invalidInput,
    { problems: parsed.problems },
  );
}

function retryPolicy(input: BatchInput) {
  return {
    initialInterval: input.retry.initialInterval,
    backoffCoefficient: input.retry.backoffCoefficient,
    maximumInterval: input.retry.maximumInterval,
    maximumAttempts: input.retry.maximumAttempts,
    nonRetryableErrorTypes: [messages.failureTypes.invalidInput, messages.failureTypes.batchFault],
  };
}

function chunkActivityOptions(input: BatchInput): ActivityOptions {
  return {
    startToCloseTimeout: input.timeouts.chunkStartToClose,
    heartbeatTimeout: input.timeouts.chunkHeartbeat,
    // Cancellation reaches a chunk through its heartbeat; wait for it to stop so the report sees its journal.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: retryPolicy(input),
  };
}

/** planBatch, locateDocuments and writeReport: file work, minutes at most. */
function supportActivityOptions(input: BatchInput): ActivityOptions {
  return { startToCloseTimeout: '10m', retry: retryPolicy(input) };
}
