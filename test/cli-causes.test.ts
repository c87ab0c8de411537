import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeExitCodes } from '../src/client/batch-cause';
import { ENV } from '../src/env';
import { BatchFault } from '../src/extraction/errors';
import type { Extractor } from '../src/extraction/extractor';
import { startTestWorker, tempDir, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { Gate, gatedExtractor } from './helpers/extractors';
import { runDocbatch, type CliResult } from './helpers/cli';

/**
 * Every way a batch can stop short of `completed` ends `run` / `watch` / `status` / `report` with
 * one line (the batch, the innermost cause and its type, the fix) and the exit code of that cause.
 */
const taskQueue = uniqueId('cli-causes');
const idleQueue = uniqueId('cli-causes-idle');
const gate = new Gate();
let stopWorker: () => Promise<void>;
let cliEnv: NodeJS.ProcessEnv;

/** Fails every document with a batch-wide fault, as a rejected API key does. */
const faultyExtractor: Extractor = {
  name: 'anthropic',
  settingsKey: 'faulty',
  extract: () => Promise.reject(new BatchFault('credentials_rejected', 'ANTHROPIC_API_KEY rejected (401): set a valid key, then `docbatch resume <id>`')),
};

beforeAll(async () => {
  cliEnv = { ...process.env, [ENV.taskQueue]: taskQueue, [ENV.outputDir]: await tempDir('causes-out'), [ENV.cacheDir]: await tempDir('causes-cache') };
  ({ stop: stopWorker } = await startTestWorker({
    taskQueue,
    activityDeps: { extractorFor: async (settings) => (settings.extractor === 'anthropic' ? faultyExtractor : gatedExtractor(gate)), resultCache: null, hasAnthropicKey: () => false },
  }));
});

afterAll(async () => {
  gate.open();
  await stopWorker?.();
});


function docbatch(args: string[], env: NodeJS.ProcessEnv = cliEnv): Promise<CliResult> {
  return runDocbatch(args, env);
}

function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith('error: '));
}

describe('the cause of a batch that did not complete, in one line', () => {
  it('the tolerance stop: run, status and report name it with the same exit code', async () => {
    const documents = await documentDir(1, 3);
    const batchId = uniqueId('tolerance');
    const run = await docbatch(['start', documents, '--id', batchId, '--extractor', 'local', '--tolerated-failure-percent', '10']);
    expect(run.code).toBe(0);
    const watched = await docbatch(['watch', batchId]);
    expect(watched.code).toBe(causeExitCodes.tolerance);
    const [line] = errorLines(watched);
    expect(errorLines(watched)).toHaveLength(1);
    expect(line).toMatch(new RegExp(`^error: batch ${batchId} failed: \\d of 4 documents failed .*\\(FailureToleranceExceeded\\); .*docbatch redrive ${batchId}`));
    for (const command of ['status', 'report']) {
      const again = await docbatch([command, batchId]);
      expect(again.code).toBe(causeExitCodes.tolerance);
      expect(errorLines(again)).toEqual([line]);
    }
  });

  it('a source that vanished between start and planning', async () => {
    const documents = await documentDir(2);
    const batchId = uniqueId('vanished');
    const idleEnv = { ...cliEnv, [ENV.taskQueue]: idleQueue };
    expect((await docbatch(['start', documents, '--id', batchId, '--extractor', 'local'], idleEnv)).code).toBe(0);
    await rm(documents, { recursive: true });
    const { stop } = await startTestWorker({ taskQueue: idleQueue });
    try {
      const watched = await docbatch(['watch', batchId], idleEnv);
      expect(watched.code).toBe(causeExitCodes.source);
      expect(errorLines(watched)).toEqual([
        `error: batch ${batchId} failed: source.dir ${documents} does not exist: pass an existing directory (SourceUnavailable); restore the source (or pass another one), then start the batch again`,
      ]);
    } finally {
      await stop();
    }
  });

  it('a batch-wide API fault pauses the batch: watch and status stop with the fault, not a hang', async () => {
    const documents = await documentDir(2);
    const batchId = uniqueId('fault');
    expect((await docbatch(['start', documents, '--id', batchId, '--extractor', 'anthropic'])).code).toBe(0);
    const watched = await docbatch(['watch', batchId]);
    expect(watched.code).toBe(causeExitCodes.fault);
    expect(errorLines(watched)).toEqual([
      `error: batch ${batchId} paused: ANTHROPIC_API_KEY rejected (401): set a valid key, then \`docbatch resume <id>\` (BatchFault); the batch is paused with its finished work kept: fix it, then \`docbatch resume ${batchId}\``,
    ]);
    const status = await docbatch(['status', batchId, '--json']);
    expect(status.code).toBe(causeExitCodes.fault);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'paused', pauseFault: { type: 'BatchFault' }, cause: { kind: 'fault', type: 'BatchFault' } });
    expect((await docbatch(['cancel', batchId])).code).toBe(0);
  });

  it('cancellation', async () => {
    gate.close();
    try {
      const documents = await documentDir(3);
      const batchId = uniqueId('cancelled');
      expect((await docbatch(['start', documents, '--id', batchId, '--extractor', 'local'])).code).toBe(0);
      expect((await docbatch(['cancel', batchId, '--reason', 'wrong folder'])).code).toBe(0);
      gate.open();
      const watched = await docbatch(['watch', batchId]);
      expect(watched.code).toBe(causeExitCodes.cancelled);
      expect(errorLines(watched)).toEqual([expect.stringMatching(new RegExp(`^error: batch ${batchId} cancelled: wrong folder; `))]);
    } finally {
      gate.open();
    }
  });
});

describe('a batch whose workflow task keeps failing', () => {
  it('watch and status stop with the workflow task failure instead of waiting forever', async () => {
    const { testClient } = await import('./helpers/batch');
    const client = await testClient();
    const batchId = uniqueId('stuck');
    // A worker of this task queue has no such workflow: every workflow task fails, Temporal retries it without end.
    await client.workflow.start('noSuchWorkflow', { taskQueue, workflowId: batchId, args: [] });
    const watched = await docbatch(['watch', batchId]);
    expect(watched.code).toBe(causeExitCodes['workflow-task']);
    expect(errorLines(watched)).toEqual([expect.stringMatching(new RegExp(`^error: batch ${batchId} is stuck: its workflow task fails: .*noSuchWorkflow.*; the workers cannot run the workflow code`))]);
    const status = await docbatch(['status', batchId]);
    expect(status.code).toBe(causeExitCodes['workflow-task']);
    expect(errorLines(status)).toEqual(errorLines(watched));
    await client.workflow.getHandle(batchId).terminate('test over');
  });
});

describe('a schema the extractor cannot fill is refused before a workflow exists', () => {
  const customSchema = path.resolve('test/fixtures/schemas/purchase-order.schema.json');

  it('run (its in-process worker has no API key, so "auto" is local) and start --extractor local refuse it in one line, exit 3', async () => {
    const documents = await documentDir(1);
    const { testClient } = await import('./helpers/batch');
    const client = await testClient();
    const keyless = { ...cliEnv, ANTHROPIC_API_KEY: '' };
    for (const args of [
      ['run', documents, '--schema', customSchema],
      ['start', documents, '--schema', customSchema, '--extractor', 'local'],
    ]) {
      const batchId = uniqueId('refused');
      const result = await docbatch([...args, '--id', batchId], keyless);
      expect(result.code).toBe(causeExitCodes.refused);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^error: the schema .*purchase-order\.schema\.json cannot be filled by the local extractor.*only by the anthropic extractor\. To extract it, set ANTHROPIC_API_KEY/),
      ]);
      await expect(client.workflow.getHandle(batchId).describe()).rejects.toThrow(/not found/i);
    }
  });

  it('start with "auto" leaves it to the workers (their key decides), and planning refuses it with the same cause line', async () => {
    const documents = await documentDir(1);
    const batchId = uniqueId('refused-at-planning');
    expect((await docbatch(['start', documents, '--schema', customSchema, '--id', batchId])).code).toBe(0);
    const watched = await docbatch(['watch', batchId]);
    expect(watched.code).toBe(causeExitCodes.refused);
    expect(errorLines(watched)).toEqual([expect.stringMatching(new RegExp(`^error: batch ${batchId} failed: the schema .* cannot be filled by the local extractor .*\\(InvalidBatchInput\\); `))]);
  });
});
