import { DocumentError } from './errors';
import type { SourceDocument } from './extractor';
import { recognizeText } from './ocr';
import { pageTextLayer, renderPagePng, withPdf } from './pdf';

export { pageCount } from './pdf';
export { terminateOcr } from './ocr';

/** A PDF page with fewer non-blank characters than this in its text layer is treated as a scan. */
const minTextLayerChars = 16;

/**
 * The text of a document, from its bytes alone: plain text decoded as strict UTF-8; PDFs from
 * their text layer, with lines rebuilt from item positions; images, and PDF pages without a text
 * layer (scans), through offline OCR. Throws DocumentError (corrupt, encrypted, empty, unreadable)
 * naming the document when there is no text to be had.
 */
export async function documentText(doc: SourceDocument): Promise<string> {
  const text = await rawText(doc);
  if (text.trim() === '') {
    throw new DocumentError(
      doc.mediaType === 'text/plain' ? 'empty' : 'unreadable',
      `${doc.path} contains no readable text${doc.mediaType === 'text/plain' ? '' : ' (not even by OCR)'}: check that it is the right file and not a blank scan`,
    );
  }
  return text;
}

async function rawText(doc: SourceDocument): Promise<string> {
  switch (doc.mediaType) {
    case 'text/plain':
      return decodeUtf8(doc);
    case 'application/pdf':
      return pdfText(doc);
    case 'image/png':
    case 'image/jpeg':
    case 'image/gif':
    case 'image/webp':
      return ocrImage(doc, doc.bytes);
  }
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

async function pdfText(doc: SourceDocument): Promise<string> {
  return withPdf(doc, async (pdf) => {
    const pages: string[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      try {
        const layer = await pageTextLayer(page);
        if (layer.replace(/\s/g, '').length >= minTextLayerChars) {
          pages.push(layer);
        } else {
          // No usable text layer: a scanned page. Render it and read it.
          pages.push(await ocrImage(doc, await renderPagePng(pdf, page)));
        }
      } finally {
        page.cleanup();
      }
    }
    return pages.join('\n\f\n');
  });
}

async function ocrImage(doc: SourceDocument, image: Buffer): Promise<string> {
  try {
    return await recognizeText(image);
  } catch (error) {
    throw new DocumentError(
      'unreadable',
      `${doc.path} could not be read by OCR (${error instanceof Error ? error.message : String(error)}): check that the image is not damaged`,
    );
  }
}
