import {
  isGrpcServiceError,
  ServiceError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure, NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import { ENV } from '../env';

/**
 * An error a person can act on: one line that names the thing, the problem and the fix. The CLI
 * prints its message as it is and exits with its code.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Where the command was talking to, so error lines can say it. */
export interface ErrorContext {
  address: string;
  namespace: string;
  batchId?: string;
  /** What the user asked for, e.g. "pause". */
  action?: string;
}

export function unreachableError(address: string): CliError {
  return new CliError(
    `cannot reach Temporal at ${address}: start one with \`docbatch server\` or set ${ENV.temporalAddress}`,
  );
}

export function batchNotFoundError(batchId: string, namespace: string): CliError {
  return new CliError(`batch ${batchId} not found in namespace ${namespace}: check the id with \`docbatch list\``);
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;

/** Turns whatever a command threw into one clear line. */
export function describeError(error: unknown, context: ErrorContext): string {
  if (error instanceof CliError) return error.message;
  const batch = context.batchId ?? 'the batch';
  if (error instanceof WorkflowNotFoundError) return batchNotFoundError(error.workflowId || batch, context.namespace).message;
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
    return `batch ${batch} failed: ${firstLine(error.cause?.message ?? error.message)}`;
  }
  const code = grpcCode(error);
  if (code === GRPC_UNAVAILABLE) return unreachableError(context.address).message;
  if (code === GRPC_DEADLINE_EXCEEDED) {
    return `batch ${batch} did not answer in time: is a worker polling the task queue? start one with \`docbatch worker\``;
  }
  if (code === GRPC_NOT_FOUND && context.batchId) return batchNotFoundError(context.batchId, context.namespace).message;
  if (error instanceof Error) return firstLine(error.message);
  return firstLine(String(error));
}

/**
 * Why the workflow rejected an update. Validators that parse with zod throw its issue list as
 * JSON; it reads better as "priority: priority is 1 (highest) to 5 (lowest)".
 */
export function rejectionReason(cause: Error): string {
  const message = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause);
  return formatZodIssues(message) ?? firstLine(message);
}

function formatZodIssues(message: string): string | undefined {
  if (!message.trimStart().startsWith('[')) return undefined;
  try {
    const issues = JSON.parse(message) as unknown;
    if (!Array.isArray(issues) || issues.length === 0) return undefined;
    return issues
      .map((issue: { path?: unknown[]; message?: unknown }) => {
        const path = Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        return `${path}${String(issue.message ?? 'invalid')}`;
      })
      .join('; ');
  } catch {
    return undefined;
  }
}

function grpcCode(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && error.cause !== undefined) return grpcCode(error.cause);
  return undefined;
}

export function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
