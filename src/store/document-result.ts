import { z } from 'zod';
import { usageSchema } from '../extraction/usage';

/** One line of results.jsonl (and of a chunk's journal): the outcome for one document. */
export const documentResultSchema = z.object({
  /** Position of the document in manifest.jsonl (0-based). */
  index: z.number().int().nonnegative(),
  path: z.string(),
  status: z.enum(['succeeded', 'failed', 'not_processed']),
  cached: z.boolean().default(false),
  // Any object: a loose object is checked without walking its fields (a record's key and value
  // schemas cost half of the report's validation of a line, and JSON keys are strings anyway).
  data: z.looseObject({}).nullable().default(null),
  error: z.object({ type: z.string(), message: z.string() }).nullable().default(null),
  /** Chunk attempt that produced this line (Temporal's activity attempt number). */
  attempts: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  model: z.string().nullable().default(null),
  usage: usageSchema.nullable().default(null),
  /** "e-invoice" when the data was read from the document's e-invoice XML (no model call, no cost). */
  source: z.enum(['e-invoice']).optional(),
  /** What the batch owner should know about this result: the extractor's notes (e.g. e-invoice XML that could not be used) and failed consistency checks ("check: problem"). */
  warnings: z.array(z.string()).optional(),
  /** The character encoding a plain-text document was read in (utf-8, utf-16le, windows-1252 …). */
  encoding: z.string().optional(),
  /** The data validates but fails a consistency check of the schema: listed in review.jsonl. */
  needsReview: z.boolean().optional(),
  /** When the document finished (epoch ms): the report's throughput over time. */
  finishedAt: z.number().nonnegative().optional(),
});
export type DocumentResult = z.infer<typeof documentResultSchema>;
