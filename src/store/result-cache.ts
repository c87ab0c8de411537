import { createHash } from 'node:crypto';
import { z } from 'zod';
import { storageAt } from '../storage/location';
import type { Storage } from '../storage/storage';

/**
 * Extraction results keyed by the document's content hash and the extraction settings, so a
 * re-run over the same documents (or the same invoice under another name) costs nothing.
 */
const cachedExtractionSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  model: z.string(),
  warnings: z.array(z.string()).optional(),
  needsReview: z.boolean().optional(),
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

/** The cache in a folder or a bucket prefix (`s3://…`: a fleet of workers shares it). */
export function createFileResultCache(location: string): ResultCache {
  return createStorageResultCache(storageAt(location));
}

export function createStorageResultCache(storage: Storage): ResultCache {
  const keyFor = (key: string) => `${key.slice(0, 2)}/${key}.json`;
  return {
    async get(key) {
      // A cache that cannot be read is a miss, never a failed document.
      const bytes = await storage.read(keyFor(key)).catch(() => null);
      if (bytes === null) return null;
      try {
        const parsed = cachedExtractionSchema.safeParse(JSON.parse(bytes.toString('utf8')));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    async set(key, value) {
      await storage.write(keyFor(key), JSON.stringify(value));
    },
  };
}
