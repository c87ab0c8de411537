import path from 'node:path';

/** The files of one batch, all under `<output dir>/<batch id>/`. */
export function batchFiles(batchDir: string) {
  return {
    manifest: path.join(batchDir, 'manifest.jsonl'),
    chunksDir: path.join(batchDir, 'chunks'),
    results: path.join(batchDir, 'results.jsonl'),
    resultsCsv: path.join(batchDir, 'results.csv'),
    failures: path.join(batchDir, 'failures.jsonl'),
    summary: path.join(batchDir, 'summary.json'),
    review: path.join(batchDir, 'review.jsonl'),
    reportHtml: path.join(batchDir, 'report.html'),
  };
}

/** The journal of one chunk: a line per finished document, appended as each one finishes. */
export function chunkJournalPath(batchDir: string, chunkIndex: number): string {
  return path.join(batchFiles(batchDir).chunksDir, `${String(chunkIndex).padStart(6, '0')}.jsonl`);
}

/** Batch mode's submission records of one chunk (intent, created), see message-batch-records.ts. */
export function messageBatchRecordsPath(batchDir: string, chunkIndex: number): string {
  return path.join(messageBatchRecordsDir(batchDir), `chunk-${String(chunkIndex).padStart(6, '0')}.jsonl`);
}

export function messageBatchRecordsDir(batchDir: string): string {
  return path.join(batchDir, 'message-batches');
}
