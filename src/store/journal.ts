import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { documentResultSchema, type DocumentResult } from './document-result';

/**
 * A chunk's journal is the per-document checkpoint: each finished document is appended as one
 * line the moment it finishes, so a retried chunk extracts only what is not there yet. Lines are
 * keyed by manifest index; if two attempts raced on the same document, the first line wins.
 */
export async function appendToJournal(journal: string, result: DocumentResult): Promise<void> {
  await mkdir(path.dirname(journal), { recursive: true });
  await appendLine(journal, journalLine(result));
}

function journalLine(result: DocumentResult): string {
  return JSON.stringify(result) + '\n';
}

/** One write of one line with O_APPEND: concurrent appenders never interleave within a line. */
function appendLine(journal: string, line: string): Promise<void> {
  return appendFile(journal, line);
}

export async function readJournal(journal: string): Promise<Map<number, DocumentResult>> {
  const text = await readFile(journal, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const results = new Map<number, DocumentResult>();
  for (const line of text.split('\n')) {
    const result = parseJournalLine(line);
    if (result && !results.has(result.index)) results.set(result.index, result);
  }
  return results;
}

/** A worker killed mid-write leaves a torn last line: it is ignored and that document is redone. */
function parseJournalLine(line: string): DocumentResult | null {
  if (line.trim() === '') return null;
  try {
    const parsed = documentResultSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * One chunk attempt's view of its journal, kept fresh: another attempt of the same chunk (a timed
 * out attempt whose worker is still alive) may append to it meanwhile, so `has` re-reads the file
 * whenever its size is not what this attempt last saw. Appends go through one queue (one writer
 * per attempt) and skip a document the journal already holds, so no document is written twice.
 */
export class ChunkJournal {
  private size = 0;
  private refreshing: Promise<void> | undefined;
  private appends: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly journal: string,
    private results: Map<number, DocumentResult>,
  ) {}

  static async open(journal: string): Promise<ChunkJournal> {
    // The folder once per attempt, not once per document.
    await mkdir(path.dirname(journal), { recursive: true });
    const opened = new ChunkJournal(journal, new Map());
    await opened.refresh();
    return opened;
  }

  /** Finished documents, first line winning. */
  get done(): ReadonlyMap<number, DocumentResult> {
    return this.results;
  }

  /** Whether `index` is journaled, by this attempt or another (one stat; a read only if the file grew). */
  async has(index: number): Promise<boolean> {
    if (this.results.has(index)) return true;
    await this.refresh();
    return this.results.has(index);
  }

  /** Appends `result` unless the journal holds its document already; true when it was written. */
  append(result: DocumentResult): Promise<boolean> {
    const written = this.appends.then(async () => {
      if (await this.has(result.index)) return false;
      const line = journalLine(result);
      await appendLine(this.journal, line);
      this.results.set(result.index, result);
      this.size += Buffer.byteLength(line);
      return true;
    });
    this.appends = written.catch(() => undefined);
    return written;
  }

  /** Re-reads the file if its size changed; concurrent callers share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const size = await stat(this.journal).then(
          (stats) => stats.size,
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return 0;
            throw error;
          },
        );
        if (size === this.size) return;
        this.results = await readJournal(this.journal);
        this.size = size;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
