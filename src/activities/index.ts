import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
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
import { failureTypes } from '../batch/failures';
import { schemaIssues } from '../batch/issues';
import { batchSummarySchema } from '../batch/summary';
import type { Extractor } from '../extraction/extractor';
import type { ExtractionObserver } from '../metrics/observer';
import type { ResultCache } from '../store/result-cache';
import { extractChunk } from './extract-chunk';
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
}

/**
 * The activities of docbatch, bound to their dependencies. The worker wires the real ones; tests
 * wire the same code with other settings (a slower extractor, a counting one, another cache).
 * Each checks its input and its result against the batch contract (src/batch/activities.ts).
 */
export function createActivities(deps: ActivityDeps): BatchActivities {
  return {
    planBatch: checked('planBatch', planBatchInputSchema, planBatchResultSchema, (input) => planBatch(deps, input)),
    extractChunk: checked('extractChunk', extractChunkInputSchema, extractChunkResultSchema, (input) => extractChunk(deps, input)),
    locateDocuments: checked('locateDocuments', locateDocumentsInputSchema, locateDocumentsResultSchema, locateDocuments),
    writeReport: checked('writeReport', writeReportInputSchema, batchSummarySchema, (input) => writeReport(deps, input)),
  };
}

/** An activity whose input is parsed first (a malformed one fails at once, never retried) and whose result is parsed before it is returned. */
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
