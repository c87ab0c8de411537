import type { Usage as ApiUsage } from '@anthropic-ai/sdk/resources/messages';
import { tokenCountsOf } from '../anthropic/token-counts';
import { usageOf } from '../pricing';
import type { Usage } from '../usage';

/** What a Message Batches answer cost: its tokens at the batch price of the model it was sent to. */
export function batchUsageOf(model: string, usage: ApiUsage): Usage {
  return usageOf(model, tokenCountsOf(usage), { batch: true });
}
