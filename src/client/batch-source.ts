import { randomUUID } from 'node:crypto';
import type { BatchInput } from '../batch/input';
import { isObjectUrl, storageAt } from '../storage/location';
import { isStorageError, type Storage } from '../storage/storage';
import { checkDirectorySource, checkManifestSource, listSource, SourceError, type ManifestEntry } from '../store/manifest';
import { SourceUnreadableError } from './errors';

/** What the person will see about the source before the batch starts. */
export interface SourceOverview {
  label: string;
}

/**
 * The source's entries, listed on the client exactly as planBatch will list them (for `--estimate`);
 * a source that cannot be listed is a SourceUnreadableError with its one line.
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
 * Checks on the client that the source can be listed and the output written (a missing folder, a
 * missing bucket, refused credentials: one line, before any workflow exists), without listing the
 * source: planning lists it once, while the first chunks already run.
 */
export async function inspectSource(input: BatchInput): Promise<SourceOverview> {
  const { source } = input;
  const label = 'dir' in source ? source.dir : 'url' in source ? source.url : `manifest ${source.manifest}`;
  try {
    if ('dir' in source) await checkDirectorySource(source.dir);
    else if ('manifest' in source) await checkManifestSource(source.manifest);
    else await checkBucket(storageAt(source.url), 'source', { write: false });
    if (isObjectUrl(input.outputDir)) await checkBucket(storageAt(input.outputDir), 'output', { write: true });
  } catch (error) {
    if (error instanceof SourceError) throw new SourceUnreadableError(error.message, null);
    throw error;
  }
  return { label };
}

/** One LIST (and, for the output, one PUT and DELETE of a probe object): the credentials and the bucket work. */
async function checkBucket(storage: Storage, role: 'source' | 'output', { write }: { write: boolean }): Promise<void> {
  try {
    for await (const _ of storage.list()) break;
    if (write) {
      const probe = `.docbatch-probe-${randomUUID()}`;
      await storage.write(probe, '');
      await storage.delete(probe);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isStorageError(error)) throw new SourceError(`${role} ${storage.location}: ${message}`);
    if (/region is missing/i.test(message)) throw new SourceError(`${role} ${storage.location}: no AWS region is set: set AWS_REGION (any region name works for most S3-compatible stores)`);
    if (/credential/i.test(message)) throw new SourceError(`${role} ${storage.location}: no AWS credentials were found (${message}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`);
    throw error;
  }
}
