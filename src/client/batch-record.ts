import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError, type Payload } from '@temporalio/common';
import { locationJoin, resolveLocation } from '../storage/location';
import { DEFAULTS } from '../env';
import { BatchNotFoundError } from './errors';
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
  // Through the client's codecs (the encryption codec, when keys are set), last one first, as the SDK decodes.
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded: Payload = payload;
  for (const codec of [...payloadCodecs].reverse()) decoded = (await codec.decode([decoded]))[0]!;
  return payloadConverter.fromPayload<BatchInputJson>(decoded);
}

/** `<outputDir>/<batchId>`, resolved as the worker resolves it (relative paths against the current directory). */
export function batchDirFor(input: BatchInputJson | undefined, batchId: string): string {
  return locationJoin(resolveLocation(input?.outputDir ?? DEFAULTS.outputDir), batchId);
}

/** The batch's execution as Temporal describes it (status, task queue, search attributes), or null when there is none. */
export async function findBatch(client: Client, batchId: string): Promise<WorkflowExecutionDescription | null> {
  try {
    return await client.workflow.getHandle(batchId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/** The batch's execution; a BatchNotFoundError naming the namespace when there is none. */
export async function describeBatch(client: Client, batchId: string): Promise<WorkflowExecutionDescription> {
  const description = await findBatch(client, batchId);
  if (description === null) throw new BatchNotFoundError(batchId, client.options.namespace);
  return description;
}
