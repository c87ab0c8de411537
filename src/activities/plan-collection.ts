import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BatchInput } from '../batch/input';
import { isObjectUrl, objectAt, storageAt } from '../storage/location';
import { emptyLedger, knownByListing, noveltyByHash, readLedger, settingsKeyOf, type CollectionLedger, type ListedDocument, type Novelty } from '../store/collection-ledger';
import type { ManifestEntry } from '../store/manifest';
import { mapBounded } from '../store/source-listing';

/**
 * The planning side of collections: which listed documents a batch extracts when it runs with
 * `onlyNew` (the rest are left out of its manifest), and the batch's collection settings written
 * beside its manifest (`collection.json`), where its chunks find the sink and the ledger
 * (src/sink/chunk-sink.ts) without anything new in the workflow's history.
 */

export const collectionFileSchema = z.object({
  collection: z.string(),
  /** The sink's database reference (no password), or absent. */
  sink: z.string().optional(),
  onlyNew: z.boolean(),
  /** The ledger's settings key (collection-ledger.ts) and the output location it lives under. */
  settingsKey: z.string(),
  ledgerLocation: z.string(),
  /** Planned documents by novelty (with onlyNew), for the summary. */
  counts: z.object({ new: z.number().int(), changed: z.number().int(), known: z.number().int() }).optional(),
});
export type CollectionFile = z.infer<typeof collectionFileSchema>;

/** One line of collection-plan.jsonl: a planned document's identity, for the ledger and the sink's content_sha256. */
export const plannedDocumentSchema = z.object({
  index: z.number().int().nonnegative(),
  key: z.string(),
  size: z.number().int().nonnegative(),
  version: z.string(),
  sha256: z.string(),
  novelty: z.enum(['new', 'changed']),
});
export type PlannedDocument = z.infer<typeof plannedDocumentSchema>;

export const COLLECTION_FILE = 'collection.json';
export const COLLECTION_PLAN_FILE = 'collection-plan.jsonl';

/** Documents hashed at once while planning: reads, bounded like the listing's stats. */
const HASHES_IN_FLIGHT = 16;

export interface CollectionPlanning {
  batchId: string;
  batchDir: string;
  input: BatchInput;
  extractor: 'local' | 'anthropic';
  schemaFingerprint: string;
}

/**
 * The entries this batch extracts, re-indexed; writes collection.json (and with onlyNew the planned
 * identities). A batch without a collection or a sink gets its entries back untouched.
 */
export async function planCollection(planning: CollectionPlanning, entries: ManifestEntry[]): Promise<ManifestEntry[]> {
  const { input } = planning;
  if (input.collection === undefined && input.sink === undefined && !input.onlyNew) return entries;
  const collection = input.collection ?? defaultCollection(input);
  const settingsKey = settingsKeyOf({ schemaFingerprint: planning.schemaFingerprint, extractor: planning.extractor, models: input.models, mode: input.mode });
  const batch = storageAt(planning.batchDir);
  const file: CollectionFile = {
    collection,
    ...(input.sink !== undefined ? { sink: input.sink } : {}),
    onlyNew: input.onlyNew,
    settingsKey,
    ledgerLocation: input.outputDir,
  };
  if (!input.onlyNew) {
    await batch.write(COLLECTION_FILE, JSON.stringify(file, null, 2));
    return entries;
  }
  const ledger = await readLedger(storageAt(input.outputDir), collection, settingsKey);
  const { kept, planned, counts } = await selectNew(entries, ledger);
  await batch.writeLines(COLLECTION_PLAN_FILE, async (write) => {
    for (const line of planned) await write(JSON.stringify(line) + '\n');
  });
  await batch.write(COLLECTION_FILE, JSON.stringify({ ...file, counts }, null, 2));
  return kept;
}

/** The new and changed entries (and every entry with a problem, so it stays visible), each with its identity. */
export async function selectNew(entries: ManifestEntry[], ledger: CollectionLedger = emptyLedger) {
  const listed = await mapBounded(entries, HASHES_IN_FLIGHT * 4, async (entry) => (entry.problem ? null : await listedDocument(entry)));
  const counts: Record<Novelty, number> = { new: 0, changed: 0, known: 0 };
  const judged = await mapBounded(entries.map((entry, i) => ({ entry, document: listed[i] })), HASHES_IN_FLIGHT, async ({ entry, document }) => {
    if (!document) return { entry, novelty: 'new' as const, identity: null };
    if (knownByListing(document, ledger)) return { entry, novelty: 'known' as const, identity: null };
    const sha256 = await contentSha256(entry.path).catch(() => null);
    // Unreadable now: its chunk fails it with the reason, as any batch would.
    if (sha256 === null) return { entry, novelty: 'new' as const, identity: null };
    return { entry, novelty: noveltyByHash(document, sha256, ledger), identity: { ...document, version: document.version ?? '', sha256 } };
  });
  const kept: ManifestEntry[] = [];
  const planned: PlannedDocument[] = [];
  for (const { entry, novelty, identity } of judged) {
    counts[novelty]++;
    if (novelty === 'known') continue;
    const index = kept.length;
    kept.push({ ...entry, index });
    if (identity) planned.push({ index, key: identity.key, size: identity.size, version: identity.version, sha256: identity.sha256, novelty });
  }
  return { kept, planned, counts };
}

/** Size and version of a listed document: the bucket's ETag, or the file's mtime. */
async function listedDocument(entry: ManifestEntry): Promise<ListedDocument | null> {
  if (isObjectUrl(entry.path)) {
    const { storage, key } = objectAt(entry.path);
    const info = await storage.stat(key).catch(() => null);
    return info ? { key: entry.path, size: info.size, version: info.version } : null;
  }
  const info = await stat(entry.path).catch(() => null);
  return info ? { key: entry.path, size: info.size, version: String(info.mtimeMs) } : null;
}

/** SHA-256 of a document's bytes, streamed (a file) or read whole (an object). */
export async function contentSha256(location: string): Promise<string> {
  const hash = createHash('sha256');
  if (isObjectUrl(location)) {
    const { storage, key } = objectAt(location);
    const bytes = await storage.read(key);
    if (bytes === null) throw new Error(`${location} does not exist`);
    return hash.update(bytes).digest('hex');
  }
  for await (const chunk of createReadStream(location)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A batch without a named collection keeps its rows under its source's name. */
function defaultCollection(input: BatchInput): string {
  const name = 'dir' in input.source ? path.basename(input.source.dir) : path.basename(input.source.manifest).replace(/\.[^.]*$/, '');
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'default';
}
