import { z } from 'zod';
import type { Usage } from './usage';

/**
 * The one pricing table: USD per million tokens for each Claude model docbatch may call, from
 * https://platform.claude.com/docs/en/about-claude/pricing (checked for this release). Multipliers
 * of the input price: prompt-cache writes cost 1.25x with the 5-minute TTL (realtime calls) and 2x
 * with the 1-hour TTL (Message Batches, which outlive 5 minutes); cache reads 0.1x. Message
 * Batches requests cost 50% of all of it, input, output, cache writes and reads alike (the
 * discounts stack). Every multiplier is applied here, nowhere else.
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
export const cacheWrite1hMultiplier = 2;
export const cacheReadMultiplier = 0.1;
/** What a Message Batches request costs relative to the same realtime call. */
export const batchDiscountMultiplier = 0.5;

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
  /** Cache writes of both TTLs. */
  cacheWriteTokens: number;
  /** Of `cacheWriteTokens`, those written with the 1-hour TTL (the rest: 5-minute). Default 0. */
  cacheWrite1hTokens?: number;
}

export interface PricingOptions {
  /** The call was a Message Batches request: half the price. */
  batch?: boolean;
}

/** The USD cost of one call's tokens on `model`, rounded to micro-dollars. */
export function costOf(model: string, tokens: TokenCounts, options: PricingOptions = {}): number {
  const price = requirePrice(model);
  const write1h = Math.min(tokens.cacheWrite1hTokens ?? 0, tokens.cacheWriteTokens);
  const dollars =
    (tokens.inputTokens * price.inputPerMTok +
      (tokens.cacheWriteTokens - write1h) * price.inputPerMTok * cacheWriteMultiplier +
      write1h * price.inputPerMTok * cacheWrite1hMultiplier +
      tokens.cacheReadTokens * price.inputPerMTok * cacheReadMultiplier +
      tokens.outputTokens * price.outputPerMTok) /
    1_000_000;
  return Math.round(dollars * (options.batch === true ? batchDiscountMultiplier : 1) * 1e6) / 1e6;
}

/**
 * Usage of one call: its tokens plus their cost on the model that served it, at the realtime price
 * or, with `{ batch: true }`, at the Message Batches price.
 */
export function usageOf(model: string, tokens: TokenCounts, options: PricingOptions = {}): Usage {
  return {
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    cacheReadTokens: tokens.cacheReadTokens,
    cacheWriteTokens: tokens.cacheWriteTokens,
    costUsd: costOf(model, tokens, options),
  };
}
