import { loadSchema } from '../extraction/schemas/load';
import type { SchemaReference } from '../extraction/schemas';
import { storageAt } from '../storage/location';
import { readText, type Storage } from '../storage/storage';
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
  if (batch.file.onlyNew) sinks.push(ledgerSink(batch, target.batchId));
  if (sinks.length === 0) return undefined;

  const identify = async (result: DocumentResult): Promise<SunkDocument> => ({
    result,
    batchId: target.batchId,
    collection: batch.file.collection,
    contentSha256: (await batch.identity(result.path))?.sha256 ?? (batch.file.sink !== undefined && result.status !== 'not_processed' ? await contentSha256(result.path).catch(() => null) : null),
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
function ledgerSink(batch: BatchCollection, batchId: string): ResultSink {
  const { file } = batch;
  const storage = storageAt(file.ledgerLocation);
  return {
    write: async (documents) => {
      const lines: LedgerLine[] = [];
      for (const { result } of documents) {
        const identity = await batch.identity(result.path);
        if (result.status === 'succeeded' && identity) lines.push({ key: identity.key, size: identity.size, version: identity.version, sha256: identity.sha256, batchId, at: result.finishedAt ?? Date.now() });
      }
      await appendToLedger(storage, file.collection, file.settingsKey, lines);
    },
  };
}

/**
 * A batch's collection settings and the identities planning logged. Chunks start while planning
 * still lists (and logs), so a document not found yet is looked up again in what was logged since.
 */
class BatchCollection {
  private readonly planned = new Map<string, PlannedDocument>();
  private position: string | undefined;
  private reading: Promise<void> | undefined;

  constructor(
    readonly file: CollectionFile,
    private readonly storage: Storage,
  ) {}

  async identity(key: string): Promise<PlannedDocument | undefined> {
    if (!this.file.onlyNew) return undefined;
    if (!this.planned.has(key)) await this.readNew();
    return this.planned.get(key);
  }

  /** Reads what was logged since the last read; concurrent callers share one read. */
  readNew(): Promise<void> {
    this.reading ??= (async () => {
      try {
        const { text, position } = await this.storage.readLog(COLLECTION_PLAN_LOG, this.position);
        this.position = position;
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const document = plannedDocumentSchema.parse(JSON.parse(line));
          this.planned.set(document.key, document);
        }
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
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
  return new BatchCollection(collectionFileSchema.parse(JSON.parse(text)), storage);
}
