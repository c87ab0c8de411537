import { tsToMs } from '@temporalio/common/lib/time';
import proto, { type temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = proto.temporal.api.enums.v1;

/** The activity types whose events mark the phases (src/batch/activities.ts). */
const PLAN_ACTIVITY = 'planBatch';
const CHUNK_ACTIVITY = 'extractChunk';
const REPORT_ACTIVITY = 'writeReport';

/**
 * Where a batch's wall time went, from its workflow history (server timestamps). Phases may
 * overlap nothing and leave gaps; whatever none of them covers is `restMs`.
 */
export interface BatchPhases {
  /** The first run's start → the first chunk activity started: planBatch (listing, manifest) and its round trips. */
  planningMs: number;
  /** Of planningMs: the planBatch activity, scheduled → completed. */
  planActivityMs: number;
  /** The first chunk activity started → the last one completed, across runs (continue-as-new gaps included). */
  extractionMs: number;
  /** writeReport scheduled → completed (results.jsonl, report.html, summary). */
  reportMs: number;
  /** Of reportMs: writeReport scheduled → started (waiting for the worker to pick it up). */
  reportQueuedMs: number;
  /** The first run's start → the last run's closing event, as the server recorded it. */
  historyMs: number;
  /** The caller's wall time minus the three phases: the gaps between them, starting and answering the client. */
  restMs: number;
  /** The first run's start → the first chunk activity completed: when the first results are in (an upper bound for the first document). */
  firstChunkDoneMs: number;
  /** Chunk activities completed, over all runs. */
  chunks: number;
  /** The phases' boundaries, epoch ms (server clock, the same machine's as Date.now() here). */
  marks: { batchStarted: number; firstChunkStarted: number; lastChunkCompleted: number; reportScheduled: number; reportCompleted: number };
}

/** A process's cumulative CPU seconds, read at epoch ms `at`. */
export interface CpuSample {
  at: number;
  seconds: number;
}

/** CPU seconds per phase, from samples of a process's cumulative CPU time taken during the batch. */
export interface PhaseCpu {
  planning: number;
  extraction: number;
  report: number;
}

export function phaseCpu(samples: CpuSample[], phases: BatchPhases): PhaseCpu | null {
  const { batchStarted, firstChunkStarted, lastChunkCompleted, reportScheduled, reportCompleted } = phases.marks;
  const planning = cpuBetween(samples, batchStarted, firstChunkStarted);
  const extraction = cpuBetween(samples, firstChunkStarted, lastChunkCompleted);
  const report = cpuBetween(samples, reportScheduled, reportCompleted);
  return planning === null || extraction === null || report === null ? null : { planning, extraction, report };
}

/**
 * CPU seconds used between two instants, interpolating linearly between the samples around each;
 * null when the samples (sorted by time) do not cover the interval.
 */
export function cpuBetween(samples: CpuSample[], from: number, to: number): number | null {
  const at = (time: number): number | null => {
    const after = samples.findIndex((sample) => sample.at >= time);
    if (after === -1) return null;
    const next = samples[after]!;
    if (next.at === time) return next.seconds;
    if (after === 0) return null;
    const previous = samples[after - 1]!;
    return previous.seconds + ((next.seconds - previous.seconds) * (time - previous.at)) / (next.at - previous.at);
  };
  const start = at(from);
  const end = at(to);
  return start === null || end === null ? null : Math.round((end - start) * 100) / 100;
}

/**
 * The phases of one batch from the histories of its runs (first run first), given the wall time the
 * caller measured around it (start → result). Null when the histories hold no completed chunk or no
 * completed report, e.g. a batch that failed or timed out.
 */
export function batchPhases(runs: HistoryEvent[][], wallMs: number): BatchPhases | null {
  const first = runs[0]?.[0];
  const last = runs.at(-1)?.at(-1);
  if (!first || !last || first.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) return null;

  let firstChunkStarted = Infinity;
  let lastChunkCompleted = -Infinity;
  let firstChunkCompleted = Infinity;
  let chunks = 0;
  let report: { scheduled: number; started: number; completed: number } | null = null;
  let planActivityMs = 0;
  for (const events of runs) {
    // Event ids (and so scheduledEventId) are per run.
    const scheduled = new Map<string, { type: string; at: number }>();
    const started = new Map<string, number>();
    for (const event of events) {
      const at = tsToMs(event.eventTime);
      const id = String(event.eventId);
      switch (event.eventType) {
        case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
          scheduled.set(id, { type: event.activityTaskScheduledEventAttributes?.activityType?.name ?? '', at });
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
          const scheduledId = String(event.activityTaskStartedEventAttributes?.scheduledEventId);
          started.set(scheduledId, at);
          if (scheduled.get(scheduledId)?.type === CHUNK_ACTIVITY) firstChunkStarted = Math.min(firstChunkStarted, at);
          break;
        }
        case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
          const scheduledId = String(event.activityTaskCompletedEventAttributes?.scheduledEventId);
          const activity = scheduled.get(scheduledId);
          if (activity?.type === CHUNK_ACTIVITY) {
            chunks++;
            lastChunkCompleted = Math.max(lastChunkCompleted, at);
            firstChunkCompleted = Math.min(firstChunkCompleted, at);
          } else if (activity?.type === PLAN_ACTIVITY) {
            planActivityMs += at - activity.at;
          } else if (activity?.type === REPORT_ACTIVITY) {
            report = { scheduled: activity.at, started: started.get(scheduledId) ?? activity.at, completed: at };
          }
          break;
        }
      }
    }
  }
  if (chunks === 0 || report === null) return null;

  const batchStarted = tsToMs(first.eventTime);
  const planningMs = firstChunkStarted - batchStarted;
  const extractionMs = lastChunkCompleted - firstChunkStarted;
  const reportMs = report.completed - report.scheduled;
  return {
    planningMs,
    planActivityMs,
    extractionMs,
    reportMs,
    reportQueuedMs: report.started - report.scheduled,
    historyMs: tsToMs(last.eventTime) - batchStarted,
    restMs: wallMs - planningMs - extractionMs - reportMs,
    firstChunkDoneMs: firstChunkCompleted - batchStarted,
    chunks,
    marks: { batchStarted, firstChunkStarted, lastChunkCompleted, reportScheduled: report.scheduled, reportCompleted: report.completed },
  };
}
