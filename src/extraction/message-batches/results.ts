import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { MessageBatchResult } from '@anthropic-ai/sdk/resources/messages/batches';

/**
 * What one result of a Message Batch means for its document:
 * - `succeeded`: the answer, validated like a realtime one;
 * - `rejected`: the request itself was invalid (`invalid_request_error`): the document fails with the API's message;
 * - `resubmit`: a server-side error or expiry: the document goes again in the next round (while resubmits last);
 * - `canceled`: the Message Batch was cancelled before it ran: the document is not processed.
 */
export type ResultOutcome =
  | { kind: 'succeeded'; message: Message }
  | { kind: 'rejected'; message: string }
  | { kind: 'resubmit'; reason: string }
  | { kind: 'canceled' };

export function outcomeOf(result: MessageBatchResult): ResultOutcome {
  switch (result.type) {
    case 'succeeded':
      return { kind: 'succeeded', message: result.message };
    case 'errored': {
      const { type, message } = result.error.error;
      if (type === 'invalid_request_error') return { kind: 'rejected', message };
      return { kind: 'resubmit', reason: `errored with ${type}: ${message}` };
    }
    case 'expired':
      return { kind: 'resubmit', reason: 'expired (not processed within 24 hours)' };
    case 'canceled':
      return { kind: 'canceled' };
  }
}
