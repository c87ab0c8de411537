import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { isPricedModel, pricedModels } from '../extraction/pricing';
import { schemaReferenceSchema } from '../extraction/schemas';
import { describeIssue } from './issues';

/**
 * The batch input: plain JSON, so `temporal workflow start --input '{"source":{"dir":"/x"}}'`
 * works, with defaults for everything but the source. Workflow-safe (no I/O).
 */

/** The longest duration a batch setting may name: every accepted value must make a valid Temporal policy. */
export const MAX_DURATION_MS = 365 * 24 * 60 * 60 * 1000;

/** A Temporal duration ("500ms", "30s", "10m", "2h", "1d") or milliseconds, in milliseconds; NaN when it is neither. */
export function durationMs(value: unknown): number {
  if (typeof value === 'number') return value;
  try {
    return typeof value === 'string' ? msToNumber(value as Duration) : NaN;
  } catch {
    return NaN;
  }
}

// Temporal duration strings ("500ms", "30s", "10m", "2h") or milliseconds, from 1 ms to a year:
// zero means "unset" to Temporal and would leave a chunk without a timeout.
const duration = z
  .union([z.string().regex(/^\d+(\.\d+)? ?(ms|s|m|h|d)$/, 'expected a duration like "30s", "10m" or "2h"'), z.number().int().positive()])
  .refine((value) => {
    const ms = durationMs(value);
    // NaN: not a duration at all, which the union has reported already.
    return Number.isNaN(ms) || (ms >= 1 && ms <= MAX_DURATION_MS);
  }, 'expected a duration from 1ms to 365d');

/** Every file (hidden ones aside): a file docbatch cannot read is a failed document, never a silent skip. */
export const defaultInclude = ['**/*'];

export const batchSourceSchema = z.union([
  z.strictObject({
    dir: z.string().min(1, 'must name a directory'),
    include: z.array(z.string().min(1)).min(1).default(defaultInclude),
    exclude: z.array(z.string().min(1)).default([]),
    /** Walk into symlinked directories (each directory once, so links cannot loop); off: they are listed as failed entries. */
    followSymlinks: z.boolean().default(false),
  }),
  z.strictObject({
    manifest: z.string().min(1, 'must name a file that lists one document path per line'),
  }),
  /** Objects under a bucket prefix of any S3-compatible store; the globs match keys relative to the prefix. */
  z.strictObject({
    url: z.string().regex(/^s3:\/\/[^/]+/i, 'must be an s3://bucket/prefix/ URL'),
    include: z.array(z.string().min(1)).min(1).default(defaultInclude),
    exclude: z.array(z.string().min(1)).default([]),
  }),
]);

export const extractorKinds = ['auto', 'local', 'anthropic'] as const;
export const documentOrders = ['path', 'largest', 'smallest'] as const;
/**
 * How documents reach Claude: `realtime` calls the Messages API per document; `batch` sends them as
 * Message Batches (half the price, results within 24 hours). Batch mode is Claude's: with it,
 * `extractor: "local"` is an input problem and `auto` means `anthropic` (see modeProblems).
 */
export const extractionModes = ['realtime', 'batch'] as const;
export type ExtractionMode = (typeof extractionModes)[number];

export const retryInputSchema = z
  .strictObject({
    initialInterval: duration.default('1s'),
    backoffCoefficient: z.number().min(1).max(10).default(2),
    maximumInterval: duration.default('1m'),
    /** 0 is unlimited. */
    maximumAttempts: z.number().int().min(0).max(1000).default(10),
  })
  .refine((retry) => !(durationMs(retry.maximumInterval) < durationMs(retry.initialInterval)), {
    path: ['maximumInterval'],
    message: 'must be at least retry.initialInterval (the default is 1m): set both',
  });

export const timeoutInputSchema = z.strictObject({
  /** Longest one chunk attempt may take. */
  /** Longest one chunk attempt may take: documents of a big chunk wait for the worker's slots, so it is generous (a dead worker is noticed by the heartbeat). */
  chunkStartToClose: duration.default('1h'),
  /** A chunk attempt that has not heartbeated for this long is presumed dead and retried. */
  chunkHeartbeat: duration.default('15s'),
});

// Checked here, so a misspelt model fails the batch at once rather than on its first chunk.
const model = z.string().refine(isPricedModel, { message: `expected a model from the pricing table: ${pricedModels.join(', ')}` });

export const modelsInputSchema = z.strictObject({
  /** For small text-layer documents. */
  simple: model.default('claude-haiku-4-5'),
  /** For scans, images, long or complex documents. */
  complex: model.default('claude-sonnet-4-6'),
  /** Tried once when the routed model's output stays invalid after a repair turn. */
  escalation: model.default('claude-sonnet-4-6'),
});

/** Batch mode's settings (`mode: "batch"`); realtime batches ignore them. */
export const messageBatchesInputSchema = z.strictObject({
  /** How often a Message Batch at Anthropic is checked (the awaitMessageBatch retry interval). */
  pollInterval: duration.default('1m'),
  /** Longest a chunk waits for its Message Batches: Anthropic expires what is not done after 24 hours. */
  deadline: duration.default('25h'),
  /** Times a document that errored with a server error or expired is submitted again. */
  resubmits: z.number().int().min(0).max(10).default(2),
  /** What happens to a document once its resubmits run out: one realtime call, or a failed document with the reason. */
  whenResubmitsRunOut: z.enum(['realtime', 'fail']).default('realtime'),
});

/**
 * Where a batch learns from earlier corrections: `from` is the output location (a path or
 * `s3://bucket/prefix`) whose reviews recorded them under `examples/` (src/store/example-store.ts).
 * This input is in the workflow's history: a location, never a credential.
 */
export const examplesInputSchema = z.strictObject({
  from: z
    .string()
    .min(1, 'must name the output location whose reviews recorded the corrections (a path or s3://bucket/prefix)')
    .refine((location) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(location) || /^s3:\/\/[^/]+/i.test(location), 'expected a path or an s3://bucket/prefix URL')
    .refine((location) => !/^s3:\/\/[^/]*@/i.test(location) && !/[?&](?:x-amz-credential|x-amz-signature|awsaccesskeyid)=/i.test(location), 'must not hold credentials (they would be in the workflow history): give them to the workers in their environment'),
  /** Tokens of examples the Claude prompt holds (its cached prefix); 0 for none (the offline extractor still learns). @default 6000 */
  promptTokens: z.number().int().min(0).max(50_000).default(6000),
});

export const batchInputSchema = z.strictObject({
  source: batchSourceSchema,
  /** A built-in schema's name, or {"file": "/abs/schema.json", "fingerprint"?: "..."} (src/extraction/schemas). */
  schema: schemaReferenceSchema.default('invoice'),
  extractor: z.enum(extractorKinds).default('auto'),
  mode: z.enum(extractionModes).default('realtime'),
  messageBatches: messageBatchesInputSchema.prefault({}),
  models: modelsInputSchema.prefault({}),
  outputDir: z.string().min(1).default('output'),
  // Chunks extract their documents in parallel, as many at once as the worker's rate limiter (or
  // decoder pool) allows, so the defaults keep ~2,400 documents open. A chunk holds its place in
  // the window until its slowest document is done (up to 12 s at 2-12 s a request, more on a busy
  // worker), so at 4,000 requests/min ~1,200 documents were not enough (0.90 x the limit with one
  // worker, 0.75 with three: bench/ratelimit); 2,400 reach it (0.94-0.999, 0.998). See docs/anthropic.md, "Throughput with default settings".
  // Absent: planning chooses (chunk-size.ts), 100 for Claude and costly documents, 500 for text read offline.
  chunkSize: z.number().int().min(1).max(1000).optional(),
  concurrency: z.number().int().min(1).max(500).default(24),
  priority: z.number().int().min(1).max(5).default(3),
  order: z.enum(documentOrders).default('path'),
  retry: retryInputSchema.prefault({}),
  timeouts: timeoutInputSchema.prefault({}),
  toleratedFailurePercent: z.number().min(0).max(100).default(100),
  cache: z.boolean().default(true),
  /** The batch this one redrives (its failed documents), when it is a redrive. */
  redriveOf: z.string().min(1).optional(),
  /** Chunks one run completes before it continues as new: ~4 history events each, so at most 2000 keeps a run under 10,000 events. */
  chunksPerRun: z.number().int().min(1).max(2000).default(1000),
  /** The collection the documents belong to: the rows of the sink and the ledger of `onlyNew` are kept per collection. */
  collection: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected a name of letters, digits, ".", "_" and "-" (at most 100)').optional(),
  /** Extract only documents no earlier batch of `collection` extracted with the same schema and settings (src/store/collection-ledger.ts). */
  onlyNew: z.boolean().default(false),
  /** Learn from the corrections earlier reviews recorded (the seed examples): `{"from": "<output location>"}`. */
  examples: examplesInputSchema.optional(),
  /**
   * Where each result also goes as it is journaled: a PostgreSQL URL without its password (this
   * input is in the workflow's history); workers add it from DOCBATCH_DATABASE_URL or PGPASSWORD.
   */
  sink: z
    .string()
    .regex(/^postgres(ql)?:\/\//i, 'expected a postgres://user@host:port/database URL')
    .refine((url) => !/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/i.test(url), 'must not hold a password (it would be in the workflow history): give it in DOCBATCH_DATABASE_URL or PGPASSWORD on the workers')
    .optional(),
});

export type BatchInput = z.infer<typeof batchInputSchema>;
export type BatchInputJson = z.input<typeof batchInputSchema>;

export type ParsedBatchInput = { ok: true; input: BatchInput } | { ok: false; problems: string[] };

/** Every problem with the input, each naming its field: "concurrency: expected >= 1". */
export function parseBatchInput(raw: unknown): ParsedBatchInput {
  const result = batchInputSchema.safeParse(raw ?? undefined);
  if (!result.success) return { ok: false, problems: result.error.issues.map(formatIssue) };
  const problems = modeProblems(result.data);
  return problems.length === 0 ? { ok: true, input: result.data } : { ok: false, problems };
}

/**
 * Batch mode sends documents to Anthropic as Message Batches, which the offline extractor never
 * does. (`auto` in batch mode resolves to Claude whatever the planning worker's key: a worker
 * without one pauses the batch with the missing-key message, as a realtime Claude batch does.)
 */
function modeProblems(input: BatchInput): string[] {
  if (input.onlyNew && input.collection === undefined) {
    return ['onlyNew: extracts only documents a collection does not hold yet: name the collection ("collection": "<name>", or --only-new <collection>)'];
  }
  if (input.mode === 'batch' && input.extractor === 'local') {
    return ['mode: "batch" sends documents to Claude as Message Batches, but extractor "local" never calls Claude: use extractor "anthropic" (or "auto") with mode "batch", or mode "realtime" with the local extractor'];
  }
  return [];
}

function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.join('.') === 'source') {
    return 'source: expected {"dir": "<directory>"} or {"manifest": "<file listing paths>"}';
  }
  return describeIssue('(input)')(issue);
}
