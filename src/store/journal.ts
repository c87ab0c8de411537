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
 * (O_APPEND: each write of whole lines lands at the end of the file, whatever the other attempt
 * writes), so a document costs an fstat before it starts (shared by the documents starting
 * meanwhile), and its append a share of one fstat and one write (appends queued behind a write go
 * out together); `close` it when the attempt ends. Appends go through one queue (one writer per
 * attempt) and skip a document the journal already holds, so no document is written twice.
 */
export class ChunkJournal {
  private size = 0;
  private refreshing: Promise<void> | undefined;
  /** Results waiting for the write under way, and that write (undefined when none is). */
  private queued: Array<{ result: DocumentResult; resolve: (written: boolean) => void; reject: (error: unknown) => void }> = [];
  private appends: Promise<void> | undefined;

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

  /**
   * Appends `result` unless the journal holds its document already; true when it was written.
   * Results that arrive while a write is under way are written together next: one fstat and one
   * write for the group instead of one each (documents finishing faster than the disk can take
   * them one by one), each line still checked against the file right before the write.
   */
  append(result: DocumentResult): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queued.push({ result, resolve, reject });
      this.appends ??= this.writeQueued();
    });
  }

  private async writeQueued(): Promise<void> {
    while (this.queued.length > 0) {
      const group = this.queued;
      this.queued = [];
      try {
        await this.refresh();
        const written = new Map<number, DocumentResult>();
        for (const { result } of group) if (!this.results.has(result.index) && !written.has(result.index)) written.set(result.index, result);
        const lines = Buffer.from([...written.values()].map(journalLine).join(''));
        if (lines.length > 0) await this.write(lines);
        for (const [index, result] of written) this.results.set(index, result);
        this.size += lines.length;
        for (const { result, resolve } of group) resolve(written.get(result.index) === result);
      } catch (error) {
        for (const { reject } of group) reject(error);
      }
    }
    this.appends = undefined;
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

  /** One write per group of lines with O_APPEND: concurrent appenders never interleave within it. */
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
