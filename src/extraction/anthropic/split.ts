import { PDFDocument } from 'pdf-lib';
import { DocumentError } from '../errors';
import type { SourceDocument } from '../extractor';
import type { DocumentPart } from './prompt';

/** The Messages API's limits on one request (PDF-support docs); configurable so tests can shrink them. */
export interface RequestLimits {
  /** Most PDF pages in one request. */
  maxPdfPages: number;
  /** Largest request body, in bytes (base64 inflates a document by 4/3). */
  maxRequestBytes: number;
}

export const apiRequestLimits: RequestLimits = { maxPdfPages: 100, maxRequestBytes: 32 * 1024 * 1024 };

/** Room left in a request for the system prompt, schema, instruction and JSON framing. */
const requestOverheadBytes = 64 * 1024;

export interface PdfPart {
  part: DocumentPart;
  document: SourceDocument;
}

/** The size of a request carrying `bytes` of document, base64-encoded. */
export function requestBytesFor(bytes: number): number {
  return Math.ceil(bytes / 3) * 4 + requestOverheadBytes;
}

export function fitsOneRequest(document: SourceDocument, pages: number, limits: RequestLimits): boolean {
  return pages <= limits.maxPdfPages && requestBytesFor(document.bytes.length) <= limits.maxRequestBytes;
}

/**
 * Splits a PDF that is beyond the request limits into consecutive page ranges that each fit: at
 * most `maxPdfPages` pages, and halved again while a part's bytes are still too many. A single
 * page that alone exceeds the request size cannot be sent: the document is too_large.
 */
export async function splitPdf(document: SourceDocument, limits: RequestLimits): Promise<PdfPart[]> {
  let source: PDFDocument;
  try {
    source = await PDFDocument.load(document.bytes, { updateMetadata: false });
  } catch (error) {
    throw new DocumentError('corrupt', `${document.path} cannot be split into parts (${error instanceof Error ? error.message : String(error)}): re-export it`);
  }
  const pages = source.getPageCount();
  const ranges: { first: number; last: number; bytes: Uint8Array }[] = [];
  let first = 0;
  let span = Math.min(limits.maxPdfPages, pages);
  while (first < pages) {
    const last = Math.min(first + span, pages) - 1;
    const bytes = await extractPages(source, first, last);
    if (requestBytesFor(bytes.length) <= limits.maxRequestBytes) {
      ranges.push({ first, last, bytes });
      first = last + 1;
      span = Math.min(limits.maxPdfPages, pages);
    } else if (last > first) {
      span = Math.ceil((last - first + 1) / 2);
    } else {
      throw new DocumentError(
        'too_large',
        `${document.path}: page ${first + 1} alone needs a ${formatMb(requestBytesFor(bytes.length))} request, above the API's ${formatMb(limits.maxRequestBytes)} limit: reduce its image resolution`,
      );
    }
  }
  return ranges.map((range, index) => ({
    part: { index, count: ranges.length, firstPage: range.first + 1, lastPage: range.last + 1 },
    document: { path: document.path, mediaType: 'application/pdf', bytes: Buffer.from(range.bytes) },
  }));
}

async function extractPages(source: PDFDocument, first: number, last: number): Promise<Uint8Array> {
  const part = await PDFDocument.create();
  const indices = Array.from({ length: last - first + 1 }, (_, offset) => first + offset);
  for (const page of await part.copyPages(source, indices)) part.addPage(page);
  return part.save();
}

function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
