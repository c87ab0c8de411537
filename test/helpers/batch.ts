import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { DEFAULTS } from '../../src/env';
import type { BatchInputJson } from '../../src/batch/input';
import type { BatchWorkflow } from '../../src/batch/workflow';
import { createDocbatchWorker, workflowsPath, type DocbatchWorkerOptions } from '../../src/worker';
import { testTemporal } from './temporal';

export const samplesDir = path.resolve('samples/invoices');

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `docbatch-${prefix}-`));
}

export async function testClient(): Promise<Client> {
  const { address, namespace } = testTemporal();
  return new Client({ connection: await Connection.connect({ address }), namespace });
}

// Workers in tests say only what went wrong: INFO lines of every state change would bury the test output.
Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<Awaited<ReturnType<typeof bundleWorkflowCode>>> | undefined;

/** A real worker on its own task queue, so test files never steal each other's tasks. */
export async function startTestWorker(options: DocbatchWorkerOptions & { taskQueue: string }): Promise<{ worker: Worker; stop: () => Promise<void> }> {
  const { address, namespace } = testTemporal();
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const connection = await NativeConnection.connect({ address });
  const worker = await createDocbatchWorker({ connection, namespace, workflowBundle: await bundle, ...options });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export async function startBatch(client: Client, taskQueue: string, batchId: string, input: BatchInputJson) {
  return client.workflow.start<BatchWorkflow>(DEFAULTS.workflowType, { taskQueue, workflowId: batchId, args: [input] });
}

export async function readJsonLines<T = Record<string, unknown>>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T);
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
