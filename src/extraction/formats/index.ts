import { extname } from 'node:path';
import { decodeText } from '../encoding';
import { DocumentError } from '../errors';
import type { SourceDocument } from '../extractor';
import { bmpFormat } from './bmp';
import { docxFormat } from './docx';
import type { DocumentFormat, MediaType } from './format';
import { heicFormat } from './heic';
import { htmlFormat } from './html';
import { gifFormat, jpegFormat, pngFormat, startsWith, webpFormat } from './image';
import { pdfFormat } from './pdf';
import { plainTextFormat } from './plain-text';
import { tiffFormat } from './tiff';
import { xmlInvoiceFormat } from './xml-invoice';

export type { DocumentFormat, DocumentProfile, MediaType } from './format';

/**
 * Every format docbatch reads, tried in order: formats known by their magic number first (their
 * bytes decide), then the text formats (known by extension or opening), plain text last. Adding
 * a format is one module and one line here.
 */
// Built on first use, not at import: format modules import shared helpers that reach back here
// (text.ts, the decoder pool), and a cycle must not leave an entry undefined.
let registry: readonly DocumentFormat[] | undefined;
export function documentFormats(): readonly DocumentFormat[] {
  registry ??= [
    pdfFormat,
    pngFormat,
    jpegFormat,
    gifFormat,
    webpFormat,
    tiffFormat,
    bmpFormat,
    heicFormat,
    docxFormat,
    xmlInvoiceFormat,
    htmlFormat,
    plainTextFormat,
  ];
  return registry;
}

export const supportedDocumentTypes = 'PDF, PNG, JPEG, GIF, WEBP, TIFF, BMP, HEIC, Word (.docx), HTML, e-invoice XML (CII/UBL), or plain text (.txt, .text, .md, .csv)';

/**
 * Whether a path names a text format (plain text, e-invoice XML, HTML) by its extension: what
 * planning sizes chunks by before any document is opened. The bytes still decide when it is read.
 */
export function isTextByName(path: string): boolean {
  const extension = extname(path).toLowerCase();
  return documentFormats().some((format) => format.detection === 'text' && format.extensions.includes(extension));
}

export function formatOf(mediaType: MediaType): DocumentFormat {
  const format = documentFormats().find((candidate) => candidate.mediaType === mediaType);
  if (format === undefined) throw new Error(`no document format for ${mediaType}`);
  return format;
}

/** Formats other tools produce that people often drop into an invoice folder, named for the error. */
const knownUnsupportedSignatures: { name: string; matches: (bytes: Buffer) => boolean }[] = [
  { name: 'a ZIP container that is not a Word document (xlsx/odt/zip, or a damaged docx)', matches: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) },
  { name: 'an OLE2 file (legacy .doc/.xls)', matches: (b) => startsWith(b, [0xd0, 0xcf, 0x11, 0xe0]) },
  { name: 'a gzip archive', matches: (b) => startsWith(b, [0x1f, 0x8b]) },
  { name: 'an RTF document', matches: (b) => b.subarray(0, 5).toString('latin1') === '{\\rtf' },
  { name: 'an XML file that is not a UN/CEFACT CII or UBL invoice', matches: (b) => /^\s*<\?xml/.test(b.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '')) },
];

/**
 * The format of a document's bytes. A magic number decides; a binary extension whose magic does
 * not match is corrupt (a ".pdf" that is really text); text formats are known by extension or
 * opening; anything else is unsupported, named when it is a format people commonly have.
 */
export function detectFormat(path: string, bytes: Buffer): DocumentFormat {
  const extension = extname(path).toLowerCase();
  const sniffed = documentFormats().find((format) => format.detection === 'magic' && format.matches(bytes, extension));
  if (sniffed !== undefined) {
    if (!sniffed.extensions.includes(extension) && documentFormats().some((f) => f.detection === 'magic' && f.extensions.includes(extension))) {
      throw misnamed(path, extension, sniffed.mediaType, documentFormats().find((f) => f.detection === 'magic' && f.extensions.includes(extension))?.mediaType);
    }
    return sniffed;
  }
  const unsupported = knownUnsupportedSignatures.find((signature) => signature.matches(bytes));
  const binaryExpected = documentFormats().find((format) => format.detection === 'magic' && format.extensions.includes(extension));
  if (binaryExpected !== undefined && unsupported === undefined) throw misnamed(path, extension, describeUnknownBytes(bytes), binaryExpected.mediaType);

  // Text in any encoding encoding.ts reads (UTF-16 has NUL bytes) is text; anything else is binary.
  const text = textOf(path, bytes);
  const binary = text === undefined;
  const textual = binary ? undefined : documentFormats().find((format) => format.detection === 'text' && format.matches(bytes, extension));
  if (textual !== undefined) {
    if (text!.trim() === '') throw new DocumentError('empty', `${path} contains only whitespace: it has no text to extract`);
    return textual;
  }
  if (unsupported !== undefined) {
    throw new DocumentError('unsupported_type', `${path} is ${unsupported.name}, which docbatch cannot read: convert it to ${supportedDocumentTypes}`);
  }
  if (binary && documentFormats().some((format) => format.detection === 'text' && format.extensions.includes(extension))) {
    throw new DocumentError('corrupt', `${path} has the text extension ${extension} but contains binary data: the file is damaged or misnamed`);
  }
  const what = extension === '' ? 'a file without extension' : `a ${extension} file`;
  throw new DocumentError(
    'unsupported_type',
    `${path} is ${what} holding ${describeUnknownBytes(bytes)}, no format docbatch knows: it reads ${supportedDocumentTypes}`,
  );
}

function misnamed(path: string, extension: string, found: string, expected?: string): DocumentError {
  return new DocumentError(
    'corrupt',
    `${path} has the extension ${extension} but its content is ${found}${expected === undefined ? '' : `, not ${expected}`}: the file is damaged or misnamed; re-export it or fix its extension`,
  );
}

function textOf(path: string, bytes: Buffer): string | undefined {
  try {
    return decodeText(path, bytes).text;
  } catch (error) {
    if (error instanceof DocumentError) return undefined;
    throw error;
  }
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

/** The document's text, read offline by its format. */
export async function formatText(document: SourceDocument): Promise<string> {
  return (await formatOf(document.mediaType).text(document)).text;
}
