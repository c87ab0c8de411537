import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { z } from 'zod';
import type { BatchInput } from '../batch/input';
import { writeFileAtomic } from './atomic-file';
import { batchFiles } from './paths';

/** One line of manifest.jsonl: a document of the batch, in processing order. */
export const manifestEntrySchema = z.object({
  index: z.number().int().nonnegative(),
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** Lists the documents of a source in a deterministic order. Paths are absolute. */
export async function listSource(source: BatchInput['source'], order: BatchInput['order']): Promise<ManifestEntry[]> {
  const paths = 'dir' in source ? await listDirectory(source) : await listManifestFile(source.manifest);
  const sized = await mapBounded(paths, STATS_IN_FLIGHT, async (file) => ({ path: file, sizeBytes: await sizeOf(file) }));
  return sortDocuments(sized, order).map((entry, index) => ({ index, ...entry }));
}

/**
 * stat calls in flight while listing. Unbounded (one promise per file at once) a 100,000-document
 * source took about 400 MB of worker RSS and twice as long: the thread pool runs 4 at a time anyway.
 */
const STATS_IN_FLIGHT = 64;

async function mapBounded<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

export function sortDocuments<T extends { path: string; sizeBytes: number }>(documents: T[], order: BatchInput['order']): T[] {
  const byPath = (a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const sorted = [...documents];
  if (order === 'path') return sorted.sort(byPath);
  const direction = order === 'largest' ? -1 : 1;
  return sorted.sort((a, b) => direction * (a.sizeBytes - b.sizeBytes) || byPath(a, b));
}

async function listDirectory(source: { dir: string; include: string[]; exclude: string[] }): Promise<string[]> {
  const dir = path.resolve(source.dir);
  const info = await stat(dir).catch(() => null);
  if (!info) throw new SourceError(`source.dir ${dir} does not exist: pass an existing directory`);
  if (!info.isDirectory()) throw new SourceError(`source.dir ${dir} is not a directory: pass the folder that holds the documents`);
  return glob(source.include, { cwd: dir, ignore: source.exclude, absolute: true, onlyFiles: true, dot: false });
}

/** A manifest file lists one path per line, or is a manifest.jsonl of an earlier batch. */
async function listManifestFile(file: string): Promise<string[]> {
  const manifestPath = path.resolve(file);
  const text = await readFile(manifestPath, 'utf8').catch(() => {
    throw new SourceError(`source.manifest ${manifestPath} cannot be read: pass a file that lists one document path per line`);
  });
  const base = path.dirname(manifestPath);
  const paths = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (line.startsWith('{') ? String((JSON.parse(line) as { path?: unknown }).path ?? '') : line))
    .filter((line) => line !== '')
    .map((line) => path.resolve(base, line));
  return [...new Set(paths)];
}

async function sizeOf(file: string): Promise<number> {
  // A document that vanished after listing is planned with size 0 and fails later with not_found.
  return (await stat(file).catch(() => null))?.size ?? 0;
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
