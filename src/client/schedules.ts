import { ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowNotFoundError, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import { DEFAULTS } from '../env';
import { batchSummarySchema } from '../batch/summary';
import type { BatchInput, BatchInputJson } from '../batch/input';
import { schemaLabel } from '../extraction/schemas';
import { DocbatchError } from './errors';

/**
 * Recurring batches as Temporal Schedules: each action starts a `batchExtraction` workflow with the
 * schedule's batch input. Temporal appends the scheduled time to the action's workflow id, so each
 * run's batch id names the schedule and the time it was scheduled for
 * (`nightly-invoices-2026-12-07T02:00:00Z`). The same schedules are listed, paused, triggered and
 * backfilled by `temporal schedule …` and the Web UI's Schedules page; docbatch marks its own with
 * a memo so `schedule list` can say what each extracts.
 */

export const overlapPolicies = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'] as const;
export type OverlapPolicy = (typeof overlapPolicies)[number];

/** Defaults of a new schedule, in one place. */
export const SCHEDULE_DEFAULTS = {
  /** A run still going when the next is due: the next is skipped (one batch of a collection at a time). */
  overlap: 'skip' as OverlapPolicy,
  /** Runs missed while the Temporal server was down are still taken if they were due less than this long ago. */
  catchupWindow: '1d',
};

export interface BatchScheduleRequest {
  name: string;
  json: BatchInputJson;
  input: BatchInput;
  taskQueue: string;
  /** A cron expression ("0 2 * * *") or an interval ("6h"): one of them. */
  cron?: string;
  every?: string;
  /** IANA time zone of the cron expression (default UTC). */
  timezone?: string;
  overlap?: OverlapPolicy;
  catchupWindow?: string;
  note?: string;
  paused?: boolean;
}

export class ScheduleRequestError extends DocbatchError {
  override name = 'ScheduleRequestError';
}

/** The memo docbatch puts on its schedules: what `schedule list` shows without reading the action. */
interface ScheduleMemo {
  docbatch: { source: string; schema: string; collection?: string; onlyNew: boolean; sink?: string; cron?: string };
}

export function scheduleOptions(request: BatchScheduleRequest): ScheduleOptions {
  if ((request.cron === undefined) === (request.every === undefined)) {
    throw new ScheduleRequestError('a schedule needs when to run', 'give --cron "0 2 * * *" or --every 6h (one of them)');
  }
  const { input } = request;
  const memo: ScheduleMemo = {
    docbatch: {
      source: 'dir' in input.source ? input.source.dir : 'url' in input.source ? input.source.url : input.source.manifest,
      schema: schemaLabel(input.schema),
      onlyNew: input.onlyNew,
      ...(input.collection !== undefined ? { collection: input.collection } : {}),
      ...(input.sink !== undefined ? { sink: input.sink } : {}),
      // Temporal keeps a cron expression only as its calendar: the expression as given, for describe.
      ...(request.cron !== undefined ? { cron: request.cron } : {}),
    },
  };
  return {
    scheduleId: request.name,
    spec: {
      ...(request.cron !== undefined ? { cronExpressions: [request.cron] } : {}),
      ...(request.every !== undefined ? { intervals: [{ every: request.every as `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` }] } : {}),
      ...(request.timezone !== undefined ? { timezone: request.timezone } : {}),
    },
    action: {
      type: 'startWorkflow',
      workflowType: DEFAULTS.workflowType,
      // Temporal appends "-<scheduled time>": the batch id names the schedule and the time.
      workflowId: request.name,
      taskQueue: request.taskQueue,
      args: [request.json],
      staticSummary: `scheduled by ${request.name}: ${schemaLabel(input.schema)} extraction of ${memo.docbatch.source}${input.onlyNew ? ' (only new documents)' : ''}`,
    },
    policies: {
      overlap: toTemporalOverlap(request.overlap ?? SCHEDULE_DEFAULTS.overlap),
      catchupWindow: (request.catchupWindow ?? SCHEDULE_DEFAULTS.catchupWindow) as `${number}d`,
      pauseOnFailure: false,
    },
    state: { paused: request.paused === true, ...(request.note !== undefined ? { note: request.note } : {}) },
    memo: memo as unknown as Record<string, unknown>,
  };
}

export async function createBatchSchedule(client: Client, request: BatchScheduleRequest): Promise<void> {
  await client.schedule.create(scheduleOptions(request));
}

export function toTemporalOverlap(policy: OverlapPolicy): ScheduleOverlapPolicy {
  return policy.toUpperCase().replace(/-/g, '_') as ScheduleOverlapPolicy;
}

export interface ScheduleListing {
  name: string;
  paused: boolean;
  note: string | null;
  /** What it extracts (docbatch's schedules), or null for another schedule of the namespace. */
  docbatch: ScheduleMemo['docbatch'] | null;
  nextRuns: Date[];
  lastRun: { batchId: string; scheduledAt: Date } | null;
}

export async function listBatchSchedules(client: Client): Promise<ScheduleListing[]> {
  const listed: ScheduleListing[] = [];
  for await (const schedule of client.schedule.list()) {
    const docbatch = ((schedule.memo ?? {}) as Partial<ScheduleMemo>).docbatch ?? null;
    const last = schedule.info.recentActions.at(-1);
    listed.push({
      name: schedule.scheduleId,
      paused: schedule.state.paused,
      note: schedule.state.note ?? null,
      docbatch,
      nextRuns: schedule.info.nextActionTimes,
      lastRun: last ? { batchId: last.action.workflow.workflowId, scheduledAt: last.scheduledAt } : null,
    });
  }
  return listed.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** One run of a schedule: its batch and how it went. */
export interface ScheduledRun {
  batchId: string;
  scheduledAt: Date;
  takenAt: Date;
  /** The workflow's status: RUNNING, COMPLETED, FAILED … (null when Temporal no longer has it). */
  status: string | null;
  /** From the batch's summary, once it completed. */
  documents: number | null;
  failed: number | null;
  costUsd: number | null;
  collection: { new?: number | undefined; changed?: number | undefined; known?: number | undefined } | null;
}

export interface ScheduleDetails {
  name: string;
  paused: boolean;
  note: string | null;
  spec: { cron: string[]; every: string[]; timezone: string | null };
  overlap: string;
  catchupWindowMs: number;
  docbatch: ScheduleMemo['docbatch'] | null;
  nextRuns: Date[];
  recentRuns: ScheduledRun[];
  runsTaken: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
}

export async function describeBatchSchedule(client: Client, name: string): Promise<ScheduleDetails> {
  const description = await client.schedule
    .getHandle(name)
    .describe()
    .catch((error: unknown) => {
      throw notFound(error, name);
    });
  const recentRuns = await Promise.all(description.info.recentActions.map(async (run) => scheduledRun(client, run)));
  return {
    name,
    paused: description.state.paused,
    note: description.state.note ?? null,
    spec: specOf(description, ((description.memo ?? {}) as Partial<ScheduleMemo>).docbatch?.cron),
    overlap: description.policies.overlap ?? 'SKIP',
    catchupWindowMs: description.policies.catchupWindow,
    docbatch: ((description.memo ?? {}) as Partial<ScheduleMemo>).docbatch ?? null,
    nextRuns: description.info.nextActionTimes,
    recentRuns: recentRuns.reverse(),
    runsTaken: description.info.numActionsTaken,
    missedCatchupWindow: description.info.numActionsMissedCatchupWindow,
    overlapSkipped: description.info.numActionsSkippedOverlap,
  };
}

function specOf(description: ScheduleDescription, cron: string | undefined): ScheduleDetails['spec'] {
  const { spec } = description;
  return {
    cron: cron !== undefined ? [cron] : (spec.calendars ?? []).map((calendar) => calendar.comment || JSON.stringify(calendar)),
    every: (spec.intervals ?? []).map((interval) => `${String(interval.every)}ms`),
    timezone: spec.timezone ?? null,
  };
}

async function scheduledRun(client: Client, run: ScheduleDescription['info']['recentActions'][number]): Promise<ScheduledRun> {
  const batchId = run.action.workflow.workflowId;
  const base: ScheduledRun = { batchId, scheduledAt: run.scheduledAt, takenAt: run.takenAt, status: null, documents: null, failed: null, costUsd: null, collection: null };
  try {
    const handle = client.workflow.getHandle(batchId);
    const status = (await handle.describe()).status.name;
    if (status !== 'COMPLETED') return { ...base, status };
    const summary = batchSummarySchema.safeParse(await handle.result());
    if (!summary.success) return { ...base, status };
    const { total, failed, usage, collection } = summary.data;
    return { ...base, status, documents: total, failed, costUsd: usage.costUsd, collection: collection ?? null };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return base;
    throw error;
  }
}

export type ScheduleControl =
  | { action: 'pause' | 'unpause'; note?: string }
  | { action: 'trigger'; overlap?: OverlapPolicy }
  | { action: 'backfill'; start: Date; end: Date; overlap?: OverlapPolicy }
  | { action: 'delete' };

export async function controlBatchSchedule(client: Client, name: string, control: ScheduleControl): Promise<void> {
  const handle = client.schedule.getHandle(name);
  try {
    switch (control.action) {
      case 'pause':
        return await handle.pause(control.note);
      case 'unpause':
        return await handle.unpause(control.note);
      case 'trigger':
        return await handle.trigger(control.overlap ? toTemporalOverlap(control.overlap) : undefined);
      case 'backfill':
        return await handle.backfill([{ start: control.start, end: control.end, ...(control.overlap ? { overlap: toTemporalOverlap(control.overlap) } : {}) }]);
      case 'delete':
        return await handle.delete();
    }
  } catch (error) {
    throw notFound(error, name);
  }
}

function notFound(error: unknown, name: string): unknown {
  if (error instanceof ScheduleNotFoundError) return new ScheduleRequestError(`no schedule named ${name}`, '`docbatch schedule list` shows the schedules of this namespace');
  return error;
}
