import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch, startTestWorker, testClient, uniqueId } from './helpers/batch';
import { testTemporal } from './helpers/temporal';

const run = promisify(execFile);
const taskQueue = uniqueId('invalid-input');

describe('invalid batch input', () => {
  let stop: () => Promise<void>;
  beforeAll(async () => ({ stop } = await startTestWorker({ taskQueue })));
  afterAll(async () => stop?.());

  it('fails a batch started by the real temporal CLI at once, listing every problem', async () => {
    const { temporalCliPath, address, namespace } = testTemporal();
    const batchId = uniqueId('invalid');
    const input = JSON.stringify({ source: { dir: '' }, concurrency: 0, priority: 9, extractor: 'gpt' });
    await run(temporalCliPath, [
      'workflow', 'start', '--address', address, '--namespace', namespace,
      '--task-queue', taskQueue, '--type', 'batchExtraction', '--workflow-id', batchId, '--input', input,
    ]);
    const client = await testClient();
    const failure = await client.workflow.getHandle(batchId).result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('InvalidBatchInput');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause!.message).toMatch(/^invalid batch input \(4 problems\)/);
    const problems = ((cause as ApplicationFailure).details?.[0] as { problems: string[] }).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/source\.dir/);
    expect(problems.join('\n')).toMatch(/concurrency/);
    expect(problems.join('\n')).toMatch(/priority/);
    expect(problems.join('\n')).toMatch(/extractor/);

    // The CLI's own view of it, as a person would see it.
    const described = await run(temporalCliPath, ['workflow', 'describe', '--address', address, '--namespace', namespace, '--workflow-id', batchId, '--output', 'json']);
    expect((JSON.parse(described.stdout) as { workflowExecutionInfo: { status: string } }).workflowExecutionInfo.status).toMatch(/FAILED/);
  });

  it('fails a batch whose source directory does not exist with one clear message', async () => {
    const client = await testClient();
    const handle = await startBatch(client, taskQueue, uniqueId('missing-dir'), { source: { dir: '/nonexistent/invoices' }, outputDir: '/tmp/docbatch-never' });
    const failure = (await handle.result().catch((error: unknown) => error)) as WorkflowFailedError;
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure.cause?.cause ?? failure.cause) as Error | undefined;
    expect(cause?.message).toBe('source.dir /nonexistent/invoices does not exist: pass an existing directory');
  });
});
