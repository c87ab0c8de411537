import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { failureTypes } from '../batch/failures';
import { schemaIssues } from '../batch/issues';
import { checkCorrectionInputSchema, checkCorrectionResultSchema, openReviewResultSchema, writeReviewedInputSchema, type ReviewActivities } from '../batch/review';
import { z as zod } from 'zod';
import { awaitBatchEnd } from './await-batch';
import { checkCorrection } from './check-correction';
import { openReview } from './open-review';
import { writeReviewedOutputs } from './reviewed-outputs';

const openReviewInputSchema = zod.object({ batchId: zod.string(), batchLocation: zod.string() });

/** The review workflow's activities, registered by every docbatch worker beside the batch's. */
export function createReviewActivities(): ReviewActivities {
  return {
    awaitBatchEnd: checked('awaitBatchEnd', zod.object({ batchId: zod.string(), pollInterval: zod.string() }), zod.object({ status: zod.string() }), awaitBatchEnd),
    openReview: checked('openReview', openReviewInputSchema, openReviewResultSchema, openReview),
    checkCorrection: checked('checkCorrection', checkCorrectionInputSchema, checkCorrectionResultSchema, checkCorrection),
    writeReviewedOutputs: checked('writeReviewedOutputs', writeReviewedInputSchema, zod.object({ writtenAt: zod.string() }), writeReviewedOutputs),
  };
}

function checked<I extends z.ZodType, O extends z.ZodType>(name: string, input: I, output: O, run: (input: z.output<I>) => Promise<z.input<O>>) {
  return async (raw: z.input<I>): Promise<z.output<O>> => {
    const parsed = input.safeParse(raw);
    if (!parsed.success) {
      const problems = schemaIssues(parsed.error, '(input)');
      throw ApplicationFailure.nonRetryable(`${name}: invalid input: ${problems.join('; ')}`, failureTypes.invalidInput, { problems });
    }
    return output.parse(await run(parsed.data));
  };
}
