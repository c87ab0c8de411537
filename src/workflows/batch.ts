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
  type SignalDefinition,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { DocbatchActivities } from '../activities';
import type { ChunkCounts, ExtractChunkResult, PlanBatchResult } from '../activities/contracts';
import type { BatchSummary } from '../store/summary';
import { ChunkQueue, chunkRange } from './chunk-queue';
import { addCounts, emptyCounts, parseUpdateArgs, rejectUpdate, tolerance, validateArgs } from './controls';
import { currentDetailsMarkdown } from './details';
import { parseBatchInput, type BatchInput, type BatchInputJson } from './input';
import * as messages from './messages';
import {
  activeMs,
  pauseClock,
  progressOf,
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
  const chunkScope = new CancellationScope();

  const isPaused = () => pauseReason !== null;
  const isOver = () => phase === 'cancelled' || phase === 'completed' || phase === 'failed';
  const inFlightCount = () => queue?.inFlightCount ?? 0;

  const progress = (): Progress =>
    progressOf(
      {
        batchId,
        phase,
        pauseReason,
        priority,
        plan,
        chunkSize: input.chunkSize,
        doneChunks: queue?.doneCount ?? 0,
        inFlightChunks: queue?.inFlightChunks() ?? [],
        counts,
        clock,
        outputDir: `${input.outputDir}/${batchId}`,
        run: runs,
      },
      Date.now(),
    );

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

  // --- controls: one refusal rule and one effect behind each signal and its update ---

  function pause(reason: string | undefined): void {
    pauseReason = reason ?? 'paused by request';
    stopClockWhenIdle();
    publish();
  }

  /** A paused batch's clock stops once its in-flight chunks have finished: they still count as work. */
  function stopClockWhenIdle(): void {
    if (isPaused() && inFlightCount() === 0) clock = pauseClock(clock, Date.now());
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

  async function prioritize(documents: string[]): Promise<void> {
    const located = await activities.locateDocuments({ batchDir: plan!.batchDir, chunkSize: input.chunkSize, documents });
    if (located.unknown.length > 0) throw rejectUpdate(`unknown documents in batch ${batchId}: ${located.unknown.join(', ')}`);
    queue!.prioritize(located.chunks);
  }

  /** Why the batch takes no more steering, or null while it does. */
  const notSteerable = (what: string): string | null =>
    isOver() || cancelReason !== null ? `cannot ${what}: the batch is ${isOver() ? phase : 'cancelling'}` : null;

  /**
   * Registers a control as a signal (a refused or malformed one is logged and ignored) and as an
   * update of the same name (refused before it reaches history; returns the new progress).
   */
  function control<S extends z.ZodType>(
    signal: SignalDefinition<unknown[]>,
    update: UpdateDefinition<Progress, [unknown]>,
    schema: S,
    refusal: (args: z.infer<S>) => string | null,
    apply: (args: z.infer<S>) => void | Promise<void>,
  ): void {
    setHandler(signal, (raw: unknown) =>
      validateArgs(schema, raw, signal.name, async (args) => {
        const refused = refusal(args);
        if (refused !== null) return log.warn(`ignoring ${signal.name} signal: ${refused}`);
        await Promise.resolve(apply(args)).catch((error: unknown) => log.warn(`${signal.name} signal ignored`, { error: String(error) }));
      }),
    );
    setHandler(
      update,
      async (raw: unknown) => {
        await apply(parseUpdateArgs(schema, raw));
        return progress();
      },
      {
        validator: (raw: unknown) => {
          const refused = refusal(parseUpdateArgs(schema, raw));
          if (refused !== null) throw rejectUpdate(refused);
        },
      },
    );
  }

  setHandler(messages.progressQuery, progress);
  control(messages.pauseSignal, messages.pauseUpdate, messages.pauseArgsSchema, () => notSteerable('pause'), (a) => pause(a.reason));
  control(
    messages.resumeSignal,
    messages.resumeUpdate,
    messages.resumeArgsSchema,
    () => notSteerable('resume') ?? (isPaused() ? null : 'cannot resume: the batch is not paused'),
    () => resume(),
  );
  control(
    messages.cancelSignal,
    messages.cancelUpdate,
    messages.cancelArgsSchema,
    () => (isOver() ? `cannot cancel: the batch is already ${phase}` : null),
    (a) => cancel(a.reason),
  );
  control(messages.setPrioritySignal, messages.setPriorityUpdate, messages.setPriorityArgsSchema, () => notSteerable('change priority'), (a) => {
    priority = a.priority;
    publish();
  });
  control(
    messages.prioritizeSignal,
    messages.prioritizeUpdate,
    messages.prioritizeArgsSchema,
    () => notSteerable('prioritize') ?? (plan ? null : 'the batch is still being planned: try again once it is running'),
    (a) => prioritize(a.documents),
  );

  // --- the chunks ---

  function startChunk(chunk: number): void {
    const { start, end } = chunkRange(chunk, input.chunkSize, plan!.total);
    const { extractChunk } = proxyActivities<DocbatchActivities>({
      ...chunkActivityOptions(input),
      priority: { priorityKey: priority },
      summary: `chunk ${chunk}: documents ${start + 1}–${end}`,
    });
    const settings = { schema: plan!.schema ?? input.schema, extractor: plan!.extractor, models: input.models, cache: input.cache };
    void chunkScope
      .run(() => extractChunk({ batchId, batchDir: plan!.batchDir, chunkIndex: chunk, chunkSize: input.chunkSize, settings }))
      .then(onChunkDone, (error: unknown) => onChunkFailed(chunk, error))
      .finally(() => {
        stopClockWhenIdle();
        publish();
      });
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
      pause(cause.message);
      return;
    }
    // Retries are exhausted: the fault outlived the retry policy, so a person should look.
    pause(`chunk ${chunk} failed after its retries: ${cause instanceof Error ? cause.message : String(cause)}. Fix the cause, then resume`);
  }

  // --- the process ---

  const finished = () => queue !== null && queue.isFinished() && inFlightCount() === 0;
  const stopping = () => cancelReason !== null || toleranceReason !== null;
  const handOverDue = () => completedThisRun >= input.chunksPerRun || workflowInfo().continueAsNewSuggested;
  const canStartChunk = () => !isPaused() && !stopping() && !handOverDue() && inFlightCount() < input.concurrency && queue!.hasPending();

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
        await condition(() => inFlightCount() === 0);
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
    await condition(() => inFlightCount() === 0);
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
      await condition(() => inFlightCount() === 0);
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
      schema: plan!.schema ?? input.schema,
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
