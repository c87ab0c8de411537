import { loadSchema } from '../extraction/schemas/load';
import type { SchemaReference } from '../extraction/schemas';
import { storageAt } from '../storage/location';
import { readText } from '../storage/storage';
import { appendToLedger, type LedgerLine } from '../store/collection-ledger';
import type { DocumentResult } from '../store/document-result';
import { COLLECTION_FILE, COLLECTION_PLAN_LOG, collectionFileSchema, contentSha256, plannedDocumentSchema, type CollectionFile, type PlannedDocument } from '../activities/plan-collection';
import { faultPoint, faultPointArmed } from '../activities/fault-point';
import { postgresSinkFor } from './postgres';
import { GroupedWrites, type ResultSink, type SunkDocument } from './sink';

/**
 * What a chunk attempt does with each result it journals, beyond the journal: the batch's sink
 * (PostgreSQL) gets its row, and with onlyNew the collection's ledger learns the document. Both
 * come from the batch's collection.json (written by planning), so a batch without one costs a
 * chunk one read and nothing per document.
 *
 * A result is journaled first and sunk right after; a worker killed in between leaves it in the
 * journal only, so every attempt first writes what the journal already holds (`open`): the writes
 * are idempotent, and no journaled document is ever missing from the sink.
 */
export interface ChunkSink {
  /** Sinks one journaled result; rejects when it is not written (the attempt fails and is retried). */
  write(result: DocumentResult): Promise<void>;
}

export interface ChunkSinkTarget {
  batchId: string;
  batchDir: string;
  settings: { schema: SchemaReference };
}

/** The chunk's sink with what the journal holds already written, or undefined when the batch has no collection. */
export async function openChunkSink(target: ChunkSinkTarget, journaled: Iterable<DocumentResult>): Promise<ChunkSink | undefined> {
  const batch = await batchCollection(target.batchDir);
  if (!batch) return undefined;
  const sinks: ResultSink[] = [];
  if (batch.file.sink !== undefined) sinks.push(await postgresSinkFor(batch.file.sink, await loadSchema(target.settings.schema)));
  if (batch.file.onlyNew) sinks.push(ledgerSink(batch.file, target.batchId, batch.planned));
  if (sinks.length === 0) return undefined;

  const identify = async (result: DocumentResult): Promise<SunkDocument> => ({
    result,
    batchId: target.batchId,
    collection: batch.file.collection,
    contentSha256: batch.planned.get(result.path)?.sha256 ?? (batch.file.sink !== undefined && result.status !== 'not_processed' ? await contentSha256(result.path).catch(() => null) : null),
  });
  const writes = new GroupedWrites<SunkDocument>(async (documents) => {
    for (const sink of sinks) await sink.write(documents);
  });
  const already = await Promise.all([...journaled].map(identify));
  if (already.length > 0) for (const sink of sinks) await sink.write(already);
  return {
    write: async (result) => {
      if (faultPointArmed('sink:after-journal') && ++sunkInProcess === 5) faultPoint('sink:after-journal');
      await writes.write(await identify(result));
    },
  };
}

/** The ledger learns each document a batch extracted (succeeded), under the identity planning gave it. */
function ledgerSink(file: CollectionFile, batchId: string, planned: ReadonlyMap<string, PlannedDocument>): ResultSink {
  const storage = storageAt(file.ledgerLocation);
  return {
    write: async (documents) => {
      const lines: LedgerLine[] = [];
      for (const { result } of documents) {
        const identity = planned.get(result.path);
        if (result.status === 'succeeded' && identity) lines.push({ key: identity.key, size: identity.size, version: identity.version, sha256: identity.sha256, batchId, at: result.finishedAt ?? Date.now() });
      }
      await appendToLedger(storage, file.collection, file.settingsKey, lines);
    },
  };
}

interface BatchCollection {
  file: CollectionFile;
  planned: ReadonlyMap<string, PlannedDocument>;
}

/** Results this process has sunk: the kill point waits for a few, so it lands in the middle of a chunk. */
let sunkInProcess = 0;

const cache = new Map<string, Promise<BatchCollection | null>>();
const BATCHES_CACHED = 8;

/** A batch's collection.json and planned identities, read once per worker process. */
function batchCollection(batchDir: string): Promise<BatchCollection | null> {
  let found = cache.get(batchDir);
  if (!found) {
    found = readBatchCollection(batchDir);
    cache.set(batchDir, found);
    found.catch(() => cache.delete(batchDir));
    while (cache.size > BATCHES_CACHED) cache.delete(cache.keys().next().value!);
  }
  return found;
}

async function readBatchCollection(batchDir: string): Promise<BatchCollection | null> {
  const storage = storageAt(batchDir);
  const text = await readText(storage, COLLECTION_FILE);
  if (text === null) return null;
  const file = collectionFileSchema.parse(JSON.parse(text));
  const planned = new Map<string, PlannedDocument>();
  if (file.onlyNew) {
    for (const line of (await storage.readLog(COLLECTION_PLAN_LOG)).text.split('\n')) {
      if (line === '') continue;
      const document = plannedDocumentSchema.parse(JSON.parse(line));
      planned.set(document.key, document);
    }
  }
  return { file, planned };
}
