import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
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
  let entries;
  try {
    entries = await listSource(input.source, input.order);
  } catch (error) {
    if (error instanceof SourceError) throw ApplicationFailure.nonRetryable(error.message, failureTypes.invalidInput);
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
    extractor: resolveExtractor(input.extractor, deps.hasAnthropicKey()),
  };
}

/** `auto` means Claude when the worker has an API key, the offline extractor otherwise. */
function resolveExtractor(kind: PlanBatchInput['input']['extractor'], hasAnthropicKey: boolean): 'local' | 'anthropic' {
  if (kind === 'auto') return hasAnthropicKey ? 'anthropic' : 'local';
  return kind;
}
