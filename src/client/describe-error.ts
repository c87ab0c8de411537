import {
  isGrpcServiceError,
  ServiceError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import { ENV } from '../env';
import { causeLine, causeOfFailure } from './batch-cause';
import { BatchNotFoundError, DocbatchError, firstLine, TemporalUnreachableError } from './errors';

/** Where the caller was talking to, so error lines can say it. */
export interface ErrorContext {
  address: string;
  namespace: string;
  batchId?: string;
  /** What the person asked for, e.g. "pause". */
  action?: string;
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;

/** Whatever a Temporal call threw, as one clear line that names the batch, the server and the fix. */
export function describeError(error: unknown, context: ErrorContext): string {
  if (error instanceof DocbatchError) return error.message;
  const batch = context.batchId ?? 'the batch';
  if (error instanceof WorkflowNotFoundError) return new BatchNotFoundError(error.workflowId || batch, context.namespace).message;
  if (error instanceof NamespaceNotFoundError) {
    return `namespace ${context.namespace} not found at ${context.address}: set ${ENV.temporalNamespace} to an existing namespace`;
  }
  if (error instanceof WorkflowUpdateFailedError) {
    return `${context.action ?? 'update'} rejected by batch ${batch}: ${rejectionReason(error.cause ?? error)}`;
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return `batch ${batch} did not answer ${context.action ?? 'the update'} in time: is a worker running? start one with \`docbatch worker\``;
  }
  if (error instanceof WorkflowFailedError) {
    return causeLine(batch, 'failed', causeOfFailure(batch, error)).replace(/^error: /, '');
  }
  const code = grpcCode(error);
  if (code === GRPC_UNAVAILABLE) return new TemporalUnreachableError(context.address).message;
  if (code === GRPC_DEADLINE_EXCEEDED) {
    return `batch ${batch} did not answer in time: is a worker polling the task queue? start one with \`docbatch worker\``;
  }
  if (code === GRPC_NOT_FOUND && context.batchId) return new BatchNotFoundError(context.batchId, context.namespace).message;
  if (error instanceof Error) return firstLine(error.message);
  return firstLine(String(error));
}

/** Why the workflow rejected an update: the refusal its validator gave (one line). */
function rejectionReason(cause: Error): string {
  return firstLine(cause.message);
}

function grpcCode(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && error.cause !== undefined) return grpcCode(error.cause);
  return undefined;
}
