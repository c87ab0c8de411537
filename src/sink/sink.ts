import type { DocumentResult } from '../store/document-result';

/**
 * Where each document's result goes besides the batch's own files, the moment its chunk journals
 * it (ChunkAttempt.record). A sink's writes are idempotent: a retried chunk, a killed worker or a
 * redrive writes the same document again, and the sink keeps one current row per (collection,
 * document) however often that happens.
 */
export interface ResultSink {
  /** Writes these results of one chunk attempt; rejects when they are not durably written (the attempt then fails and is retried). */
  write(documents: readonly SunkDocument[]): Promise<void>;
}

/** One journaled result and what identifies it in its collection. */
export interface SunkDocument {
  result: DocumentResult;
  batchId: string;
  collection: string;
  /** SHA-256 of the document's bytes, when known (planned by the collection ledger, or read by the sink). */
  contentSha256: string | null;
}

/**
 * Writes that arrive while one is under way go out together next, as one statement: documents
 * finishing faster than the database takes them one by one cost one round trip per group.
 */
export class GroupedWrites<T> {
  private queued: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly writeGroup: (items: T[]) => Promise<void>) {}

  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const group = this.queued;
      this.queued = [];
      try {
        await this.writeGroup(group.map(({ item }) => item));
        for (const { resolve } of group) resolve();
      } catch (error) {
        for (const { reject } of group) reject(error);
      }
    }
    this.writing = undefined;
  }
}
