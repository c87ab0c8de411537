import { locationJoin, storageAt } from '../storage/location';
import type { Storage } from '../storage/storage';

/**
 * The files of one batch, as keys of its storage: `<output>/<batch id>/` on disk or in a bucket.
 * Every store module names a batch file through these, never by hand.
 */
export const batchKeys = {
  /** The whole manifest, in manifest order: written by the report for people and for `source.manifest` (planning writes parts). */
  manifest: 'manifest.jsonl',
  /** Chunk `chunk`'s documents, written by planning as the source is listed: a chunk reads only its own. */
  manifestPart: (chunk: number) => `manifest/${pad(chunk)}.jsonl`,
  manifestParts: 'manifest',
  /** The chunk size planning chose (when the input named none): a retried planning attempt keeps it. */
  chunkSize: 'manifest/chunk-size.json',
  /** The journal of one chunk: a line per finished document, appended as each one finishes. */
  chunkJournal: (chunk: number) => `chunks/${pad(chunk)}.jsonl`,
  chunks: 'chunks',
  /** Batch mode's submission records of one chunk (intent, created), see message-batch-records.ts. */
  messageBatchRecords: (chunk: number) => `message-batches/chunk-${pad(chunk)}.jsonl`,
  messageBatchRecordsDir: 'message-batches',
  results: 'results.jsonl',
  resultsCsv: 'results.csv',
  failures: 'failures.jsonl',
  summary: 'summary.json',
  review: 'review.jsonl',
  reportHtml: 'report.html',
  /** The seed examples the batch learns from, as planning read them from the store (written once). */
  examples: 'examples.json',
} as const;

function pad(chunk: number): string {
  return String(chunk).padStart(6, '0');
}

/** Where each output of a batch is, as paths or `s3://` URLs: for people, summary.json and tests. */
export function batchFiles(batchDir: string) {
  const at = (key: string) => locationJoin(batchDir, key);
  return {
    manifest: at(batchKeys.manifest),
    chunksDir: at(batchKeys.chunks),
    results: at(batchKeys.results),
    resultsCsv: at(batchKeys.resultsCsv),
    failures: at(batchKeys.failures),
    summary: at(batchKeys.summary),
    review: at(batchKeys.review),
    reportHtml: at(batchKeys.reportHtml),
  };
}

export function chunkJournalPath(batchDir: string, chunkIndex: number): string {
  return locationJoin(batchDir, batchKeys.chunkJournal(chunkIndex));
}

export function messageBatchRecordsPath(batchDir: string, chunkIndex: number): string {
  return locationJoin(batchDir, batchKeys.messageBatchRecords(chunkIndex));
}

const storages = new Map<string, Storage>();
const STORAGES_KEPT = 16;

/**
 * The storage of a batch (`batchDir` is the location planning returned: a path or an `s3://`
 * URL), one per batch per process, so its knowledge of the logs it appends to is reused.
 */
export function batchStorage(batchDir: string): Storage {
  let storage = storages.get(batchDir);
  if (storage) {
    storages.delete(batchDir);
  } else {
    storage = storageAt(batchDir);
  }
  storages.set(batchDir, storage);
  while (storages.size > STORAGES_KEPT) storages.delete(storages.keys().next().value!);
  return storage;
}
