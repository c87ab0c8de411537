import type { BatchInput } from '../batch/input';
import { listSource, SourceError, type ManifestEntry } from '../store/manifest';
import { SourceUnreadableError } from './errors';

/** What the person will see about the source before the batch starts: a label and its document count. */
export interface SourceOverview {
  label: string;
  documents: number;
}

/**
 * The source's entries, listed on the client exactly as planBatch will list them; a source that
 * cannot be listed (a missing directory) is a SourceUnreadableError with its one line.
 */
export async function listBatchSource(input: BatchInput): Promise<ManifestEntry[]> {
  try {
    return await listSource(input.source, input.order);
  } catch (error) {
    if (error instanceof SourceError) throw new SourceUnreadableError(error.message, null);
    throw error;
  }
}

/**
 * Lists the source once on the client, so a missing directory fails here with one line instead of
 * in the workflow, and the Web UI can show the document count from the start.
 */
export async function inspectSource(input: BatchInput): Promise<SourceOverview> {
  const { source } = input;
  const label = 'dir' in source ? source.dir : `manifest ${source.manifest}`;
  return { label, documents: (await listBatchSource(input)).length };
}
