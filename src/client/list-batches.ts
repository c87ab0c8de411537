import type { Client } from '@temporalio/client';
import { DEFAULTS } from '../env';
import { batchStates, type BatchState } from '../batch/progress';
import { DocbatchDocuments, DocbatchFailed, DocbatchPercent, DocbatchPriority, DocbatchState } from '../batch/search-attributes';
import { UnknownStateError } from './errors';

/** One batch as the visibility store knows it, from docbatch's search attributes. */
export interface BatchListing {
  batchId: string;
  /** Temporal's execution status: Running, Completed, Failed, Canceled, Terminated, ... */
  status: string;
  state: string | null;
  percent: number | null;
  documents: number | null;
  failed: number | null;
  priority: number | null;
  startedAt: string;
  closedAt: string | null;
}

export interface ListOptions {
  state?: string;
  limit?: number;
}

/** The visibility query behind `docbatch list`; the same text works in `temporal workflow list --query`. */
function batchListQuery(state: string | undefined): string {
  const type = `WorkflowType='${DEFAULTS.workflowType}'`;
  if (state === undefined) return type;
  if (!(batchStates as readonly string[]).includes(state)) {
    throw new UnknownStateError(state, batchStates);
  }
  return `${type} AND ${DocbatchState.name}='${state as BatchState}'`;
}

/** Batches, newest first, filtered by state when asked. */
export async function listBatches(client: Client, options: ListOptions = {}): Promise<BatchListing[]> {
  const limit = options.limit ?? 20;
  const listings: BatchListing[] = [];
  for await (const execution of client.workflow.list({ query: batchListQuery(options.state), pageSize: Math.min(limit, 1000) })) {
    const attributes = execution.typedSearchAttributes;
    listings.push({
      batchId: execution.workflowId,
      status: execution.status.name,
      state: attributes.get(DocbatchState) ?? null,
      percent: attributes.get(DocbatchPercent) ?? null,
      documents: attributes.get(DocbatchDocuments) ?? null,
      failed: attributes.get(DocbatchFailed) ?? null,
      priority: attributes.get(DocbatchPriority) ?? null,
      startedAt: execution.startTime.toISOString(),
      closedAt: execution.closeTime?.toISOString() ?? null,
    });
    if (listings.length >= limit) break;
  }
  return listings;
}
