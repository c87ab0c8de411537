import { z } from 'zod';
import { schemaReferenceSchema } from '../extraction/schemas';
import { chunkCountsSchema } from './counts';
import { batchInputSchema, extractionModes } from './input';
import { reportStates, type BatchSummary } from './summary';

/**
 * What the workflow sends to and gets back from each activity. Only counts, indices and
 * settings cross this line, never document lists or extracted data: payloads stay tiny at any
 * batch size.
 */

export const planBatchInputSchema = z.object({
  batchId: z.string(),
  input: batchInputSchema,
});
export type PlanBatchInput = z.infer<typeof planBatchInputSchema>;

export const planBatchResultSchema = z.object({
  /** Absolute path of `<outputDir>/<batchId>`. */
  batchDir: z.string(),
  total: z.number().int().nonnegative(),
  chunkCount: z.number().int().nonnegative(),
  /** Documents per chunk: the input's, or what planning chose (batch/chunk-size.ts); absent in batches planned before it chose, which used the input's. */
  chunkSize: z.number().int().positive().optional(),
  totalBytes: z.number().int().nonnegative(),
  /** A one-line description of the source for people ("dir /data/invoices (**\/*.pdf)"). */
  sourceLabel: z.string(),
  /** The extractor `auto` resolved to on the planning worker; every chunk uses the same one. */
  extractor: z.enum(['local', 'anthropic']),
  /** The input's schema, a file pinned by the fingerprint it had at planning (absent in batches planned before schema files). */
  schema: schemaReferenceSchema.optional(),
});
export type PlanBatchResult = z.infer<typeof planBatchResultSchema>;

export const extractionSettingsSchema = batchInputSchema.pick({
  schema: true,
  extractor: true,
  models: true,
  cache: true,
  examples: true,
});
export type ExtractionSettings = z.infer<typeof extractionSettingsSchema>;

export const extractChunkInputSchema = z.object({
  batchId: z.string(),
  batchDir: z.string(),
  chunkIndex: z.number().int().nonnegative(),
  chunkSize: z.number().int().positive(),
  settings: extractionSettingsSchema,
});
export type ExtractChunkInput = z.infer<typeof extractChunkInputSchema>;

export const extractChunkResultSchema = chunkCountsSchema.extend({
  chunkIndex: z.number().int().nonnegative(),
  /** Documents extracted by this attempt (not already checkpointed by an earlier one). */
  extractedNow: z.number().int().nonnegative(),
});
export type ExtractChunkResult = z.infer<typeof extractChunkResultSchema>;

export const locateDocumentsInputSchema = z.object({
  batchDir: z.string(),
  chunkSize: z.number().int().positive(),
  /** Documents listed so far (absent from requests of workflows started before manifest parts). */
  total: z.number().int().nonnegative().optional(),
  documents: z.array(z.string()),
});
export type LocateDocumentsInput = z.infer<typeof locateDocumentsInputSchema>;
export const locateDocumentsResultSchema = z.object({
  chunks: z.array(z.number().int().nonnegative()),
  unknown: z.array(z.string()),
});
export type LocateDocumentsResult = z.infer<typeof locateDocumentsResultSchema>;

export const writeReportInputSchema = z.object({
  batchId: z.string(),
  batchDir: z.string(),
  state: z.enum(reportStates),
  reason: z.string().optional(),
  startedAt: z.number(),
  elapsedMs: z.number().nonnegative(),
  pausedMs: z.number().nonnegative(),
  redriveOf: z.string().optional(),
  runs: z.number().int().positive(),
  schema: schemaReferenceSchema,
  chunkSize: z.number().int().positive(),
  /** Documents in the manifest; absent from reports requested by workflows started before manifest parts (the report then counts them). */
  total: z.number().int().nonnegative().optional(),
  /** The batch's mode, for the summary; absent from reports requested by workflows started before modes. */
  mode: z.enum(extractionModes).optional(),
});
export type WriteReportInput = z.infer<typeof writeReportInputSchema>;

/** The activities a worker registers under these names (src/activities builds them). */
export interface BatchActivities {
  planBatch(input: PlanBatchInput): Promise<PlanBatchResult>;
  extractChunk(input: ExtractChunkInput): Promise<ExtractChunkResult>;
  locateDocuments(input: LocateDocumentsInput): Promise<LocateDocumentsResult>;
  writeReport(input: WriteReportInput): Promise<BatchSummary>;
}
