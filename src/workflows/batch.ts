import { allHandlersFinished, ApplicationFailure, CancellationScope, condition, continueAsNew, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { carriedStateSchema, type CarriedState } from '../batch/carried-state';
import { failureTypes } from '../batch/failures';
import { schemaIssues } from '../batch/issues';
import { parseBatchInput, type BatchInput, type BatchInputJson } from '../batch/input';
import * as messages from '../batch/messages';
import type { BatchSummary } from '../batch/summary';
import { BatchRun } from './batch-run';
import { registerControl } from './controls';

/**
 * One batch of documents: plan it, run its chunks through a sliding window in priority order,
 * obey pause / resume / cancel / priority while it runs, and write the report. The workflow's
 * own state is the checkpoint; it holds counts and chunk indices, never documents or results.
 */
export async function batchExtraction(rawInput: BatchInputJson, carried?: CarriedState): Promise<BatchSummary> {
  const input = parseInputOrFail(rawInput);
  const batch = new BatchRun(workflowInfo().workflowId, input, carried === undefined ? undefined : parseCarriedState(carried));

  setHandler(messages.progressQuery, batch.progress);
  setHandler(messages.listedSignal, (args) => batch.listed(args));
  const progress = batch.progress;
  registerControl({ signal: messages.pauseSignal, update: messages.pauseUpdate, args: messages.pauseArgsSchema, refusal: () => batch.notSteerable('pause'), apply: (a) => batch.pause(a.reason) }, progress);
  registerControl(
    {
      signal: messages.resumeSignal,
      update: messages.resumeUpdate,
      args: messages.resumeArgsSchema,
      refusal: () => batch.notSteerable('resume') ?? (batch.isPaused() ? null : 'cannot resume: the batch is not paused'),
      apply: () => batch.resume(),
    },
    progress,
  );
  registerControl({ signal: messages.cancelSignal, update: messages.cancelUpdate, args: messages.cancelArgsSchema, refusal: () => batch.notCancellable(), apply: (a) => batch.cancel(a.reason) }, progress);
  registerControl(
    {
      signal: messages.setPrioritySignal,
      update: messages.setPriorityUpdate,
      args: messages.setPriorityArgsSchema,
      refusal: () => batch.notSteerable('change priority'),
      apply: (a) => batch.setPriority(a.priority),
    },
    progress,
  );
  registerControl(
    {
      signal: messages.prioritizeSignal,
      update: messages.prioritizeUpdate,
      args: messages.prioritizeArgsSchema,
      refusal: () => batch.notSteerable('prioritize') ?? (batch.isPlanned() ? null : 'the batch is still being planned: try again once it is running'),
      apply: (a) => batch.prioritize(a.documents),
    },
    progress,
  );

  try {
    if (!batch.isPlanned()) await batch.planBatch();
    batch.publish();

    // The sliding window: at most `concurrency` chunks in flight, started in priority order.
    while (!batch.stopping() && !batch.finished()) {
      const planningFailure = batch.planningFailed();
      if (planningFailure !== undefined) throw planningFailure;
      if (batch.handOverDue()) {
        await condition(() => batch.inFlightCount() === 0);
        if (batch.stopping() || batch.finished()) break;
        // A control still at work (prioritize locating its documents) lands before the hand-over.
        await condition(allHandlersFinished);
        return await continueAsNew<typeof batchExtraction>(input, batch.handOver());
      }
      await condition(() => batch.stopping() || batch.finished() || batch.handOverDue() || batch.canStartChunk() || batch.planningFailed() !== undefined);
      if (batch.canStartChunk()) batch.startNextChunk();
    }

    if (batch.isCancelled()) batch.markCancelling();
    await condition(() => batch.inFlightCount() === 0);
    const { state, reason } = batch.outcome();
    const summary = await batch.writeReport(state, reason);
    await condition(allHandlersFinished);
    if (state === 'failed') throw batch.failure(summary);
    return summary;
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // `temporal workflow cancel` or the Web UI's cancel button: write the partial report, then end as cancelled.
    await CancellationScope.nonCancellable(async () => {
      batch.markCancelling('cancelled through Temporal');
      await condition(() => batch.inFlightCount() === 0);
      await batch.endCancelled();
    });
    throw error;
  }
}

/** The state a previous run handed over; a malformed one (a hand-made continue-as-new) fails the batch with its problems. */
function parseCarriedState(raw: unknown): CarriedState {
  const parsed = carriedStateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = schemaIssues(parsed.error, '(carried state)');
  throw ApplicationFailure.nonRetryable(`invalid carried state: ${problems.join('; ')}`, failureTypes.invalidInput, { problems });
}

function parseInputOrFail(rawInput: BatchInputJson): BatchInput {
  const parsed = parseBatchInput(rawInput);
  if (parsed.ok) return parsed.input;
  throw ApplicationFailure.nonRetryable(
    `invalid batch input (${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}): ${parsed.problems.join('; ')}`,
    failureTypes.invalidInput,
    { problems: parsed.problems },
  );
}
