import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { schemaLabel } from '../extraction/schemas';
import { extractorMismatch, resolveExtractor } from '../extraction/schemas/compatibility';
import { loadSchema, SchemaError } from '../extraction/schemas/load';
import { listSource, SourceError, writeManifest } from '../store/manifest';
import { linkRedrive } from '../store/report';
import { chunkCountOf } from '../batch/chunks';
import { failureTypes } from '../batch/failures';
import type { PlanBatchInput, PlanBatchResult } from '../batch/activities';

export interface PlanBatchDeps {
  hasAnthropicKey: () => boolean;
}

/**
 * Lists the source in a deterministic order and writes manifest.jsonl; returns counts only. Runs
 * again on retry or after continue-as-new with the same result, since the listing is sorted.
 */
export async function planBatch(deps: PlanBatchDeps, { batchId, input }: PlanBatchInput): Promise<PlanBatchResult> {
  const batchDir = path.resolve(input.outputDir, batchId);
  const extractor = resolveExtractor(input, deps.hasAnthropicKey())!;
  const schema = await usableSchema(input, extractor);
  let entries;
  try {
    entries = await listSource(input.source, input.order);
  } catch (error) {
    if (error instanceof SourceError) throw ApplicationFailure.nonRetryable(error.message, failureTypes.sourceUnavailable);
    throw error;
  }
  await writeManifest(batchDir, entries);
  if (input.redriveOf) await linkRedrive(path.resolve(input.outputDir, input.redriveOf), batchId);
  return {
    batchDir,
    total: entries.length,
    chunkCount: chunkCountOf(entries.length, input.chunkSize),
    totalBytes: entries.reduce((sum, entry) => sum + entry.sizeBytes, 0),
    sourceLabel: 'dir' in input.source ? `${path.resolve(input.source.dir)} (${input.source.include.join(', ')})` : `manifest ${path.resolve(input.source.manifest)}`,
    extractor,
    schema: typeof input.schema === 'string' ? input.schema : { file: input.schema.file, fingerprint: schema.fingerprint },
  };
}

/**
 * The batch's schema, refused before any document is read when it cannot be loaded, changed since
 * the batch was submitted, or is not one the chosen extractor can fill: one message, not a failed
 * document per file.
 */
async function usableSchema(input: PlanBatchInput['input'], extractor: 'local' | 'anthropic') {
  let schema;
  try {
    schema = await loadSchema(input.schema);
  } catch (error) {
    if (error instanceof SchemaError) throw ApplicationFailure.nonRetryable(error.message, failureTypes.invalidInput);
    throw error;
  }
  const mismatch = extractorMismatch(schemaLabel(input.schema), schema, extractor, input.extractor === 'auto' ? 'auto' : 'request');
  if (mismatch !== null) throw ApplicationFailure.nonRetryable(mismatch, failureTypes.invalidInput);
  return schema;
}
