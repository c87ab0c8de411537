import { z } from 'zod';
import type { Usage } from './usage';

/**
 * The one pricing table: USD per million tokens for each Claude model docbatch may call, from
 * https://platform.claude.com/docs/en/about-claude/pricing (checked for this release). Prompt-cache
 * writes (5-minute TTL, the only TTL docbatch uses) cost 1.25x the input price and cache reads
 * 0.1x; both multipliers are applied here, nowhere else.
 *
 * `minCacheableTokens` is the shortest prefix the API will cache for that model (shorter prefixes
 * are processed normally and report zero cache tokens), from the prompt-caching docs.
 */
export const modelPriceSchema = z.object({
  inputPerMTok: z.number().positive(),
  outputPerMTok: z.number().positive(),
  minCacheableTokens: z.number().int().positive(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

export const cacheWriteMultiplier = 1.25;
export const cacheReadMultiplier = 0.1;

export const modelPrices = {
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5, minCacheableTokens: 4096 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15, minCacheableTokens: 1024 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15, minCacheableTokens: 1024 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75, minCacheableTokens: 1024 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25, minCacheableTokens: 4096 },
  'claude-opus-4-6': { inputPerMTok: 5, outputPerMTok: 25, minCacheableTokens: 4096 },
  'claude-opus-4-7': { inputPerMTok: 5, outputPerMTok: 25, minCacheableTokens: 2048 },
  'claude-opus-4-8': { inputPerMTok: 5, outputPerMTok: 25, minCacheableTokens: 1024 },
} as const satisfies Record<string, ModelPrice>;

export type PricedModel = keyof typeof modelPrices;
export const pricedModels = Object.keys(modelPrices) as PricedModel[];

/** A dated snapshot id ("claude-haiku-4-5-20251001") is priced as its alias. */
function aliasOf(model: string): string {
  return model.replace(/-\d{8}$/, '');
}

export function priceOf(model: string): ModelPrice | undefined {
  const alias = aliasOf(model);
  return alias in modelPrices ? modelPrices[alias as PricedModel] : undefined;
}

export function isPricedModel(model: string): boolean {
  return priceOf(model) !== undefined;
}

/** Throws, naming the model and the fix, when a batch names a model docbatch cannot price. */
export function requirePrice(model: string): ModelPrice {
  const price = priceOf(model);
  if (price === undefined) {
    throw new Error(
      `model "${model}" has no price in src/extraction/pricing.ts, so its cost cannot be reported: use one of ${pricedModels.join(', ')}, or add its prices to the table`,
    );
  }
  return price;
}

/** Token counts as the API reports them (uncached input excludes cache reads and writes). */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** The USD cost of one call's tokens on `model`, rounded to micro-dollars. */
export function costOf(model: string, tokens: TokenCounts): number {
  const price = requirePrice(model);
  const dollars =
    (tokens.inputTokens * price.inputPerMTok +
      tokens.cacheWriteTokens * price.inputPerMTok * cacheWriteMultiplier +
      tokens.cacheReadTokens * price.inputPerMTok * cacheReadMultiplier +
      tokens.outputTokens * price.outputPerMTok) /
    1_000_000;
  return Math.round(dollars * 1e6) / 1e6;
}

/** Usage of one call: its tokens plus their cost on the model that served it. */
export function usageOf(model: string, tokens: TokenCounts): Usage {
  return { ...tokens, costUsd: costOf(model, tokens) };
}
