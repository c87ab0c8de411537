import type { BatchInputJson } from './input';
import type { BatchSummary } from './summary';

/**
 * The batchExtraction workflow as its callers see it: started with plain JSON input (a second,
 * internal argument carries state across continue-as-new), it returns the batch's summary.
 * `client.workflow.start<BatchWorkflow>('batchExtraction', ...)` types the start without
 * importing workflow code.
 */
export type BatchWorkflow = (input: BatchInputJson) => Promise<BatchSummary>;
