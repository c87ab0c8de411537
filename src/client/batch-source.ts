import { listSource, SourceError } from '../store/manifest';
import type { BatchInput } from '../batch/input';
import { CliError } from './errors';

/** What the person will see about the source before the batch starts: a label and its document count. */
export interface SourceOverview {
  label: string;
  documents: number;
}

/**
 * Lists the source once on the client, so a missing directory fails here with one line instead of
 * in the workflow, and the Web UI can show the document count from the start.
 */
export async function inspectSource(input: BatchInput): Promise<SourceOverview> {
  const { source } = input;
  const label = 'dir' in source ? source.dir : `manifest ${source.manifest}`;
  try {
    const documents = await listSource(source, input.order);
    return { label, documents: documents.length };
  } catch (error) {
    if (error instanceof SourceError) throw new CliError(error.message);
    throw error;
  }
}
