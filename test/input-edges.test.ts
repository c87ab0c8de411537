import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { batchInputSchema, MAX_DURATION_MS, parseBatchInput, type BatchInputJson } from '../src/batch/input';
import * as messages from '../src/batch/messages';
import { startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { eventually } from './helpers/eventually';
import { countingExtractor } from './helpers/extractors';

/**
 * Every input the schema accepts must make a running batch: the SDK refuses some values the
 * schema used to let through (0 attempts, a zero or reversed retry interval), and a refusal inside
 * the workflow fails its task forever: even the progress query stops answering. The numeric
 * edges are read from the schema itself, so a new field is covered without editing this test.
 */

type Shape = Record<string, z.ZodType>;

function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner;
}

/** Every number field of the input (top level, retry, timeouts), at its minimum or its maximum. */
function numericEdges(shape: Shape, edge: 'minValue' | 'maxValue'): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const inner = unwrap(field);
    if (inner instanceof z.ZodNumber) {
      const value = inner[edge];
      if (value === null || !Number.isFinite(value)) throw new Error(`${key} has no ${edge}: bound it, or give this test its edge`);
      values[key] = value;
    } else if (inner instanceof z.ZodObject && (key === 'retry' || key === 'timeouts')) {
      values[key] = numericEdges(inner.shape, edge);
    }
  }
  return values;
}

const top = batchInputSchema.shape as unknown as Shape;
const minimums = numericEdges(top, 'minValue') as { retry: Record<string, unknown> };
const maximums = numericEdges(top, 'maxValue') as { retry: Record<string, unknown> };

const cases: { name: string; input: Partial<BatchInputJson>; ends: 'completed' | 'completed or paused' }[] = [
  {
    // chunk size 1, one chunk in flight, a continue-as-new after every chunk, priority 1, no failure
    // tolerated, retries that never back off and never give up (0 attempts = unlimited).
    name: 'every number at its minimum, retry intervals of 1 ms',
    input: { ...minimums, retry: { ...minimums.retry, initialInterval: '1ms', maximumInterval: '1ms' } },
    ends: 'completed',
  },
  {
    name: 'every number at its maximum, every duration a year',
    input: {
      ...maximums,
      retry: { ...maximums.retry, initialInterval: '365d', maximumInterval: MAX_DURATION_MS },
      timeouts: { chunkStartToClose: '365d', chunkHeartbeat: MAX_DURATION_MS },
    },
    ends: 'completed',
  },
  { name: 'unlimited attempts (maximumAttempts 0) with defaults otherwise', input: { retry: { maximumAttempts: 0 } }, ends: 'completed' },
  { name: 'durations as whole milliseconds', input: { retry: { initialInterval: 1, maximumInterval: 2 }, timeouts: { chunkStartToClose: 600_000, chunkHeartbeat: 60_000 } }, ends: 'completed' },
  {
    // A chunk may or may not beat a 1 ms timeout (the server's timers are not that fine): either it
    // completes, or it times out and, with one attempt, the batch pauses and says why.
    name: 'timeouts of 1 ms and a single attempt',
    input: { timeouts: { chunkStartToClose: '1ms', chunkHeartbeat: '1ms' }, retry: { maximumAttempts: 1 } },
    ends: 'completed or paused',
  },
];

const taskQueue = uniqueId('edges');
let client: Client;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => countingExtractor(), resultCache: null } }));
  client = await testClient();
});
afterAll(async () => stop?.());

describe('every accepted input makes a running batch', () => {
  it('reads real edges from the schema', () => {
    expect(minimums).toMatchObject({ chunkSize: 1, concurrency: 1, chunksPerRun: 1, retry: { maximumAttempts: 0 } });
    expect(maximums).toMatchObject({ chunkSize: 1000, priority: 5, retry: { maximumAttempts: 1000 } });
  });

  it.each(cases)('$name', async ({ input, ends }) => {
    const json = { source: { dir: await documentDir(3) }, outputDir: await tempDir('edges-out'), extractor: 'local', cache: false, ...input } as BatchInputJson;
    const parsed = parseBatchInput(json);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);

    const handle = await startBatch(client, taskQueue, uniqueId('edge'), json);
    const progress = await eventually(async () => {
      const answer = await handle.query(messages.progressQuery);
      expect(answer.state).not.toBe('planning');
      return answer;
    }, 60_000);
    expect(progress.total).toBe(3);

    if (ends === 'completed') {
      const summary = await handle.result();
      expect(summary).toMatchObject({ state: 'completed', total: 3, succeeded: 3 });
      return;
    }
    const settled = await eventually(async () => {
      const answer = await handle.query(messages.progressQuery);
      expect(['completed', 'paused']).toContain(answer.state);
      return answer;
    }, 60_000);
    if (settled.state === 'completed') {
      expect(await handle.result()).toMatchObject({ state: 'completed', succeeded: 3 });
      return;
    }
    expect(settled.pauseReason).toMatch(/chunk \d+ failed after its retries: .*timeout/i);
    await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'edge test done' }] });
    expect(await handle.result()).toMatchObject({ state: 'cancelled' });
  }, 180_000);
});
