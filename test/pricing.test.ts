import type { Usage as ApiUsage } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { tokenCountsOf } from '../src/extraction/anthropic/token-counts';
import { costOf, usageOf } from '../src/extraction/pricing';
import { addUsage, zeroUsage } from '../src/extraction/usage';

// Expected figures are the published prices (USD per million tokens,
// https://platform.claude.com/docs/en/about-claude/pricing), written out by hand:
//                     input  output  5m write  1h write  cache read  | batch input  batch output
// Claude Haiku 4.5     1      5       1.25      2         0.10        | 0.50         2.50
// Claude Sonnet 4.6    3      15      3.75      6         0.30        | 1.50         7.50
// Claude Opus 4.8      5      25      6.25      10        0.50        | 2.50         12.50
const million = 1_000_000;

describe('pricing', () => {
  it('prices realtime calls: input, output, 5-minute cache writes and cache reads', () => {
    const tokens = { inputTokens: million, outputTokens: million, cacheWriteTokens: million, cacheReadTokens: million };
    expect(costOf('claude-haiku-4-5', tokens)).toBeCloseTo(1 + 5 + 1.25 + 0.1, 6);
    expect(costOf('claude-sonnet-4-6', tokens)).toBeCloseTo(3 + 15 + 3.75 + 0.3, 6);
    expect(costOf('claude-opus-4-8-20260101', tokens)).toBeCloseTo(5 + 25 + 6.25 + 0.5, 6);
  });

  it('prices 1-hour cache writes at 2x the input price, the rest of the writes at 1.25x', () => {
    const allOneHour = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: million, cacheWrite1hTokens: million };
    expect(costOf('claude-sonnet-4-6', allOneHour)).toBeCloseTo(6, 6);
    expect(costOf('claude-opus-4-8', allOneHour)).toBeCloseTo(10, 6);
    // 600k written for 5 minutes, 400k for an hour.
    const mixed = { ...allOneHour, cacheWrite1hTokens: 400_000 };
    expect(costOf('claude-sonnet-4-6', mixed)).toBeCloseTo(0.6 * 3.75 + 0.4 * 6, 6);
  });

  it('prices Message Batches requests at half of everything, cache writes and reads included', () => {
    const plain = { inputTokens: million, outputTokens: million, cacheWriteTokens: 0, cacheReadTokens: 0 };
    expect(costOf('claude-haiku-4-5', plain, { batch: true })).toBeCloseTo(0.5 + 2.5, 6);
    expect(costOf('claude-sonnet-4-6', plain, { batch: true })).toBeCloseTo(1.5 + 7.5, 6);
    expect(costOf('claude-opus-4-8', plain, { batch: true })).toBeCloseTo(2.5 + 12.5, 6);
    const cache = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: million, cacheWrite1hTokens: million, cacheReadTokens: million };
    // Haiku 4.5 in a batch: 1-hour write $1.00, read $0.05.
    expect(costOf('claude-haiku-4-5', cache, { batch: true })).toBeCloseTo(1 + 0.05, 6);
    expect(costOf('claude-haiku-4-5', { ...cache, cacheWrite1hTokens: 0 }, { batch: true })).toBeCloseTo(0.625 + 0.05, 6);
  });

  it('prices one invoice-sized request to the micro-dollar, realtime and in a batch', () => {
    // Haiku 4.5: 2,500 uncached input, 1,200 read from the cache, 400 output.
    const tokens = { inputTokens: 2_500, outputTokens: 400, cacheWriteTokens: 0, cacheReadTokens: 1_200 };
    expect(costOf('claude-haiku-4-5', tokens)).toBe(0.00462);
    expect(costOf('claude-haiku-4-5', tokens, { batch: true })).toBe(0.00231);
    // Sonnet 4.6, first request of a Message Batch: writes a 4,000-token prefix for an hour.
    const first = { inputTokens: 1_800, outputTokens: 350, cacheWriteTokens: 4_000, cacheWrite1hTokens: 4_000, cacheReadTokens: 0 };
    // (1,800 x 3 + 4,000 x 6 + 350 x 15) / 1e6 / 2 = 0.017325
    expect(costOf('claude-sonnet-4-6', first, { batch: true })).toBe(0.017325);
  });

  it('names the model and the fix when a model has no price', () => {
    expect(() => costOf('claude-unknown-1', { inputTokens: 1, outputTokens: 1, cacheWriteTokens: 0, cacheReadTokens: 0 })).toThrow(
      /claude-unknown-1.*no price.*add its prices/,
    );
  });

  it('gives usage with the tokens and the cost, and sums batch usage per model to the batch price of the summed tokens', () => {
    const calls = [
      { inputTokens: 2_100, outputTokens: 380, cacheWriteTokens: 4_200, cacheWrite1hTokens: 4_200, cacheReadTokens: 0 },
      { inputTokens: 2_600, outputTokens: 420, cacheWriteTokens: 0, cacheReadTokens: 4_200 },
      { inputTokens: 1_900, outputTokens: 510, cacheWriteTokens: 0, cacheReadTokens: 4_200 },
    ];
    const usages = calls.map((tokens) => usageOf('claude-sonnet-4-6', tokens, { batch: true }));
    expect(Object.keys(usages[0]!).sort()).toEqual(['cacheReadTokens', 'cacheWriteTokens', 'costUsd', 'inputTokens', 'outputTokens']);
    const total = usages.reduce(addUsage, zeroUsage);
    expect(total).toMatchObject({ inputTokens: 6_600, outputTokens: 1_310, cacheWriteTokens: 4_200, cacheReadTokens: 8_400 });
    // (6,600 x 3 + 4,200 x 6 + 8,400 x 0.3 + 1,310 x 15) / 1e6 / 2 = 0.033585
    expect(total.costUsd).toBeCloseTo(0.033585, 6);
    const realtime = calls.map((tokens) => usageOf('claude-sonnet-4-6', tokens)).reduce(addUsage, zeroUsage);
    expect(total.costUsd).toBeCloseTo(realtime.costUsd / 2, 6);
  });
});

describe('token counts of an API response', () => {
  const apiUsage = (fields: Partial<ApiUsage>): ApiUsage => ({
    input_tokens: 0,
    output_tokens: 0,
    cache_creation: null,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: null,
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: null,
    ...fields,
  } as ApiUsage);

  it('splits cache writes by TTL from cache_creation', () => {
    const tokens = tokenCountsOf(
      apiUsage({
        input_tokens: 1_800,
        output_tokens: 350,
        cache_creation_input_tokens: 4_000,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 4_000 },
        service_tier: 'batch',
      }),
    );
    expect(tokens).toEqual({ inputTokens: 1_800, outputTokens: 350, cacheReadTokens: 0, cacheWriteTokens: 4_000, cacheWrite1hTokens: 4_000 });
    expect(costOf('claude-sonnet-4-6', tokens, { batch: true })).toBe(0.017325);
  });

  it('prices writes as 5-minute ones when the response has no TTL breakdown', () => {
    const tokens = tokenCountsOf(apiUsage({ input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 1_000, cache_read_input_tokens: 50 }));
    expect(tokens).toEqual({ inputTokens: 100, outputTokens: 10, cacheReadTokens: 50, cacheWriteTokens: 1_000, cacheWrite1hTokens: 0 });
    expect(costOf('claude-haiku-4-5', tokens)).toBeCloseTo((100 + 1_000 * 1.25 + 50 * 0.1 + 10 * 5) / million, 9);
  });
});
