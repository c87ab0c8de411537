import batch from 'it-batch';
import { isStorageError } from '../storage/storage';
import type { BatchInput } from '../batch/input';
import { checkDirectorySource, listSource, SourceError, sortDocuments, type ListedSourceEntry } from './manifest';
import { listObjectSource } from './object-listing';
import { LISTING_PAGE, walkDirectoryPages } from './source-listing';

export interface SourceListing {
  /** The entries in manifest order, a page at a time (never an empty one): a promise per page, not per entry. */
  pages: AsyncIterable<ListedSourceEntry[]>;
  /** Whether a listing can resume after a listed path (`after`): planning then continues where a failed attempt stopped. */
  resumable: boolean;
}

/**
 * The source as a stream in manifest order, so planning writes the manifest (and chunks start)
 * while it is still being listed. A folder streams as it is walked and a bucket prefix page by
 * page, both in path (key) order, and both resume after a listed entry. `order: largest|smallest` needs every size first: that listing is whole before its
 * first entry (held in memory, and said so in docs/benchmarks.md).
 */
export function listSourceStream(source: BatchInput['source'], order: BatchInput['order'], options: { after?: string } = {}): SourceListing {
  if (order !== 'path') return { pages: wholeListing(source, order), resumable: false };
  if ('url' in source) return { pages: batch(objectEntries(source, options.after), LISTING_PAGE), resumable: true };
  if ('dir' in source) return { pages: directoryPages(source, options.after), resumable: true };
  return { pages: wholeListing(source, order), resumable: false };
}

/**
 * A folder walked in path order (source-listing.ts). A resumed walk does not know the hard links
 * and followed directories of the part before `after`: one of those may be listed again, once.
 */
async function* directoryPages(source: Extract<BatchInput['source'], { dir: string }>, after: string | undefined): AsyncGenerator<ListedSourceEntry[]> {
  const dir = await checkDirectorySource(source.dir);
  yield* walkDirectoryPages({ ...source, dir }, after === undefined ? {} : { after });
}

async function* objectEntries(source: Extract<BatchInput['source'], { url: string }>, after: string | undefined): AsyncGenerator<ListedSourceEntry> {
  try {
    yield* listObjectSource(source, after === undefined ? {} : { after });
  } catch (error) {
    if (isStorageError(error, 'access_denied') || isStorageError(error, 'no_bucket')) throw new SourceError(`source.url ${source.url}: ${error.message}`);
    throw error;
  }
}

async function* wholeListing(source: BatchInput['source'], order: BatchInput['order']): AsyncGenerator<ListedSourceEntry[]> {
  let all: ListedSourceEntry[] = [];
  if ('url' in source) {
    for await (const entry of objectEntries(source, undefined)) all.push(entry);
    all = sortDocuments(all, order);
  } else {
    all = (await listSource(source, order)).map(({ index: _index, ...entry }) => entry);
  }
  for (let at = 0; at < all.length; at += LISTING_PAGE) yield all.slice(at, at + LISTING_PAGE);
}
