import type { Usage } from './usage';

/**
 * The three ways an extraction can go wrong, and what docbatch does about each:
 * - DocumentError: this document cannot be extracted (corrupt, unsupported, too large, invalid
 *   output). The document is failed with the reason; the batch goes on. Never retried.
 * - BatchFault: nothing in this batch can succeed until a person fixes something (credentials
 *   rejected, spend limit reached). The batch pauses itself with the reason; `resume` carries on.
 * - TransientError (and any other error): retried by Temporal's retry policy.
 */
export const documentErrorTypes = [
  'unsupported_type',
  'corrupt',
  'encrypted',
  'empty',
  'too_large',
  'unreadable',
  'validation_failed',
  'rejected_by_api',
  'not_found',
  'timeout',
  /** Replaced or modified after the batch was planned: read, it would mix versions. */
  'changed',
] as const;
export type DocumentErrorType = (typeof documentErrorTypes)[number];

export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  constructor(
    readonly type: DocumentErrorType,
    message: string,
    /** What the failed attempt still cost (model calls made before the document was given up). */
    readonly usage?: Usage,
  ) {
    super(message);
  }
}

export const batchFaultTypes = ['credentials_rejected', 'permission_denied', 'spend_limit_reached', 'model_unavailable', 'schema_changed', 'schema_unusable', 'storage_denied'] as const;
export type BatchFaultType = (typeof batchFaultTypes)[number];

export class BatchFault extends Error {
  override readonly name = 'BatchFault';
  constructor(
    readonly type: BatchFaultType,
    message: string,
  ) {
    super(message);
  }
}

export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    readonly type: 'rate_limited' | 'overloaded' | 'server_error' | 'connection' | 'timeout',
    message: string,
    /** How long the server asked us to wait (retry-after), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
