import type { Usage as ApiUsage } from '@anthropic-ai/sdk/resources/messages';
import { usageOf } from '../pricing';
import type { Usage } from '../usage';

/** What a Message Batches answer cost: its tokens at the batch price of the model it was sent to. */
export function batchUsageOf(model: string, usage: ApiUsage): Usage {
  return usageOf(model, {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  });
}
