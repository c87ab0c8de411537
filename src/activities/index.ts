import { z } from 'zod';
import {
  extractChunkInputSchema,
  extractChunkResultSchema,
  locateDocumentsInputSchema,
  locateDocumentsResultSchema,
  planBatchInputSchema,
  planBatchResultSchema,
  writeReportInputSchema,
  type BatchActivities,
  type ExtractionSettings,
} from '../batch/activities';
import {
  awaitMessageBatchInputSchema,
  awaitMessageBatchResultSchema,
  cancelMessageBatchInputSchema,
  collectChunkInputSchema,
  collectChunkResultSchema,
  submitChunkInputSchema,
  submitChunkResultSchema,
  type MessageBatchActivities,
} from '../batch/message-batches';
import { batchSummarySchema } from '../batch/summary';
import type Anthropic from '@anthropic-ai/sdk';
import type { AnthropicExtractor } from '../extraction/anthropic';
import type { Extractor } from '../extraction/extractor';
import type { MessageBatchLimits } from '../extraction/message-batches/grouping';
import type { ExtractionObserver } from '../metrics/observer';
import type { ResultCache } from '../store/result-cache';
import { awaitMessageBatch } from './await-message-batch';
import { checked } from './checked';
import { cancelMessageBatch } from './cancel-message-batch';
import { collectChunk } from './collect-chunk';
import { extractChunk } from './extract-chunk';
import { createAnthropicFor, createMessageBatchesClient } from './extractor-for';
import { submitChunk } from './submit-chunk';
import { locateDocuments } from './locate-documents';
import { planBatch } from './plan-batch';
import { writeReport } from './write-report';

export interface ActivityDeps {
  /** The extractor for a batch's settings (`extractor` is already resolved to local or anthropic). */
  extractorFor: (settings: ExtractionSettings) => Extractor | Promise<Extractor>;
  resultCache: ResultCache | null;
  hasAnthropicKey: () => boolean;
  now: () => number;
  /** Told of each journaled document (metrics, src/metrics); none by default. */
  observer?: ExtractionObserver;
  /** Batch mode: the Claude extractor whose first requests go in Message Batches. Default: from the worker's environment. */
  anthropicFor?: (settings: ExtractionSettings) => Promise<AnthropicExtractor>;
  /** Batch mode: the Message Batches API client. Default: from the worker's environment. */
  messageBatchesClient?: () => Promise<Anthropic>;
  /** Batch mode: a Message Batch's limits. Default: the API's. */
  messageBatchLimits?: MessageBatchLimits;
}

/**
 * The activities of docbatch, bound to their dependencies. The worker wires the real ones; tests
 * wire the same code with other settings (a slower extractor, a counting one, another cache).
 * Each checks its input and its result against the batch contract (src/batch/activities.ts).
 */
export function createActivities(deps: ActivityDeps): BatchActivities & MessageBatchActivities {
  const batchDeps = {
    ...deps,
    anthropicFor: deps.anthropicFor ?? createAnthropicFor(process.env, deps.observer),
    messageBatchesClient: deps.messageBatchesClient ?? createMessageBatchesClient(),
  };
  return {
    planBatch: checked('planBatch', planBatchInputSchema, planBatchResultSchema, (input) => planBatch(deps, input)),
    extractChunk: checked('extractChunk', extractChunkInputSchema, extractChunkResultSchema, (input) => extractChunk(deps, input)),
    locateDocuments: checked('locateDocuments', locateDocumentsInputSchema, locateDocumentsResultSchema, locateDocuments),
    writeReport: checked('writeReport', writeReportInputSchema, batchSummarySchema, (input) => writeReport(deps, input)),
    submitChunk: checked('submitChunk', submitChunkInputSchema, submitChunkResultSchema, (input) => submitChunk(batchDeps, input)),
    awaitMessageBatch: checked('awaitMessageBatch', awaitMessageBatchInputSchema, awaitMessageBatchResultSchema, (input) => awaitMessageBatch(batchDeps, input)),
    collectChunk: checked('collectChunk', collectChunkInputSchema, collectChunkResultSchema, (input) => collectChunk(batchDeps, input)),
    cancelMessageBatch: checked('cancelMessageBatch', cancelMessageBatchInputSchema, z.void(), (input) => cancelMessageBatch(batchDeps, input)),
  };
}

