import path from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { DEFAULTS } from '../env';
import type { BatchInputJson } from '../batch/input';

/**
 * The input a batch was started with, from the first event of its current run (continue-as-new
 * carries the same input). Works for batches started by the Temporal CLI too, which carry no memo.
 */
export async function readBatchInput(client: Client, batchId: string): Promise<BatchInputJson | undefined> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: batchId },
    maximumPageSize: 1,
  });
  const payload = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  // docbatch uses the default data converter: plain JSON, no codec.
  return defaultPayloadConverter.fromPayload<BatchInputJson>(payload);
}

/** `<outputDir>/<batchId>`, resolved as the worker resolves it (relative paths against the current directory). */
export function batchDirFor(input: BatchInputJson | undefined, batchId: string): string {
  return path.resolve(input?.outputDir ?? DEFAULTS.outputDir, batchId);
}
