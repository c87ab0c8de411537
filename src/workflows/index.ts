export { batchExtraction } from './batch';
export { batchReview } from './review';
