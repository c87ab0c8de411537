import { createHash } from 'node:crypto';
import { z } from 'zod';
import { joinKey, type Storage } from '../storage/storage';

/**
 * What a collection holds: every document an earlier batch of the collection extracted (succeeded)
 * with the same schema and settings, by its path or key, size, version (mtime on disk, the ETag in
 * a bucket) and content hash. It is an append-only log in the output storage
 * (`collections/<collection>/ledger/<settingsKey>.log`), so every worker of every batch shares it
 * and concurrent appends never lose a line (Storage.append). A document's last line wins.
 *
 * Planning asks it, for each listed entry, whether the document is new, changed or already known:
 * the fast path compares (key, size, version) and reads nothing; only entries that fail it are
 * hashed, and a hash the collection holds (the same bytes under a new name, a touched file) is
 * known too.
 */

export const ledgerLineSchema = z.object({
  key: z.string(),
  size: z.number().int().nonnegative(),
  version: z.string(),
  sha256: z.string(),
  batchId: z.string(),
  /** When it was extracted (epoch ms). */
  at: z.number(),
});
export type LedgerLine = z.infer<typeof ledgerLineSchema>;

export interface CollectionLedger {
  byKey: ReadonlyMap<string, LedgerLine>;
  hashes: ReadonlySet<string>;
}

/** An entry of a source as listed: what the fast path compares. */
export interface ListedDocument {
  key: string;
  size: number;
  /** mtime (disk) or ETag (bucket); null when the listing could not say (then the entry is hashed). */
  version: string | null;
}

export type Novelty = 'new' | 'changed' | 'known';

export const emptyLedger: CollectionLedger = { byKey: new Map(), hashes: new Set() };

/** The fast path: known without reading it when the ledger holds this key at this size and version; else it must be hashed. */
export function knownByListing(entry: ListedDocument, ledger: CollectionLedger): boolean {
  const line = ledger.byKey.get(entry.key);
  return line !== undefined && entry.version !== null && line.size === entry.size && line.version === entry.version;
}

/** The slow path, with the content hash: known (same bytes anywhere in the collection), changed (its key holds other bytes), or new. */
export function noveltyByHash(entry: ListedDocument, sha256: string, ledger: CollectionLedger): Novelty {
  if (ledger.hashes.has(sha256)) return 'known';
  return ledger.byKey.has(entry.key) ? 'changed' : 'new';
}

/** Names are path segments: letters, digits, '.', '_' and '-'. */
export const collectionNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function ledgerKey(collection: string, settingsKey: string): string {
  return joinKey('collections', collection, 'ledger', `${settingsKey}.log`);
}

/**
 * What "the same schema and settings" means: the schema's fingerprint, the extractor and, for
 * Claude, the models and the mode. 16 hex digits of their SHA-256.
 */
export function settingsKeyOf(settings: { schemaFingerprint: string; extractor: string; models?: unknown; mode?: string }): string {
  const relevant = settings.extractor === 'local' ? { s: settings.schemaFingerprint, e: 'local' } : { s: settings.schemaFingerprint, e: settings.extractor, m: settings.models, mode: settings.mode };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

export function parseLedger(text: string): CollectionLedger {
  const byKey = new Map<string, LedgerLine>();
  const hashes = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed;
    try {
      parsed = ledgerLineSchema.safeParse(JSON.parse(line));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    byKey.set(parsed.data.key, parsed.data);
    hashes.add(parsed.data.sha256);
  }
  return { byKey, hashes };
}

export async function readLedger(storage: Storage, collection: string, settingsKey: string): Promise<CollectionLedger> {
  const { text } = await storage.readLog(ledgerKey(collection, settingsKey));
  return parseLedger(text);
}

/** Records documents a batch extracted; durable before it returns, so a crash right after cannot forget them. */
export async function appendToLedger(storage: Storage, collection: string, settingsKey: string, lines: readonly LedgerLine[]): Promise<void> {
  if (lines.length === 0) return;
  await storage.append(ledgerKey(collection, settingsKey), lines.map((line) => JSON.stringify(line) + '\n').join(''), { durable: true });
}
