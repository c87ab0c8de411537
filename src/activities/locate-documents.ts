import path from 'node:path';
import { readManifest } from '../store/manifest';
import type { LocateDocumentsInput, LocateDocumentsResult } from '../batch/activities';

/**
 * Finds the chunks that hold the named documents, for `prioritize`. A name matches a manifest
 * path exactly, or as its trailing path segments ("2024/inv-7.pdf") when that is unambiguous.
 */
export async function locateDocuments({ batchDir, chunkSize, documents }: LocateDocumentsInput): Promise<LocateDocumentsResult> {
  const manifest = await readManifest(batchDir);
  const chunks = new Set<number>();
  const unknown: string[] = [];
  for (const name of documents) {
    const wanted = path.normalize(name);
    const matches = manifest.filter((entry) => entry.path === wanted || entry.path.endsWith(path.sep + wanted.replace(/^[/\\]+/, '')));
    if (matches.length !== 1) {
      unknown.push(matches.length === 0 ? name : `${name} (matches ${matches.length} documents: give a longer path)`);
      continue;
    }
    chunks.add(Math.floor(matches[0]!.index / chunkSize));
  }
  return { chunks: [...chunks].sort((a, b) => a - b), unknown };
}
