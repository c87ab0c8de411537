import { appendFile, mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { documentResultSchema, type DocumentResult } from './document-result';

/**
 * A chunk's journal is the per-document checkpoint: each finished document is appended as one
 * line the moment it finishes, so a retried chunk extracts only what is not there yet. Lines are
 * keyed by manifest index; if two attempts raced on the same document, the first line wins.
 */
export async function appendToJournal(journal: string, result: DocumentResult): Promise<void> {
  await mkdir(path.dirname(journal), { recursive: true });
  await appendFile(journal, journalLine(result));
}

function journalLine(result: DocumentResult): string {
  return JSON.stringify(result) + '\n';
}

export async function readJournal(journal: string): Promise<Map<number, DocumentResult>> {
  const text = await readFile(journal, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return parseJournal(text);
}

function parseJournal(text: string): Map<number, DocumentResult> {
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
 * whenever its size is not what this attempt last saw. The attempt holds one append-mode handle
 * (O_APPEND: each line is one write at the end of the file, whatever the other attempt writes), so
 * a document costs an fstat before it starts, one before its append, and the write; `close` it when
 * the attempt ends. Appends go through one queue (one writer per attempt) and skip a document the
 * journal already holds, so no document is written twice.
 */
export class ChunkJournal {
  private size = 0;
  private refreshing: Promise<void> | undefined;
  private appends: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: FileHandle,
    private results: Map<number, DocumentResult>,
  ) {}

  static async open(journal: string): Promise<ChunkJournal> {
    // The folder once per attempt, not once per document.
    await mkdir(path.dirname(journal), { recursive: true });
    const file = await open(journal, 'a+');
    const opened = new ChunkJournal(file, new Map());
    try {
      await opened.refresh();
      await opened.endTornLine();
    } catch (error) {
      await file.close();
      throw error;
    }
    return opened;
  }

  /** Finished documents, first line winning. */
  get done(): ReadonlyMap<number, DocumentResult> {
    return this.results;
  }

  /** Whether `index` is journaled, by this attempt or another (one fstat; a read only if the file grew). */
  async has(index: number): Promise<boolean> {
    if (this.results.has(index)) return true;
    await this.refresh();
    return this.results.has(index);
  }

  /** Appends `result` unless the journal holds its document already; true when it was written. */
  append(result: DocumentResult): Promise<boolean> {
    const written = this.appends.then(async () => {
      if (await this.has(result.index)) return false;
      const line = Buffer.from(journalLine(result));
      await this.write(line);
      this.results.set(result.index, result);
      this.size += line.length;
      return true;
    });
    this.appends = written.catch(() => undefined);
    return written;
  }

  /** Re-reads the file if its size changed; concurrent callers share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const { size } = await this.file.stat();
        if (size === this.size) return;
        const bytes = Buffer.allocUnsafe(size);
        const { bytesRead } = await this.file.read(bytes, 0, size, 0);
        this.results = parseJournal(bytes.toString('utf8', 0, bytesRead));
        this.size = bytesRead;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Closes the handle once the appends queued so far are written; the attempt is over. */
  async close(): Promise<void> {
    await this.appends;
    await this.file.close();
  }

  /**
   * A torn last line (a worker killed mid-write) gets its newline, so the next line appended
   * after it stays a line of its own instead of being glued to the torn one and lost.
   */
  private async endTornLine(): Promise<void> {
    if (this.size === 0) return;
    const last = Buffer.alloc(1);
    await this.file.read(last, 0, 1, this.size - 1);
    if (last[0] === 0x0a) return;
    await this.write(Buffer.from('\n'));
    this.size += 1;
  }

  /** One write per line with O_APPEND: concurrent appenders never interleave within a line. */
  private async write(line: Buffer): Promise<void> {
    let at = 0;
    // A short write (a full disk) is finished like appendFile does; the next fstat sees the file as it is.
    while (at < line.length) at += (await this.file.write(line, at, line.length - at)).bytesWritten;
  }
}

/** Runs one chunk attempt with its journal open, and closes it however the attempt ends. */
export async function withChunkJournal<T>(journal: string, use: (opened: ChunkJournal) => Promise<T>): Promise<T> {
  const opened = await ChunkJournal.open(journal);
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}
