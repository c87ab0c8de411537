import { checkCorrectionInputSchema, checkCorrectionResultSchema, openReviewResultSchema, writeReviewedInputSchema, type ReviewActivities } from '../batch/review';
import { z as zod } from 'zod';
import { checked } from '../activities/checked';
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

