import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeText } from './encoding';
import { DocumentError } from './errors';
import type { MediaType, SourceDocument } from './extractor';

/** Documents larger than this are failed as too_large unless the caller sets its own limit. */
export const defaultMaxDocumentBytes = 32 * 1024 * 1024;

export interface LoadDocumentOptions {
  /** Largest document accepted, in bytes (default 32 MB: the Anthropic API's request limit). */
  maxBytes?: number;
}

/** Extensions read as plain text. Anything textual but structured (docx, html, json) is not. */
const textExtensions = new Set(['.txt', '.text', '.md', '.csv']);

const binaryMediaTypeByExtension: Record<string, MediaType> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

export const supportedDocumentTypes = 'PDF, PNG, JPEG, GIF, WEBP, or plain text (.txt, .text, .md, .csv)';

/** Formats other tools produce that people often drop into an invoice folder, named for the error. */
const knownUnsupportedSignatures: { name: string; matches: (bytes: Buffer) => boolean }[] = [
  { name: 'a ZIP container (docx/xlsx/odt/zip)', matches: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) },
  { name: 'an OLE2 file (legacy .doc/.xls)', matches: (b) => startsWith(b, [0xd0, 0xcf, 0x11, 0xe0]) },
  { name: 'a TIFF image', matches: (b) => startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]) },
  { name: 'a BMP image', matches: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
  { name: 'a gzip archive', matches: (b) => startsWith(b, [0x1f, 0x8b]) },
  { name: 'an RTF document', matches: (b) => b.subarray(0, 5).toString('latin1') === '{\\rtf' },
];

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
  if (mediaType !== 'text/plain') return { path, mediaType, bytes };
  return { path, mediaType, bytes, encoding: decodeText(path, bytes).encoding };
}

/**
 * The media type of a document's bytes. The magic number decides; a binary extension whose magic
 * does not match is corrupt (a ".pdf" that is really text), an unknown binary is unsupported.
 */
export function detectMediaType(path: string, bytes: Buffer): MediaType {
  const extension = extname(path).toLowerCase();
  const sniffed = sniffMediaType(bytes);
  const expected = binaryMediaTypeByExtension[extension];

  if (expected !== undefined && sniffed !== expected) {
    const found = sniffed ?? describeUnknownBytes(bytes);
    throw new DocumentError(
      'corrupt',
      `${path} has the extension ${extension} but its content is ${found}, not ${expected}: the file is damaged or misnamed; re-export it or fix its extension`,
    );
  }
  if (sniffed !== undefined) return sniffed;

  const unsupported = knownUnsupportedSignatures.find((signature) => signature.matches(bytes));
  if (unsupported !== undefined) {
    throw new DocumentError(
      'unsupported_type',
      `${path} is ${unsupported.name}, which docbatch cannot read: convert it to ${supportedDocumentTypes}`,
    );
  }
  if (textExtensions.has(extension)) {
    if (decodeText(path, bytes).text.trim() === '') {
      throw new DocumentError('empty', `${path} contains only whitespace: it has no text to extract`);
    }
    return 'text/plain';
  }
  const what = extension === '' ? 'a file without extension' : `a ${extension} file`;
  throw new DocumentError(
    'unsupported_type',
    `${path} is ${what} holding ${describeUnknownBytes(bytes)}, no format docbatch knows: it reads ${supportedDocumentTypes}`,
  );
}

function sniffMediaType(bytes: Buffer): MediaType | undefined {
  // PDF readers accept the header anywhere in the first 1024 bytes; so do we.
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'application/pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  const head = bytes.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  return undefined;
}

/** Text has no NUL bytes and few control characters; anything else is treated as binary. */
export function looksBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  return control > sample.length * 0.05;
}

function describeUnknownBytes(bytes: Buffer): string {
  if (!looksBinary(bytes)) return 'plain text';
  const hex = bytes.subarray(0, 4).toString('hex').replace(/(..)/g, '$1 ').trim();
  return `binary data starting with ${hex}`;
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

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
