import { z } from 'zod';
import { usageSchema } from '../extraction/usage';

/** One line of results.jsonl (and of a chunk's journal): the outcome for one document. */
export const documentResultSchema = z.object({
  /** Position of the document in manifest.jsonl (0-based). */
  index: z.number().int().nonnegative(),
  path: z.string(),
  status: z.enum(['succeeded', 'failed', 'not_processed']),
  cached: z.boolean().default(false),
  data: z.record(z.string(), z.unknown()).nullable().default(null),
  error: z.object({ type: z.string(), message: z.string() }).nullable().default(null),
  /** Chunk attempt that produced this line (Temporal's activity attempt number). */
  attempts: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  model: z.string().nullable().default(null),
  usage: usageSchema.nullable().default(null),
  /** What a person should check although the data validates (failed consistency checks, "check: problem"). */
  warnings: z.array(z.string()).default([]),
  /** The document is listed in review.jsonl: it succeeded, but with warnings. */
  needsReview: z.boolean().default(false),
  /** When the document finished (epoch ms): the report's throughput over time. */
  finishedAt: z.number().nonnegative().optional(),
});
export type DocumentResult = z.infer<typeof documentResultSchema>;
