import { decodeText } from './encoding';
import { DocumentError } from './errors';
import type { SourceDocument } from './extractor';
import { formatOf } from './formats';

export { pageCount } from './pdf';
export { terminateOcr } from './ocr';

/**
 * The text of a document, from its bytes alone, read by its format (formats/): plain text decoded
 * as strict UTF-8; PDFs from their text layer, with lines rebuilt from item positions; HTML and
 * Word as the text they show; images (every page of a TIFF), and PDF pages without a text layer
 * (scans), through offline OCR. Throws DocumentError (corrupt, encrypted, empty, unreadable)
 * naming the document when there is no text to be had.
 */
export async function documentText(doc: SourceDocument): Promise<string> {
  const format = formatOf(doc.mediaType);
  const text = await format.text(doc);
  if (text.trim() === '') {
    const scanned = format.mediaType.startsWith('image/') || format.mediaType === 'application/pdf';
    throw new DocumentError(
      scanned ? 'unreadable' : 'empty',
      `${doc.path} contains no readable text${scanned ? ' (not even by OCR)' : ''}: check that it is the right file and not a blank scan`,
    );
  }
  return text;
}

/** A text document's content in its detected encoding (encoding.ts), `\n` line ends. */
export function decodeDocumentText(doc: SourceDocument): string {
  return decodeText(doc.path, doc.bytes).text;
}

/** A text document's content: strict UTF-8, no NUL bytes, `\n` line ends. */
export function decodeUtf8(doc: SourceDocument): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(doc.bytes);
  } catch {
    throw new DocumentError(
      'corrupt',
      `${doc.path} is not valid UTF-8 text: re-save it as UTF-8 (other encodings are not guessed)`,
    );
  }
  if (text.includes('\u0000')) {
    throw new DocumentError('corrupt', `${doc.path} contains binary data (NUL bytes), not text: it is damaged or misnamed`);
  }
  return text.replace(/\r\n?/g, '\n');
}
