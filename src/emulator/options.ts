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

/** The Message Batches API's behaviour in the emulator (see src/emulator/message-batches.ts). */
export const messageBatchOptionsSchema = z
  .object({
    /** How long a Message Batch takes to process, in ms from create: its requests are answered spread over this time. */
    processingMs: z.number().nonnegative().default(1000),
    /**
     * Speeds up the API's clock for the batch lifecycle: the 24-hour expiry (and so `expires_at`)
     * is 24 h / timeScale after create. 86400 makes "24 h" one second.
     */
    timeScale: z.number().positive().default(1),
    /** Share of requests that end `errored` with a server error (api_error or overloaded_error), drawn per custom_id from the seed. */
    erroredShare: z.number().min(0).max(1).default(0),
    /** Share of requests that end `expired` (the batch then runs until its expiry), drawn per custom_id from the seed. */
    expiredShare: z.number().min(0).max(1).default(0),
    /** Requests per minute across all the batch endpoints (token bucket, 429 + retry-after); 0 means unlimited. */
    requestsPerMinute: z.number().nonnegative().default(0),
    /** Most batch requests waiting to be processed, over all Message Batches (create beyond it: 429); 0 means unlimited. */
    maxQueuedRequests: z.number().int().nonnegative().default(0),
    /** Most requests in one Message Batch (the API's 100,000). */
    maxRequests: z.number().int().positive().default(100_000),
    /** Largest create body in bytes (the API's 256 MB); beyond it 413 request_too_large. */
    maxBodyBytes: z.number().int().positive().default(256 * 1024 * 1024),
    /** How long a canceled batch stays `canceling` before it ends, in ms. */
    cancelingMs: z.number().nonnegative().default(100),
    /** Requests of one Message Batch answered at once. */
    concurrency: z.number().int().positive().default(4),
  })
  .refine((options) => options.erroredShare + options.expiredShare <= 1, { message: 'erroredShare + expiredShare must be at most 1' });
export type MessageBatchOptions = z.input<typeof messageBatchOptionsSchema>;
export type MessageBatchSettings = z.infer<typeof messageBatchOptionsSchema>;

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
  /** Output tokens per minute (token bucket, charged with each answer's tokens); 0 means unlimited. */
  outputTokensPerMinute: z.number().nonnegative().default(0),
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
  /** Lifetime of entries written with `cache_control: { ttl: '1h' }` (the API's 1-hour TTL). */
  cacheTtl1hMs: z.number().int().positive().default(60 * 60_000),
  messageBatches: messageBatchOptionsSchema.prefault({}),
});
export type EmulatorOptions = z.input<typeof emulatorOptionsSchema>;
export type EmulatorSettings = z.infer<typeof emulatorOptionsSchema>;
