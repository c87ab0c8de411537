import { ENV } from '../env';

/**
 * The errors src/client throws for a person to act on. Each names the thing and the problem
 * (`problem`) and what to do about it (`fix`); `message` joins them in one line. The caller (the
 * CLI) decides how to show them and with which exit code.
 */
export class DocbatchError extends Error {
  override name = 'DocbatchError';
  constructor(
    readonly problem: string,
    readonly fix: string | null,
    separator = ': ',
  ) {
    super(fix === null ? problem : `${problem}${separator}${fix}`);
  }
}

/** Nothing answers at the Temporal address (or the gRPC connection cannot be made). */
export class TemporalUnreachableError extends DocbatchError {
  override name = 'TemporalUnreachableError';
  constructor(readonly address: string) {
    super(`cannot reach Temporal at ${address}`, `start one with \`docbatch server\` or set ${ENV.temporalAddress}`);
  }
}

/** No workflow of this id in the namespace. */
export class BatchNotFoundError extends DocbatchError {
  override name = 'BatchNotFoundError';
  constructor(
    readonly batchId: string,
    readonly namespace: string,
  ) {
    super(`batch ${batchId} not found in namespace ${namespace}`, 'check the id with `docbatch list`');
  }
}

/** A control (pause, cancel, ...) sent to a batch that has already ended. */
export class BatchEndedError extends DocbatchError {
  override name = 'BatchEndedError';
  constructor(
    readonly batchId: string,
    readonly action: string,
    /** Temporal's execution status: COMPLETED, FAILED, TERMINATED, ... */
    readonly status: string,
  ) {
    const ended = status === 'COMPLETED' ? 'completed' : `ended (${status.toLowerCase().replace(/_/g, ' ')})`;
    super(`cannot ${action} batch ${batchId}: it has already ${ended}`, `see \`docbatch report ${batchId}\``, '; ');
  }
}

/** The report of a batch that has not ended yet. */
export class BatchStillRunningError extends DocbatchError {
  override name = 'BatchStillRunningError';
  constructor(readonly batchId: string) {
    super(`batch ${batchId} is still running: its report is written when it ends`, `follow it with \`docbatch watch ${batchId}\``, '; ');
  }
}

/** A running batch whose progress query got no answer: no worker polls its task queue. */
export class NoWorkerError extends DocbatchError {
  override name = 'NoWorkerError';
  constructor(
    readonly batchId: string,
    readonly taskQueue: string,
  ) {
    super(`batch ${batchId} did not answer the progress query`, `is a worker polling task queue ${taskQueue}? start one with \`docbatch worker\``);
  }
}

/** Settings that do not make a valid batch input; `problems` name the flags. */
export class InvalidBatchSettingsError extends DocbatchError {
  override name = 'InvalidBatchSettingsError';
  constructor(readonly problems: string[]) {
    super('invalid batch settings', problems.join('; '));
  }
}

/** The source cannot be listed (a missing directory, an unreadable manifest file). */
export class SourceUnreadableError extends DocbatchError {
  override name = 'SourceUnreadableError';
}

/** --schema names no built-in schema or usable file, or one the chosen extractor cannot fill (the message says what to do). */
export class SchemaUnusableError extends DocbatchError {
  override name = 'SchemaUnusableError';
}

/** A redrive that has nothing to start from (no report, no failures file, no failed documents). */
export class NothingToRedriveError extends DocbatchError {
  override name = 'NothingToRedriveError';
}

/** `docbatch list --state` with a state batches never have. */
export class UnknownStateError extends DocbatchError {
  override name = 'UnknownStateError';
  constructor(
    readonly state: string,
    known: readonly string[],
  ) {
    super(`unknown state "${state}"`, `use one of ${known.join(', ')}`);
  }
}

export function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** The --sink database refused the login, does not exist or cannot be reached (the message names the host and the fix). */
export class SinkUnusableError extends DocbatchError {
  override name = 'SinkUnusableError';
}
