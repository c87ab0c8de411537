import { locationJoin, objectAt, parentLocation, storageAt } from '../storage/location';
import type { Client } from '@temporalio/client';
import type { BatchInputJson } from '../batch/input';
import { batchInputFromOptions, type BatchOptions } from './batch-input';
import { stableHash } from './batch-id';
import { readBatchInput } from './batch-record';
import { fetchBatchReport } from './batch-report';
import { definedOnly } from './defined-only';
import { NothingToRedriveError } from './errors';

export interface RedrivePlan {
  /** The new batch's id: `<earlier id>-redrive-<hash of the failed paths>`, so running redrive twice attaches. */
  batchId: string;
  redriveOf: string;
  /** The file listing the failed documents, one path per line, in the new batch's output directory. */
  manifest: string;
  documents: number;
  options: BatchOptions;
}

/**
 * Prepares a batch of only the failed documents of an ended batch: their paths go into a manifest
 * file in the new batch's directory; the new batch inherits the earlier one's settings (CLI flags
 * override them) and shares its output directory, so both summaries link to each other.
 */
export async function planRedrive(client: Client, earlierId: string, overrides: BatchOptions): Promise<RedrivePlan> {
  const outcome = await fetchBatchReport(client, earlierId);
  if (!outcome.summary) {
    throw new NothingToRedriveError(`batch ${earlierId} ended (${outcome.state}) without a report`, 'there is no failures.jsonl to redrive from');
  }
  const { storage: failuresStorage, key: failuresKey } = objectAt(outcome.summary.files.failures);
  const failuresText = await failuresStorage.read(failuresKey).then((bytes) => {
    if (bytes === null) throw new Error('missing');
    return bytes.toString('utf8');
  }).catch(() => {
    throw new NothingToRedriveError(`cannot read ${outcome.summary!.files.failures}`, `redrive needs the failures file of batch ${earlierId}`);
  });
  const paths = failedPaths(failuresText);
  if (paths.length === 0) throw new NothingToRedriveError(`batch ${earlierId} has no failed documents`, 'nothing to redrive');

  const batchId = `${earlierId}-redrive-${stableHash(paths)}`;
  // Beside the batch's other files, so a fleet that shares no disk reads it from the same bucket.
  const outputDir = parentLocation(outcome.summary.outputDir);
  const manifest = locationJoin(outputDir, batchId, `redrive-of-${earlierId}.txt`);
  await storageAt(locationJoin(outputDir, batchId)).write(`redrive-of-${earlierId}.txt`, paths.join('\n') + '\n');

  const earlier = await readBatchInput(client, earlierId).catch(() => undefined);
  return {
    batchId,
    redriveOf: earlierId,
    manifest,
    documents: paths.length,
    options: { ...redriveSettings(earlier, overrides), manifest, output: outputDir, redriveOf: earlierId },
  };
}

/** The redrive's workflow input, validated. */
export async function redriveInput(plan: RedrivePlan) {
  return batchInputFromOptions(plan.options);
}

function failedPaths(failuresJsonl: string): string[] {
  const paths = failuresJsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { path?: unknown }).path)
    .filter((p): p is string => typeof p === 'string' && p !== '');
  return [...new Set(paths)];
}

/** The earlier batch's settings (its input, when Temporal still has it), the flags given over them; batch mode's settings merged field by field. */
export function redriveSettings(earlier: BatchInputJson | undefined, overrides: BatchOptions): BatchOptions {
  const messageBatches = earlier?.messageBatches || overrides.messageBatches ? { ...earlier?.messageBatches, ...overrides.messageBatches } : undefined;
  return { ...inheritedOptions(earlier), ...definedOnly(overrides), ...definedOnly({ messageBatches }) };
}

function inheritedOptions(input: BatchInputJson | undefined): BatchOptions {
  if (!input) return {};
  return definedOnly({
    schema: input.schema,
    chunkSize: input.chunkSize,
    concurrency: input.concurrency,
    priority: input.priority,
    order: input.order,
    extractor: input.extractor,
    mode: input.mode,
    toleratedFailurePercent: input.toleratedFailurePercent,
    cache: input.cache,
    // The same collection and sink: a redriven document updates its row, never a second one elsewhere.
    collection: input.collection,
    onlyNew: input.onlyNew ? input.collection : undefined,
    sink: input.sink,
  });
}
