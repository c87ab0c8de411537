import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readSync, type Stats } from 'node:fs';
import { isObjectUrl, objectAt } from '../storage/location';
import { isStorageError } from '../storage/storage';
import { whileInMemory } from '../storage/while-in-memory';
import { decodeText } from './encoding';
import { BatchFault, DocumentError } from './errors';
import type { MediaType, SourceDocument } from './extractor';
import { detectFormat } from './formats';

export { looksBinary, supportedDocumentTypes } from './formats';

/** Text formats read in their detected encoding (encoding.ts), which the result line records. */
const decodedAsText = new Set<MediaType>(['text/plain', 'text/html']);

/** Documents larger than this are failed as too_large unless the caller sets its own limit. */
export const defaultMaxDocumentBytes = 32 * 1024 * 1024;

export interface LoadDocumentOptions {
  /** Largest document accepted, in bytes (default 32 MB: the Anthropic API's request limit). */
  maxBytes?: number;
  /** The version planned (an object's ETag): any other fails as `changed`. */
  version?: string | undefined;
}

/**
 * Reads a document from disk and detects its media type from its bytes (magic numbers), falling
 * back on the extension only for plain text, which has no magic. Throws DocumentError with a
 * specific type (not_found, empty, too_large, unsupported_type, corrupt) for anything that no
 * extractor could read, so the batch fails that document with a reason instead of guessing.
 */
export async function loadDocument(path: string, options: LoadDocumentOptions = {}): Promise<SourceDocument> {
  const maxBytes = options.maxBytes ?? defaultMaxDocumentBytes;
  const bytes = isObjectUrl(path) ? await readObjectBytes(path, maxBytes, options.version) : await readFileBytes(path, maxBytes);
  const mediaType = detectMediaType(path, bytes);
  if (!decodedAsText.has(mediaType)) return { path, mediaType, bytes };
  return { path, mediaType, bytes, encoding: decodeText(path, bytes).encoding };
}

/** The media type of a document's bytes (formats/index.ts decides; see detectFormat). */
export function detectMediaType(path: string, bytes: Buffer): MediaType {
  return detectFormat(path, bytes).mediaType;
}

/** Files up to this size may be read synchronously; a larger one would hold the event loop for the read. */
const SYNC_READ_MAX_BYTES = 256 * 1024;

/**
 * The worker's reads of documents on disk: synchronous while the filesystem answers from memory
 * (storage/while-in-memory.ts) and the file is small, which saves each document four round trips
 * through the thread pool; else asynchronous. One for the process: its documents mostly share a disk.
 */
const readFileBytes = whileInMemory(readDocumentBytesNow, readDocumentBytes);

/**
 * readDocumentBytes below, synchronously: the same open, fstat and read, refused and failed the
 * same way. Undefined for a file above SYNC_READ_MAX_BYTES, which is read asynchronously.
 * Exported, with readDocumentBytes, for the test that both fail a document alike.
 */
export function readDocumentBytesNow(path: string, maxBytes: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw openError(path, error as Error);
  }
  try {
    const info = fstatSync(fd);
    const refused = sizeProblem(path, info, maxBytes);
    if (refused) throw refused;
    if (info.size > SYNC_READ_MAX_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const bytesRead = readSync(fd, bytes, filled, bytes.length - filled, filled);
      // 0: it shrank since the fstat, so what is there.
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled === 0) throw emptyError(path);
    return filled === bytes.length ? bytes : bytes.subarray(0, filled);
  } catch (error) {
    throw error instanceof DocumentError ? error : openError(path, error as Error);
  } finally {
    closeSync(fd);
  }
}

/**
 * One open, an fstat on the descriptor and the read: the size limits are checked on the open file,
 * so a too-large one is refused without reading it. O_NONBLOCK so a named pipe in the folder is
 * refused as not a regular file instead of blocking on open (no effect on regular files). Callback
 * `fs` calls chained under one promise: this runs once per document, and fs/promises' FileHandle
 * costs an object and a promise per call (measured in docs/benchmarks.md, "Overhead").
 */
export function readDocumentBytes(path: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    open(path, constants.O_RDONLY | constants.O_NONBLOCK, (openFailure, fd) => {
      if (openFailure) return reject(openError(path, openFailure));
      // Every outcome below ends here: the descriptor is closed before the promise settles.
      const finish = (error: Error | null, bytes?: Buffer) => {
        close(fd, (closeFailure) => {
          if (error) return reject(error instanceof DocumentError ? error : openError(path, error));
          if (closeFailure) return reject(closeFailure);
          resolve(bytes!);
        });
      };
      fstat(fd, (statFailure, info) => {
        if (statFailure) return finish(statFailure);
        const refused = sizeProblem(path, info, maxBytes);
        if (refused) return finish(refused);
        let bytes: Buffer;
        try {
          bytes = Buffer.allocUnsafe(info.size);
        } catch (error) {
          // Out of memory for it: a throw inside a callback would take the worker down, not the document.
          return finish(error as Error);
        }
        let filled = 0;
        const readMore = () => {
          read(fd, bytes, filled, bytes.length - filled, filled, (readFailure, bytesRead) => {
            if (readFailure) return finish(readFailure);
            filled += bytesRead;
            // bytesRead 0: it shrank since the fstat, so what is there.
            if (bytesRead > 0 && filled < bytes.length) return readMore();
            if (filled === 0) return finish(emptyError(path));
            finish(null, filled === bytes.length ? bytes : bytes.subarray(0, filled));
          });
        };
        readMore();
      });
    });
  });
}

/**
 * A document in a bucket, read only if it is still the version planned (a conditional GET) and
 * refused from its Content-Length before the body is read when it is too large. A refused
 * credential stops the batch (every document would fail the same way); an unreachable store is
 * thrown as it is, for the chunk's retry policy.
 */
async function readObjectBytes(url: string, maxBytes: number, version: string | undefined): Promise<Buffer> {
  const { storage, key } = objectAt(url);
  let bytes: Buffer | null;
  try {
    bytes = await storage.read(key, { maxBytes, ...(version === undefined ? {} : { version }) });
  } catch (error) {
    if (isStorageError(error, 'version_changed')) throw new DocumentError('changed', `${url} was replaced after the batch was planned: it is not read, so no result mixes versions; redrive the batch's failures to extract the new version`);
    if (isStorageError(error, 'too_large')) throw new DocumentError('too_large', `${url} is above the ${formatBytes(maxBytes)} limit: split the document or raise maxBytes`);
    if (isStorageError(error, 'access_denied') || isStorageError(error, 'no_bucket')) throw new BatchFault('storage_denied', error.message);
    throw error;
  }
  if (bytes === null) throw new DocumentError('not_found', `${url} does not exist: it was deleted after the batch was planned`);
  if (bytes.length === 0) throw emptyError(url);
  return bytes;
}

/** Why the open file is refused before reading it, if it is. */
function sizeProblem(path: string, info: Stats, maxBytes: number): DocumentError | null {
  if (!info.isFile()) {
    return new DocumentError('unsupported_type', `${path} is not a regular file: list only document files`);
  }
  if (info.size === 0) return emptyError(path);
  if (info.size > maxBytes) {
    return new DocumentError(
      'too_large',
      `${path} is ${formatBytes(info.size)}, above the ${formatBytes(maxBytes)} limit: split the document or raise maxBytes`,
    );
  }
  return null;
}

function emptyError(path: string): DocumentError {
  return new DocumentError('empty', `${path} is empty (0 bytes): re-export or re-scan the document`);
}

function openError(path: string, error: Error): Error {
  if (isErrnoCode(error, 'ENOENT')) {
    return new DocumentError('not_found', `${path} does not exist: it was moved or deleted after the batch was planned`);
  }
  if (isErrnoCode(error, 'EACCES') || isErrnoCode(error, 'EPERM')) {
    return new DocumentError('unreadable', `${path} cannot be read (permission denied): grant the worker read access`);
  }
  return error;
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
