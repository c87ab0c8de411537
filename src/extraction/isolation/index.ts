import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { availableParallelism } from 'node:os';
import { readIntEnv } from '../../env';
import type { DocumentProfile } from '../anthropic/routing';
import { imageSize } from '../formats/image';
import type { PdfPart, RequestLimits } from '../anthropic/split';
import type { PdfAttachment } from '../einvoice/attachments';
import type { SourceDocument } from '../extractor';
import type { DocumentText } from '../formats/text-block';
import { checkImagePixels } from '../limits';
import { documentContent } from '../anthropic/content';
import { profileDocument } from '../anthropic/profile';
import { readDocumentText } from '../text';
import { DecoderPool } from './pool';

export { DecoderPool, type DecoderPoolOptions } from './pool';

let shared: DecoderPool | undefined;

/**
 * The decoder pool of this process, started on first use: DOCBATCH_DECODE_WORKERS processes
 * (default: one per core), each document allowed DOCBATCH_DECODE_TIMEOUT_SECONDS without progress.
 */
export function sharedDecoderPool(): DecoderPool {
  shared ??= new DecoderPool({
    size: readIntEnv('decodeWorkers', availableParallelism()),
    timeoutMs: readIntEnv('decodeTimeoutSeconds', 120) * 1000,
  });
  return shared;
}

/** Stops the shared pool's processes (they also exit by themselves when this process does). */
export async function closeSharedDecoderPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

/**
 * Formats whose routing profile reads more than a fixed-size header: a PDF's pages, a TIFF's
 * directories (utif2 reads every tag value a directory claims), a HEIF decoded when it states no
 * size, a Word document unzipped and converted (fflate, mammoth), an HTML page's text (html-to-text).
 * XML and plain text are profiled here: their profile is their UTF-8 text's length.
 */
const profiledInDecoder = new Set<string>([
  'application/pdf',
  'image/tiff',
  'image/heic',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/html',
]);

/**
 * Formats whose Messages API content is their bytes as they are (base64 PDF and PNG/JPEG/GIF/WEBP
 * blocks) or their UTF-8 text (plain text, e-invoice XML, a few MB at most): built here, since
 * nothing is parsed. Every other format's content is converted in a decoder process: TIFF, BMP and
 * HEIC decoded to PNG pages, DOCX and HTML turned into text.
 */
const contentFromBytes = new Set<string>(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'text/plain', 'application/xml']);

/**
 * The decoding entry points the extractors use: each runs in a decoder process (pool.ts), except
 * what needs no parsing (plain text, an image's routing facts from its header). A PNG, JPEG, GIF
 * or WEBP's pixel count is checked here, before its bytes are even sent, so a decompression bomb
 * costs nothing; TIFF, BMP and HEIC check theirs in the decoder, from the header, before decoding.
 */
export const isolatedDecoding = {
  async documentText(document: SourceDocument, pool = sharedDecoderPool()): Promise<string> {
    return (await this.readDocumentText(document, pool)).text;
  },

  /** The text with what OCR was sure of (formats/text-block.ts). */
  async readDocumentText(document: SourceDocument, pool = sharedDecoderPool()): Promise<DocumentText> {
    if (document.mediaType === 'text/plain') return readDocumentText(document);
    checkImagePixels(document, imageSize(document.mediaType, document.bytes));
    return pool.run({ name: 'text', document });
  },

  async profileDocument(document: SourceDocument, readPagesUpTo: number, pool = sharedDecoderPool()): Promise<DocumentProfile> {
    if (!profiledInDecoder.has(document.mediaType)) return profileDocument(document, readPagesUpTo);
    return pool.run({ name: 'profile', document, readPagesUpTo });
  },

  /** The document as Messages API content blocks (anthropic/content.ts). */
  async documentContent(document: SourceDocument, pool = sharedDecoderPool()): Promise<ContentBlockParam[]> {
    if (contentFromBytes.has(document.mediaType)) return documentContent(document);
    return pool.run({ name: 'content', document });
  },

  async pageCount(document: SourceDocument, pool = sharedDecoderPool()): Promise<number> {
    if (document.mediaType !== 'application/pdf') return 1;
    return pool.run({ name: 'pageCount', document });
  },

  async splitPdf(document: SourceDocument, limits: RequestLimits, pool = sharedDecoderPool()): Promise<PdfPart[]> {
    const parts = await pool.run({ name: 'split', document, limits });
    return parts.map(({ part, document: partDocument }) => ({ part, document: { ...partDocument, bytes: asBuffer(partDocument.bytes) } }));
  },

  /** A PDF's embedded .xml files (the e-invoice reader's input); pdfjs opens the PDF in the decoder. */
  async pdfXmlAttachments(document: SourceDocument, pool = sharedDecoderPool()): Promise<PdfAttachment[]> {
    return pool.run({ name: 'xmlAttachments', document });
  },
};

/** Bytes that crossed the process boundary arrive as a plain Uint8Array. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
