import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { DocumentProfile } from '../anthropic/routing';
import type { PdfPart, RequestLimits } from '../anthropic/split';
import type { PdfAttachment } from '../einvoice/attachments';
import type { DocumentErrorType } from '../errors';
import type { SourceDocument } from '../extractor';
import type { DocumentText } from '../formats/text-block';

/**
 * What the worker asks a decoder process to do with one document, and what each answers. Every
 * path that parses a document's bytes (PDF, image, OCR, future formats) is one task here.
 */
export interface DecodeTasks {
  /** The document's text: text layer, OCR for images and scans (text.ts). */
  text: { input: { document: SourceDocument }; output: DocumentText };
  /** Routing facts for the Anthropic extractor, reading at most `readPagesUpTo` text layers. */
  profile: { input: { document: SourceDocument; readPagesUpTo: number }; output: DocumentProfile };
  /** The document as Messages API content blocks: TIFF/BMP/HEIC pages converted to PNG, DOCX/HTML as text. */
  content: { input: { document: SourceDocument }; output: ContentBlockParam[] };
  pageCount: { input: { document: SourceDocument }; output: number };
  /** A PDF beyond the Messages API's request limits, as page ranges that each fit. */
  split: { input: { document: SourceDocument; limits: RequestLimits }; output: PdfPart[] };
  /** A PDF's embedded .xml files (e-invoice XML), for the e-invoice reader. */
  xmlAttachments: { input: { document: SourceDocument }; output: PdfAttachment[] };
}
export type DecodeTaskName = keyof DecodeTasks;

export type DecodeTask = { [K in DecodeTaskName]: { name: K } & DecodeTasks[K]['input'] }[DecodeTaskName];

/** Worker → decoder. One at a time per decoder process. */
export interface DecodeRequest {
  id: number;
  task: DecodeTask;
}

/** A failure as it crosses the process boundary: DocumentErrors keep their type. */
export interface WireError {
  name: string;
  message: string;
  documentErrorType?: DocumentErrorType;
}

/** Decoder → worker. */
export type DecoderMessage =
  | { type: 'ready' }
  /** A page is done: the document is moving, restart its time budget. */
  | { type: 'progress'; id: number }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'failure'; id: number; error: WireError };
