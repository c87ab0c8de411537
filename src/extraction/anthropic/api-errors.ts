import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { BatchFault, DocumentError, TransientError } from '../errors';

/** What an API failure is about: the document it was sending and the model it asked for. */
export interface ApiCallContext {
  path: string;
  model: string;
}

/** `instanceof APIError` alone narrows to APIError<any, any, any>; this keeps the SDK's declared field types. */
export function isApiError(error: unknown): error is APIError {
  return error instanceof APIError;
}

/**
 * Maps a failure of the Messages API onto docbatch's error taxonomy (../errors.ts), so the
 * activity can decide: retry (TransientError, after the server's retry-after), fail this document
 * (DocumentError), or pause the whole batch (BatchFault). Anything unrecognised is returned as it
 * is and, being no DocumentError, is retried by Temporal.
 */
export function toExtractionError(error: unknown, { path, model }: ApiCallContext): unknown {
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new TransientError('timeout', `the Messages API did not answer in time for ${path} (${model})`);
  }
  if (error instanceof APIConnectionError) {
    return new TransientError('connection', `cannot reach the Messages API for ${path}: ${error.message}`);
  }
  if (!isApiError(error) || error.status === undefined) return error;

  const status = error.status;
  const detail = error.apiMessage ?? error.message;
  if (isSpendLimit(error)) {
    return new BatchFault(
      'spend_limit_reached',
      `the Anthropic account cannot be billed (${status}: ${detail}): raise the spend limit or add credits in the Claude Console, then \`docbatch resume <id>\``,
    );
  }
  if (status === 401) {
    return new BatchFault('credentials_rejected', 'ANTHROPIC_API_KEY rejected (401): set a valid key, then `docbatch resume <id>`');
  }
  if (status === 403) {
    return new BatchFault(
      'permission_denied',
      `ANTHROPIC_API_KEY may not use ${model} (403: ${detail}): grant the key's workspace access to the model or choose another one, then \`docbatch resume <id>\``,
    );
  }
  if (status === 404) {
    return new BatchFault(
      'model_unavailable',
      `model ${model} is not available to this key (404: ${detail}): fix the batch's models setting (redrive with another model), or use a key that can call it`,
    );
  }
  if (status === 429) {
    return new TransientError('rate_limited', `rate limited by the Messages API on ${path} (${detail})`, retryAfterMs(error.headers));
  }
  if (status === 529) {
    return new TransientError('overloaded', `the Messages API is overloaded (529) on ${path}`, retryAfterMs(error.headers));
  }
  if (status === 408 || status === 504) return new TransientError('timeout', `the Messages API timed out (${status}) on ${path}`);
  if (status >= 500) return new TransientError('server_error', `the Messages API failed (${status}: ${detail}) on ${path}`, retryAfterMs(error.headers));
  if (status === 413) {
    return new DocumentError('too_large', `${path} is too large for one Messages API request (413: ${detail}): split the document`);
  }
  if (status === 400 || status === 422) {
    return new DocumentError('rejected_by_api', `the Messages API rejected ${path} (${status}: ${detail})`);
  }
  return error;
}

/** 402, a billing_error, a spend-limit error code, or a 400 about the credit balance. */
function isSpendLimit(error: APIError): boolean {
  if (error.status === 402 || error.type === 'billing_error') return true;
  if (error.errorCode !== null && /spend_limit|billing/.test(error.errorCode)) return true;
  return error.status === 400 && /credit balance|spend limit|billing/i.test(error.apiMessage ?? error.message);
}

/**
 * How long the server asked us to wait: `retry-after-ms`, else `retry-after` (seconds or an HTTP
 * date), else the latest `anthropic-ratelimit-*-reset` among the limits that are exhausted.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const millis = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(millis) && millis >= 0) return Math.ceil(millis);
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  let latestReset: number | undefined;
  for (const limit of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    const remaining = headers.get(`anthropic-ratelimit-${limit}-remaining`);
    const reset = Date.parse(headers.get(`anthropic-ratelimit-${limit}-reset`) ?? '');
    if (remaining === '0' && Number.isFinite(reset)) latestReset = Math.max(latestReset ?? 0, reset - now);
  }
  return latestReset === undefined ? undefined : Math.max(0, Math.ceil(latestReset));
}

/** A failed call's status for metrics: its HTTP status, else timeout / connection_error / aborted / error. */
export function apiResponseStatus(error: unknown): string {
  if (error instanceof APIConnectionTimeoutError) return 'timeout';
  if (error instanceof APIConnectionError) return 'connection_error';
  if (error instanceof APIUserAbortError) return 'aborted';
  if (error instanceof APIError && typeof error.status === 'number') return String(error.status);
  return 'error';
}
