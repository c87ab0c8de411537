import type { LogPosition, OpenLog, Storage } from '../storage/storage';
import { documentResultSchema, type DocumentResult } from './document-result';
import { batchKeys, batchStorage } from './paths';

/**
 * A chunk's journal is the per-document checkpoint: each finished document is appended as one
 * line the moment it finishes, so a retried chunk extracts only what is not there yet. Lines are
 * keyed by manifest index; if two attempts raced on the same document, the first line wins. It is
 * a log of the batch's storage: one file on disk, numbered segments in a bucket.
 */
export async function appendToJournal(batchDir: string, chunkIndex: number, result: DocumentResult): Promise<void> {
  await batchStorage(batchDir).append(batchKeys.chunkJournal(chunkIndex), journalLine(result));
}

function journalLine(result: DocumentResult): string {
  return JSON.stringify(result) + '\n';
}

export async function readJournal(batchDir: string, chunkIndex: number): Promise<Map<number, DocumentResult>> {
  const results = new Map<number, DocumentResult>();
  addLines(results, (await batchStorage(batchDir).readLog(batchKeys.chunkJournal(chunkIndex))).text);
  return results;
}

/** The first line of each document counts; a later one (a redo, or this attempt's own line read back) is skipped unvalidated. */
function addLines(results: Map<number, DocumentResult>, text: string): void {
  for (const line of text.split('\n')) {
    const result = parseJournalLine(line, results);
    if (result) results.set(result.index, result);
  }
}

/** A worker killed mid-write leaves a torn line: it is ignored and that document is redone. */
function parseJournalLine(line: string, known: Map<number, DocumentResult>): DocumentResult | null {
  if (line.trim() === '') return null;
  try {
    const raw = JSON.parse(line) as { index?: unknown };
    if (typeof raw.index === 'number' && known.has(raw.index)) return null;
    const parsed = documentResultSchema.safeParse(raw);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * How long a view of a journal in a bucket is taken as fresh: each look is a LIST request, and
 * another attempt of the same chunk writing meanwhile is rare (a timed-out attempt still alive).
 * On disk every look reads what was appended since the last (an fstat when nothing was).
 */
const BUCKET_REFRESH_MS = 1_000;

/**
 * How long `has` takes a look at a journal on disk as fresh. A look is cheap (an fstat), but one
 * taken while this attempt's own append is under way reads those lines back and parses them
 * (about 3% of the worker's CPU on tiny documents, in a profile of 100,000). Each write looks
 * first anyway, so a fast chunk rarely needs a look of its own; a slow one (seconds a document)
 * still looks before every document.
 */
const DISK_LOOK_MS = 100;

/**
 * In a bucket each append is a PUT of a new segment object: results finishing within this long of
 * each other go out in one, so a fast chunk writes a few segments instead of one per document. A
 * worker killed meanwhile loses at most these results, which were still on their way to the
 * checkpoint (in flight).
 */
const BUCKET_APPEND_LINGER_MS = 100;

/**
 * One chunk attempt's view of its journal, kept fresh: another attempt of the same chunk (a timed
 * out attempt whose worker is still alive) may append to it meanwhile, so `has` reads what was
 * appended since this attempt last looked. Appends go through one queue (one writer per attempt),
 * results that arrive while a write is under way go out together in the next, and each skips a
 * document the journal already holds, so no document is written twice by the attempts of one
 * worker, and the first line wins for readers whatever other workers wrote.
 */
export class ChunkJournal {
  private position: LogPosition | undefined;
  private refreshedAt = -Infinity;
  private refreshing: Promise<void> | undefined;
  /** Results waiting for the write under way, and that write (undefined when none is). */
  private queued: Array<{ result: DocumentResult; resolve: (written: boolean) => void; reject: (error: unknown) => void }> = [];
  private appends: Promise<void> | undefined;
  private readonly results = new Map<number, DocumentResult>();

  private constructor(
    private readonly storage: Storage,
    private readonly log: OpenLog,
  ) {}

  static async open(batchDir: string, chunkIndex: number): Promise<ChunkJournal> {
    const storage = batchStorage(batchDir);
    const opened = new ChunkJournal(storage, await storage.openLog(batchKeys.chunkJournal(chunkIndex)));
    try {
      await opened.refresh({ force: true });
    } catch (error) {
      await opened.log.close();
      throw error;
    }
    return opened;
  }

  /** Finished documents, first line winning. */
  get done(): ReadonlyMap<number, DocumentResult> {
    return this.results;
  }

  /** Whether `index` is journaled, by this attempt or another. */
  async has(index: number): Promise<boolean> {
    if (this.results.has(index)) return true;
    await this.refresh({ freshForMs: this.storage.capabilities.nativeAppend ? DISK_LOOK_MS : BUCKET_REFRESH_MS });
    return this.results.has(index);
  }

  /**
   * Appends `result` unless the journal holds its document already; true when it was written.
   * Results that arrive while a write is under way are written together next: one look and one
   * write for the group instead of one each (documents finishing faster than the storage can take
   * them one by one), each line still checked against the journal right before the write.
   */
  append(result: DocumentResult): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queued.push({ result, resolve, reject });
      this.appends ??= this.writeQueued();
    });
  }

  private async writeQueued(): Promise<void> {
    if (!this.storage.capabilities.nativeAppend) await new Promise((resolve) => setTimeout(resolve, BUCKET_APPEND_LINGER_MS));
    while (this.queued.length > 0) {
      const group = this.queued;
      this.queued = [];
      try {
        await this.refresh();
        const written = new Map<number, DocumentResult>();
        for (const { result } of group) if (!this.results.has(result.index) && !written.has(result.index)) written.set(result.index, result);
        const lines = [...written.values()].map(journalLine).join('');
        if (lines.length > 0) {
          const at = await this.log.append(lines);
          // Nothing else was appended before these lines: the next look need not read them back.
          if (at && at.from === this.position) this.position = at.to;
        }
        for (const [index, result] of written) this.results.set(index, result);
        for (const { result, resolve } of group) resolve(written.get(result.index) === result);
      } catch (error) {
        for (const { reject } of group) reject(error);
      }
    }
    this.appends = undefined;
  }

  /**
   * Reads what was appended since the last look (concurrent callers share one read). A look
   * younger than `freshForMs` is reused unless `force`d: on disk none by default (a look before a
   * write), in a bucket one younger than BUCKET_REFRESH_MS.
   */
  refresh({ force = false, freshForMs = this.storage.capabilities.nativeAppend ? 0 : BUCKET_REFRESH_MS }: { force?: boolean; freshForMs?: number } = {}): Promise<void> {
    if (!force && performance.now() - this.refreshedAt < freshForMs) return Promise.resolve();
    this.refreshing ??= (async () => {
      try {
        const { text, position } = await this.log.readLog(this.position);
        addLines(this.results, text);
        this.position = position;
        this.refreshedAt = performance.now();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Waits for the appends queued so far; the attempt is over. */
  async close(): Promise<void> {
    try {
      await this.appends;
    } finally {
      await this.log.close();
    }
  }
}

/** Runs one chunk attempt with its journal open, and closes it however the attempt ends. */
export async function withChunkJournal<T>(batchDir: string, chunkIndex: number, use: (opened: ChunkJournal) => Promise<T>): Promise<T> {
  const opened = await ChunkJournal.open(batchDir, chunkIndex);
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}
