import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { planBatchResultSchema } from './activities';
import type { Progress } from './progress';

/**
 * Queries, signals and updates of the batchExtraction workflow, shared by the workflow and its callers.
 * Each control message exists as a signal (fire and forget: `temporal workflow signal`) and as an
 * update of the same name that validates its input and returns the new progress.
 */

export const pauseArgsSchema = z.strictObject({ reason: z.string().max(500).optional() }).default({});
export const resumeArgsSchema = z.strictObject({}).default({});
export const cancelArgsSchema = z.strictObject({ reason: z.string().max(500).optional() }).default({});
export const setPriorityArgsSchema = z.strictObject({
  priority: z.number().int().min(1, 'priority is 1 (highest) to 5 (lowest)').max(5, 'priority is 1 (highest) to 5 (lowest)'),
});
export const prioritizeArgsSchema = z.strictObject({
  documents: z.array(z.string().min(1)).min(1, 'name at least one document').max(1000),
});

export type PauseArgs = z.input<typeof pauseArgsSchema>;
export type ResumeArgs = z.input<typeof resumeArgsSchema>;
export type CancelArgs = z.input<typeof cancelArgsSchema>;
export type SetPriorityArgs = z.infer<typeof setPriorityArgsSchema>;
export type PrioritizeArgs = z.infer<typeof prioritizeArgsSchema>;

/**
 * From the planning activity to its workflow while the source is listed: chunks 0 … chunks - 1
 * have their manifest parts and can run. Not a control: nobody but planning sends it.
 */
export const listedArgsSchema = planBatchResultSchema.omit({ total: true, chunkCount: true, totalBytes: true }).extend({
  chunks: z.number().int().nonnegative(),
  documents: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});
export type ListedArgs = z.infer<typeof listedArgsSchema>;

export const progressQuery = defineQuery<Progress>('progress');
export const listedSignal = defineSignal<[ListedArgs]>('listed');

export const pauseSignal = defineSignal<[PauseArgs?]>('pause');
export const resumeSignal = defineSignal<[ResumeArgs?]>('resume');
export const cancelSignal = defineSignal<[CancelArgs?]>('cancel');
export const setPrioritySignal = defineSignal<[SetPriorityArgs]>('setPriority');
export const prioritizeSignal = defineSignal<[PrioritizeArgs]>('prioritize');

export const pauseUpdate = defineUpdate<Progress, [PauseArgs | undefined]>('pause');
export const resumeUpdate = defineUpdate<Progress, [ResumeArgs | undefined]>('resume');
export const cancelUpdate = defineUpdate<Progress, [CancelArgs | undefined]>('cancel');
export const setPriorityUpdate = defineUpdate<Progress, [SetPriorityArgs]>('setPriority');
export const prioritizeUpdate = defineUpdate<Progress, [PrioritizeArgs]>('prioritize');
