import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BatchInput } from '../batch/input';
import { documentErrorTypes } from '../extraction/errors';
import type { Storage } from '../storage/storage';
import { batchKeys, batchStorage } from './paths';
import { isObjectUrl, objectAt } from '../storage/location';
import { inspectObject } from './object-listing';
import { inspectPaths, listDirectoryEntries, readManifestLines } from './source-listing';

/** One line of the manifest: an entry of the source, in processing order. */
export const manifestEntrySchema = z.object({
  index: z.number().int().nonnegative(),
  /** A path, or an `s3://bucket/key` URL. */
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** The object's version when it was listed (an ETag): a document replaced since then fails instead of mixing versions. */
  version: z.string().optional(),
  /** Why this entry cannot be a document (a FIFO, a dangling link …): its chunk fails it without opening it. */
  problem: z.object({ type: z.enum(documentErrorTypes), message: z.string() }).optional(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
export type ListedSourceEntry = Omit<ManifestEntry, 'index'>;

export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/**
 * Every entry of a source in a deterministic order, paths absolute: the documents, and each entry
 * that cannot be one with its problem (see source-listing.ts), so none goes missing silently.
 */
export async function listSource(source: BatchInput['source'], order: BatchInput['order']): Promise<ManifestEntry[]> {
  const entries: ListedSourceEntry[] = 'dir' in source ? await listDirectory(source) : 'manifest' in source ? await listManifestFile(source.manifest) : [];
  return sortDocuments(entries, order).map((entry, index) => ({ index, ...entry }));
}

export function sortDocuments<T extends { path: string; sizeBytes: number }>(documents: T[], order: BatchInput['order']): T[] {
  const byPath = (a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const sorted = [...documents];
  if (order === 'path') return sorted.sort(byPath);
  const direction = order === 'largest' ? -1 : 1;
  return sorted.sort((a, b) => direction * (a.sizeBytes - b.sizeBytes) || byPath(a, b));
}

async function listDirectory(source: Extract<BatchInput['source'], { dir: string }>) {
  return listDirectoryEntries({ ...source, dir: await checkDirectorySource(source.dir) });
}

/** The source folder, absolute, if it exists and can be listed; else a SourceError that says what to do. */
export async function checkDirectorySource(sourceDir: string): Promise<string> {
  const dir = path.resolve(sourceDir);
  const info = await stat(dir).catch(() => null);
  if (!info) throw new SourceError(`source.dir ${dir} does not exist: pass an existing directory`);
  if (!info.isDirectory()) throw new SourceError(`source.dir ${dir} is not a directory: pass the folder that holds the documents`);
  await access(dir, constants.R_OK | constants.X_OK).catch(() => {
    throw new SourceError(`source.dir ${dir} cannot be listed (permission denied): grant the worker read access to it`);
  });
  return dir;
}

/** The manifest file can be read; else a SourceError that says what to do. */
export async function checkManifestSource(file: string): Promise<void> {
  if (isObjectUrl(file)) {
    const { storage, key } = objectAt(file);
    if ((await storage.stat(key)) === null) throw new SourceError(`source.manifest ${file} does not exist: pass an object that lists one document path or URL per line`);
    return;
  }
  const manifestPath = path.resolve(file);
  const info = await stat(manifestPath).catch(() => null);
  const readable = info?.isFile() === true && (await access(manifestPath, constants.R_OK).then(() => true, () => false));
  if (!readable) throw new SourceError(`source.manifest ${manifestPath} cannot be read: pass a file that lists one document path per line`);
}

/**
 * The entries a manifest file names, streamed (see readManifestLines): paths stat'ed, `s3://`
 * URLs asked for their size and ETag (HEAD).
 */
async function listManifestFile(file: string): Promise<ListedSourceEntry[]> {
  const manifestPath = isObjectUrl(file) ? file : path.resolve(file);
  await checkManifestSource(manifestPath);
  const objects: string[] = [];
  async function* files() {
    for await (const line of readManifestLines(manifestPath)) {
      if (isObjectUrl(line.path)) objects.push(line.path);
      else yield line;
    }
  }
  const entries: ListedSourceEntry[] = [];
  for await (const { line: _line, ...entry } of inspectPaths(files())) entries.push(entry);
  for (const url of objects) entries.push(await inspectObject(url));
  return entries;
}

/** Part writes in flight while a listing streams into the manifest: a bucket answers each in milliseconds, not microseconds. */
const PART_WRITES_IN_FLIGHT = 8;

/**
 * Writes the manifest as the source is listed, one part per chunk (`manifest/<chunk>.jsonl`), so a
 * chunk reads only its own documents (O(chunk) memory per worker at any batch size) and a chunk can
 * start as soon as its part exists. `add` numbers the entries; `flush` writes the partial last part.
 */
export class ManifestWriter {
  private current: ManifestEntry[] = [];
  private writing = new Set<Promise<void>>();
  private failure: Error | undefined;
  private ready: number;
  /** Parts written out of order (a later one finished first), waiting for the ones before. */
  private readonly writtenAhead = new Set<number>();
  /** Entries added so far (the next index) and their bytes. */
  documents: number;
  bytes = 0;

  constructor(
    private readonly storage: Storage,
    readonly chunkSize: number,
    /** Where a resumed listing starts: the entries already in written parts (whole chunks). */
    startIndex = 0,
  ) {
    this.documents = startIndex;
    this.ready = Math.floor(startIndex / chunkSize);
  }

  /** Chunks 0 … readyChunks - 1 have their parts written: they can run. */
  get readyChunks(): number {
    return this.ready;
  }

  /** Adds the next entry; the promise of the part's write when it completes a chunk (awaited, it keeps writes in flight bounded). */
  add(entry: ListedSourceEntry): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.current.push({ index: this.documents++, ...entry });
    this.bytes += entry.sizeBytes;
    return this.current.length === this.chunkSize ? this.writePart() : undefined;
  }

  /** Writes what is left and waits for every part: the manifest is whole when this resolves. */
  async flush(): Promise<void> {
    if (this.current.length > 0) await this.writePart();
    await Promise.all(this.writing);
    if (this.failure) throw this.failure;
  }

  private async writePart(): Promise<void> {
    const entries = this.current;
    this.current = [];
    const chunk = Math.floor(entries[0]!.index / this.chunkSize);
    const write = this.storage
      .write(batchKeys.manifestPart(chunk), entries.map((entry) => JSON.stringify(entry) + '\n').join(''))
      .then(() => {
        this.writtenAhead.add(chunk);
        while (this.writtenAhead.delete(this.ready)) this.ready++;
      })
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
    if (this.writing.size >= PART_WRITES_IN_FLIGHT) await Promise.race(this.writing);
  }
}

/** Writes a whole listing (already in memory) as the manifest's parts. */
export async function writeManifest(batchDir: string, entries: readonly ManifestEntry[], chunkSize: number): Promise<void> {
  const writer = new ManifestWriter(batchStorage(batchDir), chunkSize);
  for (const { index: _index, ...entry } of entries) await writer.add(entry);
  await writer.flush();
}

/** The entries of one chunk, from its part; a batch planned before parts reads its slice of manifest.jsonl. */
export async function readManifestChunk(batchDir: string, chunkIndex: number, chunkSize: number): Promise<ManifestEntry[]> {
  const storage = batchStorage(batchDir);
  const bytes = await storage.read(batchKeys.manifestPart(chunkIndex));
  if (bytes !== null) return parseEntries(bytes.toString('utf8'));
  // Past the last part of a batch that has parts: no such chunk.
  if (chunkIndex > 0 && (await storage.stat(batchKeys.manifestPart(0))) !== null) return [];
  const whole = await readWholeManifest(storage);
  return whole.slice(chunkIndex * chunkSize, (chunkIndex + 1) * chunkSize);
}

/** Every entry of the batch in manifest order, a chunk's part at a time. */
export async function* manifestEntries(batchDir: string, chunkSize: number, chunkCount: number): AsyncGenerator<ManifestEntry> {
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    const entries = await readManifestChunk(batchDir, chunk, chunkSize);
    // Without a count (Infinity), the first empty chunk ends the manifest.
    if (entries.length === 0) return;
    yield* entries;
  }
}

function parseEntries(text: string): ManifestEntry[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => manifestEntrySchema.parse(JSON.parse(line)));
}

const legacyManifests = new Map<string, ManifestEntry[]>();
const LEGACY_MANIFESTS_CACHED = 2;

/** manifest.jsonl of a batch planned before manifest parts, parsed once per worker process. */
async function readWholeManifest(storage: Storage): Promise<ManifestEntry[]> {
  const cached = legacyManifests.get(storage.location);
  if (cached) return cached;
  const bytes = await storage.read(batchKeys.manifest);
  if (bytes === null) throw new Error(`the manifest of the batch at ${storage.location} is missing (neither manifest/ parts nor manifest.jsonl): were the batch's files deleted?`);
  const entries = parseEntries(bytes.toString('utf8'));
  legacyManifests.set(storage.location, entries);
  while (legacyManifests.size > LEGACY_MANIFESTS_CACHED) legacyManifests.delete(legacyManifests.keys().next().value!);
  return entries;
}
