import { createHash } from 'node:crypto';
import { issuerKey } from '../extraction/examples/issuer';
import {
  examplesPerIssuer,
  examplesSnapshotSchema,
  issuerExamplesSchema,
  snapshotIssuers,
  type ExamplesSnapshot,
  type IssuerExamples,
  type SeedExample,
} from '../extraction/examples/example';
import { parentLocation, storageAt } from '../storage/location';
import { joinKey, readText, type Storage } from '../storage/storage';
import { batchKeys } from './paths';

/**
 * The store of seed examples: under an output location (a path or `s3://bucket/prefix`, beside
 * the batches and `collections/`), one object per schema and issuer,
 * `examples/<schema>/<issuer key>.json`, holding that issuer's last few corrected documents. Only
 * the Storage contract is used, so a fleet that shares no disk shares a bucket's store.
 *
 * Writes are read-modify-write of one small object: two reviews correcting the same issuer at the
 * same moment may lose one of the two examples (never corrupt the object); the next correction of
 * that issuer brings it back to date.
 */
export function examplesKey(schema: string, key: string): string {
  return joinKey('examples', safeSegment(schema), `${key}.json`);
}

/** The one decision of where a review records its corrections: the output location its batch was written to. */
export function examplesLocationOfBatch(batchLocation: string): string {
  return parentLocation(batchLocation.replace(/\/+$/, ''));
}

export async function readIssuerExamples(storage: Storage, schema: string, key: string): Promise<IssuerExamples | null> {
  const text = await readText(storage, examplesKey(schema, key));
  if (text === null) return null;
  const parsed = issuerExamplesSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export interface ExamplesChange {
  /** Examples to keep (a correction of a document replaces that document's earlier example). */
  add: SeedExample[];
  /** Documents of a batch whose examples go (reopened, or no longer corrected). */
  drop?: { batchId: string; documents: readonly number[] };
}

/**
 * Records examples: per issuer, its examples with these added and the dropped ones removed, the
 * newest `examplesPerIssuer` kept. An issuer's object is written only when it changes, so
 * recording the same examples again (an activity retried, a review refreshed) writes nothing.
 * Returns the issuer keys written.
 */
export async function recordExamples(storage: Storage, schema: string, change: ExamplesChange, touched: readonly string[] = []): Promise<string[]> {
  const byIssuer = new Map<string, SeedExample[]>();
  for (const example of change.add) {
    const key = issuerKey(example.issuer);
    if (key !== null) byIssuer.set(key, [...(byIssuer.get(key) ?? []), example]);
  }
  for (const key of touched) if (!byIssuer.has(key)) byIssuer.set(key, []);
  const written: string[] = [];
  for (const [key, added] of byIssuer) {
    const before = await readIssuerExamples(storage, schema, key);
    const next = mergeExamples(before?.examples ?? [], added, change.drop);
    if (JSON.stringify(next) === JSON.stringify(before?.examples ?? [])) continue;
    if (next.length === 0) {
      await storage.delete(examplesKey(schema, key));
    } else {
      const object: IssuerExamples = { issuer: next[0]!.issuer, key, schema, examples: next };
      await storage.write(examplesKey(schema, key), JSON.stringify(object, null, 1) + '\n');
    }
    written.push(key);
  }
  return written;
}

/** An issuer's examples after a change: one per document, newest first, at most `examplesPerIssuer`. Pure. */
export function mergeExamples(current: readonly SeedExample[], added: readonly SeedExample[], drop?: ExamplesChange['drop']): SeedExample[] {
  const sameDocument = (a: SeedExample, b: SeedExample) => a.batchId === b.batchId && a.document === b.document;
  const dropped = (example: SeedExample) => drop !== undefined && example.batchId === drop.batchId && drop.documents.includes(example.document);
  const kept = current.filter((example) => !dropped(example) && !added.some((other) => sameDocument(example, other)));
  return [...kept, ...added]
    .sort((a, b) => (a.correctedAt < b.correctedAt ? 1 : a.correctedAt > b.correctedAt ? -1 : a.correctionId < b.correctionId ? 1 : -1))
    .slice(0, examplesPerIssuer);
}

/**
 * The store as a batch learns from it: every issuer's examples for `schema`, the most recently
 * corrected issuers first, at most `snapshotIssuers`. An empty store is an empty snapshot (a batch
 * may be set up to learn before anyone corrected anything).
 */
export async function takeSnapshot(location: string, schema: string, now = new Date()): Promise<ExamplesSnapshot> {
  const storage = storageAt(location);
  const prefix = joinKey('examples', safeSegment(schema)) + '/';
  const objects = [];
  // A bucket lists by name prefix: `examples/invoice` would also list `examples/invoices/…`.
  for await (const object of storage.list(prefix)) if (object.key.startsWith(prefix) && object.key.endsWith('.json')) objects.push(object);
  const issuers: IssuerExamples[] = [];
  for (const object of objects) {
    const text = await readText(storage, object.key);
    const parsed = text === null ? null : issuerExamplesSchema.safeParse(JSON.parse(text));
    if (parsed?.success && parsed.data.examples.length > 0) issuers.push(parsed.data);
  }
  const newest = (issuer: IssuerExamples) => issuer.examples[0]!.correctedAt;
  issuers.sort((a, b) => (newest(a) < newest(b) ? 1 : newest(a) > newest(b) ? -1 : a.key < b.key ? -1 : 1));
  const kept = issuers.slice(0, snapshotIssuers);
  const fingerprint = createHash('sha256').update(JSON.stringify(kept)).digest('hex').slice(0, 16);
  return examplesSnapshotSchema.parse({ from: storage.location, schema, fingerprint, takenAt: now.toISOString(), issuers: kept });
}

/**
 * The batch's snapshot of the store: taken once, at planning, and kept (a retried planning keeps the
 * first one), so every chunk of the batch learns from the same examples.
 */
export async function snapshotForBatch(batch: Storage, location: string, schema: string): Promise<ExamplesSnapshot> {
  const existing = await readBatchSnapshot(batch);
  if (existing !== null) return existing;
  const snapshot = await takeSnapshot(location, schema);
  await batch.write(batchKeys.examples, JSON.stringify(snapshot) + '\n');
  return snapshot;
}

export async function readBatchSnapshot(batch: Storage): Promise<ExamplesSnapshot | null> {
  const text = await readText(batch, batchKeys.examples);
  return text === null ? null : examplesSnapshotSchema.parse(JSON.parse(text));
}

function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-') || 'schema';
}
