import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { DEFAULTS } from '../env';
import type { BatchSummary } from '../batch/summary';
import type { BatchInput, BatchInputJson } from '../batch/input';
import { findBatch } from './batch-record';
import type { SourceOverview } from './batch-source';
import { schemaLabel } from '../extraction/schemas';
import { locationJoin } from '../storage/location';

export type BatchHandle = WorkflowHandle;

export interface StartBatchRequest {
  batchId: string;
  json: BatchInputJson;
  input: BatchInput;
  taskQueue: string;
  source: SourceOverview;
  /** Start again even when a batch of this id already completed. */
  rerun?: boolean;
}

export type StartOutcome =
  | { kind: 'started'; batchId: string; handle: BatchHandle }
  /** A batch of this id is running already (an earlier run of the same command): watch it. */
  | { kind: 'attached'; batchId: string; handle: BatchHandle }
  /** A batch of this id completed already: its summary, unless --rerun. */
  | { kind: 'completed-earlier'; batchId: string; handle: BatchHandle; summary: BatchSummary };

/**
 * Starts the batch, or attaches to the running batch of the same id (so re-running a command
 * resumes it), or returns the summary of the batch that already completed under this id.
 */
export async function startOrAttachBatch(client: Client, request: StartBatchRequest): Promise<StartOutcome> {
  const { batchId } = request;
  const existing = client.workflow.getHandle(batchId);
  const status = (await findBatch(client, batchId))?.status.name ?? null;
  if (status === 'RUNNING') return { kind: 'attached', batchId, handle: existing };
  // An only-new batch that completed is the last increment: the same command makes the next one, named for its start.
  if (status === 'COMPLETED' && !request.rerun && request.input.onlyNew) return startOrAttachBatch(client, { ...request, batchId: nextIncrementId(batchId, new Date()) });
  if (status === 'COMPLETED' && !request.rerun) {
    return { kind: 'completed-earlier', batchId, handle: existing, summary: (await existing.result()) as BatchSummary };
  }

  const handle = await client.workflow.start(DEFAULTS.workflowType, {
    workflowId: batchId,
    taskQueue: request.taskQueue,
    args: [request.json],
    // Two starts racing for the same id (two terminals, a retry) end up watching one batch.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    priority: { priorityKey: request.input.priority },
    staticSummary: staticSummary(request),
    staticDetails: staticDetails(request),
  });
  return { kind: 'started', batchId, handle: client.workflow.getHandle(handle.workflowId) };
}

/** One line for the Web UI's list and header: what is being extracted from where. */
function staticSummary({ input, source }: StartBatchRequest): string {
  const what = input.redriveOf ? `redrive of ${input.redriveOf}: ` : '';
  return `${what}${schemaLabel(input.schema)} extraction from ${source.label}`;
}

function staticDetails({ batchId, input, source }: StartBatchRequest): string {
  const rows: [string, string][] = [
    ['Source', source.label],
    ['Schema', schemaLabel(input.schema)],
    ['Extractor', input.extractor],
    ['Output', locationJoin(input.outputDir, batchId)],
    ['Chunk size', input.chunkSize === undefined ? 'chosen by planning' : String(input.chunkSize)],
    ['Concurrency', `${input.concurrency} chunks`],
    ['Priority', `${input.priority} (1 highest)`],
    ['Order', input.order],
    ['Tolerated failures', `${input.toleratedFailurePercent}%`],
    ['Result cache', input.cache ? 'on' : 'off'],
    ...(input.redriveOf ? ([['Redrive of', input.redriveOf]] as [string, string][]) : []),
  ];
  return ['| Setting | Value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`)].join('\n');
}


/** `<id>-<UTC time to the second>`: the next increment of an only-new batch whose id completed. */
export function nextIncrementId(batchId: string, now: Date): string {
  return `${batchId.replace(/-\d{8}T\d{6}Z$/, '')}-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}
