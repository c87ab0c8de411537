import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BatchInput } from '../batch/input';
import { documentErrorTypes } from '../extraction/errors';
import { writeFileAtomic } from './atomic-file';
import { batchFiles } from './paths';
import { inspectPaths, listDirectoryEntries, readManifestLines, type ListedEntry } from './source-listing';

/** One line of manifest.jsonl: an entry of the source, in processing order. */
export const manifestEntrySchema = z.object({
  index: z.number().int().nonnegative(),
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** Why this entry cannot be a document (a FIFO, a dangling link …): its chunk fails it without opening it. */
  problem: z.object({ type: z.enum(documentErrorTypes), message: z.string() }).optional(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/**
 * Every entry of a source in a deterministic order, paths absolute: the documents, and each entry
 * that cannot be one with its problem (see source-listing.ts), so none goes missing silently.
 */
export async function listSource(source: BatchInput['source'], order: BatchInput['order']): Promise<ManifestEntry[]> {
  const entries = 'dir' in source ? await listDirectory(source) : await listManifestFile(source.manifest);
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
  const dir = path.resolve(source.dir);
  const info = await stat(dir).catch(() => null);
  if (!info) throw new SourceError(`source.dir ${dir} does not exist: pass an existing directory`);
  if (!info.isDirectory()) throw new SourceError(`source.dir ${dir} is not a directory: pass the folder that holds the documents`);
  await access(dir, constants.R_OK | constants.X_OK).catch(() => {
    throw new SourceError(`source.dir ${dir} cannot be listed (permission denied): grant the worker read access to it`);
  });
  return listDirectoryEntries({ ...source, dir });
}

/** A manifest file lists one path per line, or is a manifest.jsonl of an earlier batch (see readManifestLines). */
async function listManifestFile(file: string): Promise<ListedEntry[]> {
  const manifestPath = path.resolve(file);
  const info = await stat(manifestPath).catch(() => null);
  const readable = info?.isFile() === true && (await access(manifestPath, constants.R_OK).then(() => true, () => false));
  if (!readable) {
    throw new SourceError(`source.manifest ${manifestPath} cannot be read: pass a file that lists one document path per line`);
  }
  const entries: ListedEntry[] = [];
  for await (const { line: _line, ...entry } of inspectPaths(readManifestLines(manifestPath))) entries.push(entry);
  return entries;
}

export async function writeManifest(batchDir: string, entries: ManifestEntry[]): Promise<void> {
  await writeFileAtomic(batchFiles(batchDir).manifest, entries.map((entry) => JSON.stringify(entry) + '\n').join(''));
}

const manifestCache = new Map<string, { mtimeMs: number; entries: ManifestEntry[] }>();
const MANIFESTS_CACHED = 4;

/**
 * The manifest of a batch, parsed once per worker process: every chunk of a 100,000-document
 * batch reads its slice from memory instead of re-parsing the file.
 */
export async function readManifest(batchDir: string): Promise<ManifestEntry[]> {
  const file = batchFiles(batchDir).manifest;
  const { mtimeMs } = await stat(file);
  const cached = manifestCache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.entries;
  const entries = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => manifestEntrySchema.parse(JSON.parse(line)));
  manifestCache.delete(file);
  manifestCache.set(file, { mtimeMs, entries });
  while (manifestCache.size > MANIFESTS_CACHED) manifestCache.delete(manifestCache.keys().next().value!);
  return entries;
}
