import { z } from 'zod';

export const faultKinds = [
  'overloaded', // 529 overloaded_error
  'server_error', // 500 api_error
  'rate_limited', // 429 rate_limit_error, regardless of the buckets
  'unauthorized', // 401 authentication_error
  'permission_denied', // 403 permission_error
  'billing', // 400 invalid_request_error "Your credit balance is too low…"
  'hang', // accepts the request and never answers (until the client gives up or the emulator stops)
  'malformed_output', // 200 with text that is not JSON
  'invalid_output', // 200 with JSON that breaks the schema (a non-ISO date, a lower-case currency)
  'inconsistent_output', // 200 with valid JSON that fails a consistency check (the total 100 too high, or the fault's `patch`)
] as const;
export type FaultKind = (typeof faultKinds)[number];

export const faultSchema = z.object({
  kind: z.enum(faultKinds),
  /** Applies to each matching request with this probability (seeded). */
  rate: z.number().min(0).max(1).optional(),
  /** Applies to the next `count` matching requests, then expires. */
  count: z.number().int().positive().optional(),
  /** Only requests for this model. */
  model: z.string().optional(),
  /** Only requests about this document (its identity, see documentIdentity). */
  documentId: z.string().optional(),
  /** inconsistent_output: these properties replace the answer's (default: the total 100 higher). */
  patch: z.record(z.string(), z.unknown()).optional(),
});
export type Fault = z.infer<typeof faultSchema>;

export const emulatorOptionsSchema = z.object({
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  /** API keys the emulator accepts (x-api-key); changeable at run time with setValidKeys. */
  validKeys: z.array(z.string()).default(['test-key']),
  /** Requests per minute (token bucket); 0 means unlimited. */
  requestsPerMinute: z.number().nonnegative().default(0),
  /** Uncached input tokens per minute (token bucket); 0 means unlimited. */
  inputTokensPerMinute: z.number().nonnegative().default(0),
  /**
   * Seconds of the per-minute limits a bucket holds: 60 lets a full minute's worth through at once;
   * less enforces the limit over shorter intervals, as the API may ("60 RPM may be enforced as 1
   * request per second").
   */
  burstSeconds: z.number().positive().max(60).default(60),
  /** Latency of successful answers, uniform between min and max, in ms. */
  latency: z.object({ minMs: z.number().nonnegative(), maxMs: z.number().nonnegative() }).default({ minMs: 0, maxMs: 0 }),
  seed: z.number().int().default(1),
  faults: z.array(faultSchema).default([]),
  /** Overrides every model's minimum cacheable prefix (tokens); default: the pricing table's per model. */
  minCacheableTokens: z.number().int().nonnegative().optional(),
  /** Prompt-cache entry lifetime, refreshed on each hit (the API's 5-minute TTL). */
  cacheTtlMs: z.number().int().positive().default(5 * 60_000),
});
export type EmulatorOptions = z.input<typeof emulatorOptionsSchema>;
export type EmulatorSettings = z.infer<typeof emulatorOptionsSchema>;
