import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BatchInput } from '../batch/input';
import { isObjectUrl, objectAt, resolveLocation, storageAt } from '../storage/location';
import { knownByListing, noveltyByHash, readLedger, settingsKeyOf, type CollectionLedger, type ListedDocument, type Novelty } from '../store/collection-ledger';
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

/** One line of the collection-plan log: a planned document's identity, for the ledger and the sink's content_sha256. */
export const plannedDocumentSchema = z.object({
  key: z.string(),
  size: z.number().int().nonnegative(),
  version: z.string(),
  sha256: z.string(),
  novelty: z.enum(['new', 'changed']),
});
export type PlannedDocument = z.infer<typeof plannedDocumentSchema>;

export const COLLECTION_FILE = 'collection.json';
/** A storage log (appended as planning goes, so a retried planning attempt only adds lines; the last line of a key wins). */
export const COLLECTION_PLAN_LOG = 'collection-plan';

/** Entries judged as one group (the listing waits for a group's judgement), and judged at once: a stat, past the fast path a streamed read (as many as the listing's stats). */
const JUDGED_AT_ONCE = 256;
const JUDGED_IN_FLIGHT = 64;

export interface CollectionPlanning {
  batchId: string;
  batchDir: string;
  input: BatchInput;
  extractor: 'local' | 'anthropic';
  schemaFingerprint: string;
}

type Listed = Omit<ManifestEntry, 'index'>;

/**
 * The entries this batch extracts, as the listing streams them. A batch without a collection or a
 * sink gets its listing back untouched; otherwise collection.json is written first, and with
 * onlyNew the entries the collection holds already are left out, the identities of the rest are
 * logged for the chunks (collection-plan), and the counts are added to collection.json once the
 * listing ends. (A planning attempt that resumed a bucket listing counts only what it listed.)
 */
export async function collectionEntries(planning: CollectionPlanning, pages: AsyncIterable<Listed[]>): Promise<AsyncIterable<Listed[]>> {
  const { input } = planning;
  if (input.collection === undefined && input.sink === undefined && !input.onlyNew) return pages;
  const collection = input.collection ?? defaultCollection(input);
  const settingsKey = settingsKeyOf({ schemaFingerprint: planning.schemaFingerprint, extractor: planning.extractor, models: input.models, mode: input.mode });
  const batch = storageAt(planning.batchDir);
  const file: CollectionFile = {
    collection,
    ...(input.sink !== undefined ? { sink: input.sink } : {}),
    onlyNew: input.onlyNew,
    settingsKey,
    ledgerLocation: resolveLocation(input.outputDir),
  };
  await batch.write(COLLECTION_FILE, JSON.stringify(file, null, 2));
  if (!input.onlyNew) return pages;
  // Read while the source is listed: both take about a second per 100,000 documents.
  const ledger = readLedger(storageAt(input.outputDir), collection, settingsKey);
  ledger.catch(() => undefined);
  return onlyNew(pages, ledger, async (planned, counts) => {
    if (planned.length > 0) await batch.append(COLLECTION_PLAN_LOG, planned.map((line) => JSON.stringify(line) + '\n').join(''));
    if (counts) await batch.write(COLLECTION_FILE, JSON.stringify({ ...file, counts }, null, 2));
  });
}

/**
 * The new and changed entries of a listing's pages (and every entry with a problem, so it stays
 * visible), in listing order, a judged group at a time (never an empty page); `record` gets the
 * identities of each group kept, and the counts at the end.
 */
export async function* onlyNew(
  pages: AsyncIterable<Listed[]>,
  ledgerRead: CollectionLedger | Promise<CollectionLedger>,
  record: (planned: PlannedDocument[], counts?: Record<Novelty, number>) => Promise<void>,
): AsyncGenerator<Listed[]> {
  let ledger: CollectionLedger | undefined;
  const counts: Record<Novelty, number> = { new: 0, changed: 0, known: 0 };
  let group: Listed[] = [];
  const judge = async (): Promise<Listed[]> => {
    ledger ??= await ledgerRead;
    const judging = ledger;
    const judged = await mapBounded(group, JUDGED_IN_FLIGHT, (entry) => judgeEntry(entry, judging));
    group = [];
    const planned: PlannedDocument[] = [];
    for (const { novelty, identity } of judged) {
      counts[novelty]++;
      if (novelty === 'known') continue;
      if (identity) planned.push({ ...identity, novelty });
    }
    await record(planned);
    return judged.filter(({ novelty }) => novelty !== 'known').map(({ entry }) => entry);
  };
  for await (const page of pages) {
    group.push(...page);
    if (group.length < JUDGED_AT_ONCE) continue;
    const kept = await judge();
    if (kept.length > 0) yield kept;
  }
  const kept = await judge();
  if (kept.length > 0) yield kept;
  await record([], counts);
}

async function judgeEntry(entry: Listed, ledger: CollectionLedger): Promise<{ entry: Listed; novelty: Novelty; identity: Omit<PlannedDocument, 'novelty'> | null }> {
  const document = entry.problem ? null : await listedDocument(entry);
  // An entry with a problem, or gone since it was listed: its chunk fails it with the reason, as any batch would.
  if (!document) return { entry, novelty: 'new', identity: null };
  if (knownByListing(document, ledger)) return { entry, novelty: 'known', identity: null };
  const sha256 = await contentSha256(entry.path).catch(() => null);
  if (sha256 === null) return { entry, novelty: 'new', identity: null };
  return { entry, novelty: noveltyByHash(document, sha256, ledger), identity: { key: document.key, size: document.size, version: document.version ?? '', sha256 } };
}

/** Size and version of a listed document: the bucket's ETag (listed with it), or the file's mtime. */
async function listedDocument(entry: Listed): Promise<ListedDocument | null> {
  if (entry.version !== undefined) return { key: entry.path, size: entry.sizeBytes, version: entry.version };
  // Storage's own version (size and mtime on disk), so the ledger and a conditional read agree on what "changed" means.
  const { storage, key } = objectAt(entry.path);
  const info = await storage.stat(key).catch(() => null);
  return info ? { key: entry.path, size: info.size, version: info.version } : null;
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
  const { source } = input;
  const name = 'dir' in source ? path.basename(source.dir) : 'url' in source ? source.url.replace(/\/+$/, '').replace(/^.*\//, '') : path.basename(source.manifest).replace(/\.[^.]*$/, '');
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'default';
}
