/**
 * The one storage contract docbatch's batch files and documents go through: the local filesystem
 * (the default) and any S3-compatible object store implement it, and one contract suite
 * (test/storage-contract.test.ts) runs against both. Keys are relative to the storage's root and
 * '/'-separated; a storage never sees a credential in a key or a location.
 */
/** An append's place in its log: the log's end before it, and right after it. */
export interface AppendedAt {
  from: LogPosition;
  to: LogPosition;
}

export interface Storage {
  /** Where the root is, for people and for `storageAt`: an absolute path or `s3://bucket/prefix`. */
  readonly location: string;
  /** What the service can do, declared instead of guessed (OpenDAL's shape). */
  readonly capabilities: StorageCapabilities;

  /** The location of one key: a path or an `s3://` URL. */
  urlOf(key: string): string;
  /** The same storage rooted at `prefix` below this root. */
  at(prefix: string): Storage;

  /** The object's bytes, or null when there is none. With `version`, a VersionChanged error when it is not that version. */
  read(key: string, options?: ReadOptions): Promise<Buffer | null>;
  /** The object's size and version, or null when there is none. */
  stat(key: string): Promise<ObjectInfo | null>;
  /** Replaces the object whole: readers see the old content or the new, never a part. */
  write(key: string, body: string | Uint8Array): Promise<void>;
  /**
   * Streams a large object in bounded memory (a temp file and a rename, or a multipart upload):
   * it appears whole when `produce` resolves, and not at all when it throws.
   */
  writeLines(key: string, produce: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void>;
  /**
   * Adds whole lines at the end of the log at `key`, creating it. Concurrent appenders never lose
   * or interleave each other's lines, and the log has one order every reader sees. On disk a log is
   * one file (an O_APPEND write; a torn last line, from a writer killed mid-write, is closed with a
   * newline first); in a bucket, numbered segment objects `<key>/<seq>` created with
   * If-None-Match: *, the one conditional write every S3-compatible store does atomically.
   * `durable`: on stable storage before it returns (fsync on disk; a PUT already is).
   * Resolves with where the text landed when the log is known to hold nothing else between
   * `from` and `to` (a reader of everything up to `from` may move on to `to` without reading back
   * its own lines); undefined when that is not known.
   */
  append(key: string, text: string, options?: { durable?: boolean }): Promise<AppendedAt | undefined>;
  /**
   * The text appended to the log at `key` after `from` (from the start without it), and the
   * position to pass next time: a reader that polls reads only what is new. A torn last line is
   * left for the next read. '' for a log that does not exist.
   */
  readLog(key: string, from?: LogPosition): Promise<{ text: string; position: LogPosition }>;
  /**
   * The log at `key` held open for one writer's many appends and looks (a chunk attempt's
   * journal), with the meaning of `append` and `readLog`: on disk one open file, so a look at an
   * unchanged log is an fstat and an append one write, instead of a path lookup, an open and a
   * close each time; in a bucket the same requests as `append` and `readLog`.
   */
  openLog(key: string): Promise<OpenLog>;
  /** The keys of the logs under `prefix`, in key order. */
  listLogs(prefix: string): AsyncIterable<string>;
  /** Every object under `prefix` (all depths), in key order (bytewise, as S3 lists them); with `after`, only keys after it. */
  list(prefix?: string, options?: { after?: string }): AsyncIterable<ObjectInfo>;
  /** Removes the object; no error when there is none. */
  delete(key: string): Promise<void>;
}

/** A log held open by `Storage.openLog`; `close` once done. */
export interface OpenLog {
  append(text: string, options?: { durable?: boolean }): Promise<AppendedAt | undefined>;
  readLog(from?: LogPosition): Promise<{ text: string; position: LogPosition }>;
  close(): Promise<void>;
}

/** A log whose storage keeps nothing open: each call is the storage's own `append` / `readLog`. */
export function logThrough(storage: Pick<Storage, 'append' | 'readLog'>, key: string): OpenLog {
  return {
    append: (text, options) => storage.append(key, text, options),
    readLog: (from) => storage.readLog(key, from),
    close: () => Promise.resolve(),
  };
}

/** Where a reader of a log got to: a byte offset on disk, the last segment read in a bucket. Opaque to callers. */
export type LogPosition = string;

export interface StorageCapabilities {
  /** Appends are native (an O_APPEND write to one file) rather than a new segment object each. */
  nativeAppend: boolean;
  /** Writes can be conditional on the object's version (If-Match / If-None-Match). */
  conditionalWrite: boolean;
}

export interface ReadOptions {
  /** The version planned (ObjectInfo.version): a read of any other fails with VersionChanged. */
  version?: string;
  /** Largest object accepted: a bigger one fails with TooLarge before its body is read. */
  maxBytes?: number;
}

export interface ObjectInfo {
  /** Relative to the storage's root. */
  key: string;
  size: number;
  /** Changes whenever the content may have: the ETag in a bucket, mtime and size on disk. */
  version: string;
  modifiedMs: number;
}

export type StorageErrorCode =
  /** The version read is not the version planned. */
  | 'version_changed'
  /** Larger than the reader's limit. */
  | 'too_large'
  /** A key that is not an object (a directory on disk, a FIFO …). */
  | 'not_an_object'
  /** Credentials refused or not allowed (403), a missing bucket (404 on the bucket). */
  | 'access_denied'
  | 'no_bucket'
  /** Could not be reached, or answered 5xx: worth retrying. */
  | 'unavailable';

/** What a storage operation failed with, in the words callers branch on; `message` names the object and the fix. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}

/** Joins key parts with '/', dropping empty parts and stray slashes. */
export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((part) => part.split('/'))
    .filter((part) => part !== '')
    .join('/');
}

/** Reads an object as UTF-8 text, or null. */
export async function readText(storage: Storage, key: string): Promise<string | null> {
  const bytes = await storage.read(key);
  return bytes === null ? null : bytes.toString('utf8');
}
