import path from 'node:path';
import { manifestEntries, type ManifestEntry } from '../store/manifest';
import { chunkCountOf } from '../batch/chunks';
import type { LocateDocumentsInput, LocateDocumentsResult } from '../batch/activities';

/**
 * Finds the chunks that hold the named documents, for `prioritize`. A name matches a manifest
 * path exactly, or as its trailing path segments ("2024/inv-7.pdf") when that is unambiguous.
 */
export async function locateDocuments({ batchDir, chunkSize, total, documents }: LocateDocumentsInput): Promise<LocateDocumentsResult> {
  const wanted = documents.map((name) => ({ name, path: path.normalize(name), suffix: path.sep + path.normalize(name).replace(/^[/\\]+/, ''), matches: [] as ManifestEntry[] }));
  // One pass over the manifest, a chunk's part at a time; at most two matches per name are kept.
  for await (const entry of manifestEntries(batchDir, chunkSize, total === undefined ? Infinity : chunkCountOf(total, chunkSize))) {
    for (const name of wanted) if (name.matches.length < 2 && (entry.path === name.path || entry.path.endsWith(name.suffix))) name.matches.push(entry);
  }
  const chunks = new Set<number>();
  const unknown: string[] = [];
  for (const { name, matches } of wanted) {
    if (matches.length !== 1) {
      unknown.push(matches.length === 0 ? name : `${name} (matches several documents: give a longer path)`);
      continue;
    }
    chunks.add(Math.floor(matches[0]!.index / chunkSize));
  }
  return { chunks: [...chunks].sort((a, b) => a - b), unknown };
}
