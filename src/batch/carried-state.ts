import { z } from 'zod';
import { planBatchResultSchema } from './activities';
import { chunkCountsSchema } from './counts';
import { messageBatchTallySchema } from './message-batch-progress';
import { batchClockSchema } from './progress';

/**
 * What a run of batchExtraction hands to the next across continue-as-new: counts, chunk indices
 * as ranges, the clock and the controls. Never documents or results: it stays a few KB at any
 * batch size. The workflow parses it at the start of every run after the first, so state carried
 * by runs of earlier versions must keep parsing.
 */
export const carriedStateSchema = z.object({
  plan: planBatchResultSchema,
  doneChunks: z.array(z.tuple([z.number().int(), z.number().int()])),
  front: z.array(z.number().int()),
  counts: chunkCountsSchema,
  clock: batchClockSchema,
  pauseReason: z.string().nullable(),
  /** Set when a fault paused the batch; absent in state carried before it was recorded. */
  pauseFault: z.object({ type: z.string().nullable() }).nullable().optional(),
  priority: z.number().int().min(1).max(5),
  runs: z.number().int().positive(),
  /** Batch mode's tally (submitted, resubmitted, turnarounds); absent in realtime batches. */
  messageBatches: messageBatchTallySchema.optional(),
});
export type CarriedState = z.infer<typeof carriedStateSchema>;
