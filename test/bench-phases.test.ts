import { describe, expect, it } from 'vitest';
import proto, { type temporal } from '@temporalio/proto';
import { batchPhases, cpuBetween, phaseCpu, type CpuSample } from '../bench/phases';
import { median } from '../bench/scale';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = proto.temporal.api.enums.v1;

/**
 * A run's history written in order: ids count from 1 as the server's do, times in ms. Built with
 * the proto's own fromObject, so ids and timestamps are the Long values a real history carries.
 */
function run() {
  const events: HistoryEvent[] = [];
  const add = (eventType: temporal.api.enums.v1.EventType, at: number, attributes: Record<string, unknown> = {}) => {
    const eventId = events.length + 1;
    const eventTime = { seconds: Math.floor(at / 1000), nanos: (at % 1000) * 1_000_000 };
    events.push(proto.temporal.api.history.v1.HistoryEvent.fromObject({ eventId, eventType, eventTime, ...attributes }));
    return eventId;
  };
  const builder = {
    events,
    started: (at: number) => (add(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, at), builder),
    /** Schedules an activity; returns its scheduled event id. */
    schedule: (name: string, at: number) => add(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, at, { activityTaskScheduledEventAttributes: { activityType: { name } } }),
    start: (scheduledId: number, at: number) => add(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, at, { activityTaskStartedEventAttributes: { scheduledEventId: scheduledId } }),
    complete: (scheduledId: number, at: number) => add(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, at, { activityTaskCompletedEventAttributes: { scheduledEventId: scheduledId } }),
    /** schedule → start → complete of one activity. */
    activity: (name: string, scheduledAt: number, startedAt: number, completedAt: number) => {
      const id = builder.schedule(name, scheduledAt);
      builder.start(id, startedAt);
      builder.complete(id, completedAt);
      return builder;
    },
    closed: (eventType: temporal.api.enums.v1.EventType, at: number) => (add(eventType, at), builder),
  };
  return builder;
}

describe('bench: where a batch spends its wall time', () => {
  it('splits one run into planning, extraction and report, the rest being what none of them covers', () => {
    const only = run().started(1000).activity('planBatch', 1010, 1020, 1300);
    // Two chunks in flight: the second starts first and the first completes last.
    const a = only.schedule('extractChunk', 1310);
    const b = only.schedule('extractChunk', 1310);
    only.start(b, 1400);
    only.start(a, 1450);
    only.complete(b, 2000);
    only.complete(a, 3400);
    only.activity('writeReport', 3420, 3500, 3900).closed(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 3950);

    expect(batchPhases([only.events], 3100)).toEqual({
      planningMs: 400,
      planActivityMs: 290,
      extractionMs: 2000,
      reportMs: 480,
      reportQueuedMs: 80,
      historyMs: 2950,
      restMs: 220,
      firstChunkDoneMs: 1000,
      chunks: 2,
      marks: { batchStarted: 1000, firstChunkStarted: 1400, lastChunkCompleted: 3400, reportScheduled: 3420, reportCompleted: 3900 },
    });
  });

  it('follows the chunks across continue-as-new, matching each run’s events by its own ids', () => {
    const first = run()
      .started(0)
      .activity('planBatch', 10, 20, 500)
      .activity('extractChunk', 510, 600, 1600)
      .activity('extractChunk', 510, 700, 1800)
      .closed(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, 1850);
    // The next run's ids start again at 1: its event 2 is a chunk, the first run's a planBatch.
    const second = run()
      .started(1900)
      .activity('extractChunk', 1910, 2000, 2600)
      .activity('locateDocuments', 2610, 2620, 2700)
      .activity('writeReport', 2700, 2710, 3000)
      .closed(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 3010);

    const phases = batchPhases([first.events, second.events], 3200);
    expect(phases).toMatchObject({ planningMs: 600, planActivityMs: 490, extractionMs: 2000, reportMs: 300, reportQueuedMs: 10, historyMs: 3010, chunks: 3 });
    expect(phases!.restMs).toBe(3200 - 600 - 2000 - 300);
  });

  it('is null for a batch that wrote no report or finished no chunk', () => {
    const noReport = run()
      .started(0)
      .activity('planBatch', 10, 20, 500)
      .activity('extractChunk', 510, 600, 1600)
      .closed(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, 1700);
    expect(batchPhases([noReport.events], 2000)).toBeNull();

    const noChunk = run()
      .started(0)
      .activity('planBatch', 10, 20, 500)
      .activity('writeReport', 510, 520, 600)
      .closed(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 700);
    expect(batchPhases([noChunk.events], 800)).toBeNull();
    expect(batchPhases([], 800)).toBeNull();
  });
});

describe('bench: the baseline is its median run', () => {
  it('takes the middle run, or the mean of the two middle ones, whatever the order', () => {
    expect(median([1600, 600, 900])).toBe(900);
    expect(median([1000, 4000, 1200, 1100])).toBe(1150);
    expect(median([700])).toBe(700);
    expect(() => median([])).toThrow('median of no values');
  });
});

describe('bench: CPU per phase from samples of a process’s CPU time', () => {
  // Sampled every 100 ms from 0 to 1000: 1 s of CPU a second until 500, then half that.
  const samples: CpuSample[] = Array.from({ length: 11 }, (_, i) => ({ at: i * 100, seconds: i <= 5 ? i * 0.1 : 0.5 + (i - 5) * 0.05 }));

  it('interpolates between the samples around each boundary', () => {
    expect(cpuBetween(samples, 0, 500)).toBe(0.5);
    expect(cpuBetween(samples, 250, 700)).toBe(0.35);
    expect(cpuBetween(samples, 600, 600)).toBe(0);
  });

  it('is null for an interval the samples do not cover', () => {
    expect(cpuBetween(samples, -50, 500)).toBeNull();
    expect(cpuBetween(samples, 500, 1001)).toBeNull();
    expect(cpuBetween([], 0, 1)).toBeNull();
  });

  it('splits the CPU into planning, extraction and report at the phases’ marks', () => {
    const only = run().started(0).activity('planBatch', 10, 20, 150);
    only.activity('extractChunk', 160, 200, 700).activity('writeReport', 800, 800, 1000).closed(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 1000);
    const phases = batchPhases([only.events], 1000)!;
    expect(phaseCpu(samples, phases)).toEqual({ planning: 0.2, extraction: 0.4, report: 0.1 });
    expect(phaseCpu(samples.slice(0, 9), phases)).toBeNull();
  });
});
