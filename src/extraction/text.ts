import { DocumentError } from './errors';
import type { SourceDocument } from './extractor';
import { formatOf } from './formats';
import type { DocumentText } from './formats/text-block';

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
  return (await readDocumentText(doc)).text;
}

/** The text of a document as documentText reads it, with what OCR was sure of (formats/text-block.ts). */
export async function readDocumentText(doc: SourceDocument): Promise<DocumentText> {
  const format = formatOf(doc.mediaType);
  const text = await format.text(doc);
  if (text.text.trim() === '') {
    const scanned = format.mediaType.startsWith('image/') || format.mediaType === 'application/pdf';
    throw new DocumentError(
      scanned ? 'unreadable' : 'empty',
      `${doc.path} contains no readable text${scanned ? ' (not even by OCR)' : ''}: check that it is the right file and not a blank scan`,
    );
  }
  return text;
}
