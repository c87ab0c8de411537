import { APIConnectionError, APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { toExtractionError } from '../src/extraction/anthropic/api-errors';
import { BatchFault, DocumentError, TransientError } from '../src/extraction/errors';

const context = { path: '/in/a.pdf', model: 'claude-haiku-4-5' };

function apiError(status: number, type: string, message: string, headers: Record<string, string> = {}) {
  return APIError.generate(status, { type: 'error', error: { type, message } }, message, new Headers(headers));
}

describe('Messages API failures, by what docbatch does about them', () => {
  it.each([
    [400, 'invalid_request_error', 'messages.0.content.0: invalid base64 data', 'rejected_by_api'],
    [422, 'invalid_request_error', 'unprocessable document', 'rejected_by_api'],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes', 'too_large'],
  ])('%i fails the document, not the batch, and is not retried', (status, type, message, documentType) => {
    const error = toExtractionError(apiError(status, type, message), context);
    expect(error).toBeInstanceOf(DocumentError);
    expect(error).toMatchObject({ type: documentType });
    expect((error as Error).message).toContain('/in/a.pdf');
  });

  it.each([
    [401, 'authentication_error', 'invalid x-api-key', 'credentials_rejected'],
    [403, 'permission_error', 'not allowed', 'permission_denied'],
    [400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API.', 'spend_limit_reached'],
  ])('%i (%s) pauses the whole batch with what to fix', (status, type, message, fault) => {
    const error = toExtractionError(apiError(status, type, message), context);
    expect(error).toBeInstanceOf(BatchFault);
    expect(error).toMatchObject({ type: fault });
    expect((error as Error).message).toMatch(/docbatch resume <id>/);
  });

  it.each([
    [429, 'rate_limit_error', 'rate_limited', 7000],
    [529, 'overloaded_error', 'overloaded', 7000],
    [500, 'api_error', 'server_error', 7000],
  ])('%i is retried by Temporal after the delay the server asked for', (status, type, kind, delay) => {
    const error = toExtractionError(apiError(status, type, 'try later', { 'retry-after': '7' }), context);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ type: kind, retryAfterMs: delay });
  });

  it('retries a connection error', () => {
    const error = toExtractionError(new APIConnectionError({ message: 'ECONNRESET' }), context);
    expect(error).toMatchObject({ type: 'connection' });
  });
});
