import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file';

/**
 * Extraction results keyed by the document's content hash and the extraction settings, so a
 * re-run over the same documents (or the same invoice under another name) costs nothing.
 */
const cachedExtractionSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  model: z.string(),
  warnings: z.array(z.string()).optional(),
});
export type CachedExtraction = z.infer<typeof cachedExtractionSchema>;

export interface ResultCache {
  get(key: string): Promise<CachedExtraction | null>;
  set(key: string, value: CachedExtraction): Promise<void>;
}

/** The document's bytes, the schema's fingerprint (schemas/fingerprint.ts) and the extractor's settings. */
export function resultCacheKey(bytes: Uint8Array, schemaFingerprint: string, settingsKey: string): string {
  return createHash('sha256').update(bytes).update('\0').update(schemaFingerprint).update('\0').update(settingsKey).digest('hex');
}

export function createFileResultCache(dir: string): ResultCache {
  const fileFor = (key: string) => path.join(dir, key.slice(0, 2), `${key}.json`);
  return {
    async get(key) {
      const text = await readFile(fileFor(key), 'utf8').catch(() => null);
      if (text === null) return null;
      try {
        const parsed = cachedExtractionSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    async set(key, value) {
      await writeFileAtomic(fileFor(key), JSON.stringify(value));
    },
  };
}
