import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { SourceDocument } from '../extractor';
import type { DocumentText } from './text-block';

/** Every media type docbatch reads; one format module each (see index.ts). */
export const mediaTypes = [
  'application/pdf',
  'text/plain',
  'text/html',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/xml',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/tiff',
  'image/bmp',
  'image/heic',
] as const;
export type MediaType = (typeof mediaTypes)[number];

/** What routing and the estimate look at: cheap facts about a document, gathered without calling a model. */
export interface DocumentProfile {
  mediaType: MediaType;
  bytes: number;
  pages: number;
  /** Characters of text: the text itself, or a PDF's text layer; 0 for images. */
  textChars: number;
  /** Pages without a usable text layer (scans, images): they need vision. */
  scannedPages: number;
  /** Input tokens the document's own content blocks cost on Claude (anthropic/tokens.ts heuristics). */
  tokens: number;
}

/**
 * One document format, self-describing: how to recognise it, read its text offline, send it to
 * Claude, and profile it for routing and the estimate. Each is a plain function of the document's
 * bytes (no I/O, no shared state beyond pdfjs/OCR caches), so any of them can run in a worker thread.
 */
export interface DocumentFormat {
  readonly mediaType: MediaType;
  /** Name for messages ("TIFF", "PDF"). */
  readonly label: string;
  /** Extensions this format is named with (lower case, with the dot). */
  readonly extensions: readonly string[];
  /**
   * How the format is recognised: `magic` by its first bytes alone (a wrong extension is then a
   * misnamed or damaged file); `text` (no magic number) by extension or content, and only for
   * bytes that are not binary.
   */
  readonly detection: 'magic' | 'text';
  /** True when the bytes are this format (see `detection`). */
  matches(bytes: Buffer, extension: string): boolean;
  /** The document's text, read offline (text layer, markup stripped, or OCR, with what OCR is sure of). */
  text(document: SourceDocument): Promise<DocumentText>;
  /** The document as Messages API content blocks, in a form the API accepts. */
  content(document: SourceDocument): Promise<ContentBlockParam[]>;
  /**
   * Routing facts; PDFs read text layers only up to `readPagesUpTo` pages and nothing is OCR'd.
   */
  profile(document: SourceDocument, readPagesUpTo: number): Promise<DocumentProfile>;
}
