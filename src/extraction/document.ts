import { readFile, stat } from 'node:fs/promises';
import { decodeText } from './encoding';
import { DocumentError } from './errors';
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
}

/**
 * Reads a document from disk and detects its media type from its bytes (magic numbers), falling
 * back on the extension only for plain text, which has no magic. Throws DocumentError with a
 * specific type (not_found, empty, too_large, unsupported_type, corrupt) for anything that no
 * extractor could read, so the batch fails that document with a reason instead of guessing.
 */
export async function loadDocument(path: string, options: LoadDocumentOptions = {}): Promise<SourceDocument> {
  const maxBytes = options.maxBytes ?? defaultMaxDocumentBytes;
  const size = await fileSize(path);
  if (size === 0) {
    throw new DocumentError('empty', `${path} is empty (0 bytes): re-export or re-scan the document`);
  }
  if (size > maxBytes) {
    throw new DocumentError(
      'too_large',
      `${path} is ${formatBytes(size)}, above the ${formatBytes(maxBytes)} limit: split the document or raise maxBytes`,
    );
  }
  const bytes = await readFile(path);
  const mediaType = detectMediaType(path, bytes);
  if (!decodedAsText.has(mediaType)) return { path, mediaType, bytes };
  return { path, mediaType, bytes, encoding: decodeText(path, bytes).encoding };
}

/** The media type of a document's bytes (formats/index.ts decides; see detectFormat). */
export function detectMediaType(path: string, bytes: Buffer): MediaType {
  return detectFormat(path, bytes).mediaType;
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new DocumentError('unsupported_type', `${path} is not a regular file: list only document files`);
    }
    return info.size;
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    if (isErrnoCode(error, 'ENOENT')) {
      throw new DocumentError('not_found', `${path} does not exist: it was moved or deleted after the batch was planned`);
    }
    if (isErrnoCode(error, 'EACCES') || isErrnoCode(error, 'EPERM')) {
      throw new DocumentError('unreadable', `${path} cannot be read (permission denied): grant the worker read access`);
    }
    throw error;
  }
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
