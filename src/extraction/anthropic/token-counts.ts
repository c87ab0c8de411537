import type { Usage as ApiUsage } from '@anthropic-ai/sdk/resources/messages';
import type { TokenCounts } from '../pricing';

/**
 * The token counts of one Messages API response (realtime, or a Message Batches result's message),
 * as pricing.ts prices them. Cache writes are split by TTL from `cache_creation` when the API
 * reports it; without the breakdown they are priced as 5-minute writes.
 */
export function tokenCountsOf(usage: ApiUsage): TokenCounts {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
    cacheWrite1hTokens: usage.cache_creation?.ephemeral_1h_input_tokens ?? 0,
  };
}
