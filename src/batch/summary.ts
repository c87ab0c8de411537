import { z } from 'zod';
import { usageSchema } from '../extraction/usage';
import { extractionModes } from './input';

/** How a batch can end, as its report says. */
export const reportStates = ['completed', 'cancelled', 'failed'] as const;
export type ReportState = (typeof reportStates)[number];

/** summary.json, and the result of the batchExtraction workflow. */
export const batchSummarySchema = z.object({
  batchId: z.string(),
  state: z.enum(reportStates),
  reason: z.string().optional(),
  outputDir: z.string(),
  total: z.number().int().nonnegative(),
  processed: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cached: z.number().int().nonnegative(),
  notProcessed: z.number().int().nonnegative(),
  successRate: z.number().min(0).max(1),
  failuresByType: z.record(z.string(), z.number().int()),
  startedAt: z.string(),
  finishedAt: z.string(),
  elapsedMs: z.number().nonnegative(),
  pausedMs: z.number().nonnegative(),
  documentsPerSecond: z.number().nonnegative(),
  meanDocumentMs: z.number().nonnegative(),
  usage: usageSchema,
  models: z.record(z.string(), z.number().int()),
  /** Usage (tokens, cost) per model, as the report shows it. */
  usageByModel: z.record(z.string(), usageSchema).optional(),
  /** What was extracted: the schema's name, fingerprint (part of the result-cache key) and source ("built-in" or the file). */
  schema: z.object({ name: z.string(), fingerprint: z.string(), source: z.string() }).optional(),
  /** Succeeded documents with warnings (failed consistency checks): listed in review.jsonl. */
  needsReview: z.number().int().nonnegative().optional(),
  /** Documents per failed check (the check's name). */
  warningsByCheck: z.record(z.string(), z.number().int()).optional(),
  /** Share of succeeded documents that filled each CSV column of the schema. */
  fieldFillRates: z.record(z.string(), z.number().min(0).max(1)).optional(),
  runs: z.number().int().positive(),
  /** Documents per chunk: the input's, or what planning chose for the extractor and documents. Absent from summaries written before it was recorded. */
  chunkSize: z.number().int().positive().optional(),
  /** How documents reached Claude: `realtime` or `batch` (Message Batches). Absent from summaries written before modes. */
  mode: z.enum(extractionModes).optional(),
  /** The batch's collection (--collection, --only-new): with onlyNew, how many listed documents were new, changed and already known; the sink's database (no password). */
  collection: z
    .object({ name: z.string(), new: z.number().int().optional(), changed: z.number().int().optional(), known: z.number().int().optional(), sink: z.string().optional() })
    .optional(),
  redriveOf: z.string().optional(),
  redrivenBy: z.array(z.string()).default([]),
  files: z.object({
    results: z.string(),
    resultsCsv: z.string(),
    failures: z.string(),
    summary: z.string(),
    manifest: z.string(),
    review: z.string().optional(),
    reportHtml: z.string().optional(),
  }),
});
export type BatchSummary = z.infer<typeof batchSummarySchema>;
