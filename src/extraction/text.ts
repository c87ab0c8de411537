import { decodeText } from './encoding';
import { DocumentError } from './errors';
import type { SourceDocument } from './extractor';
import { checkImagePixels, checkPageCount } from './limits';
import { recognizeText } from './ocr';
import { pageTextLayer, renderPagePng, withPdf } from './pdf';

export { pageCount } from './pdf';
export { terminateOcr } from './ocr';

/** A PDF page with fewer non-blank characters than this in its text layer is treated as a scan. */
const minTextLayerChars = 16;

/**
 * The text of a document, from its bytes alone: plain text decoded in its detected encoding (encoding.ts); PDFs from
 * their text layer, with lines rebuilt from item positions; images, and PDF pages without a text
 * layer (scans), through offline OCR. Throws DocumentError (corrupt, encrypted, empty, unreadable)
 * naming the document when there is no text to be had.
 */
export async function documentText(doc: SourceDocument, progress: DecodeProgress = {}): Promise<string> {
  const text = await rawText(doc, progress);
  if (text.trim() === '') {
    throw new DocumentError(
      doc.mediaType === 'text/plain' ? 'empty' : 'unreadable',
      `${doc.path} contains no readable text${doc.mediaType === 'text/plain' ? '' : ' (not even by OCR)'}: check that it is the right file and not a blank scan`,
    );
  }
  return text;
}

export interface DecodeProgress {
  /** Called after each page is read: a long document is making progress, not hung. */
  onPage?: () => void;
}

async function rawText(doc: SourceDocument, progress: DecodeProgress): Promise<string> {
  switch (doc.mediaType) {
    case 'text/plain':
      return decodeText(doc.path, doc.bytes).text;
    case 'application/pdf':
      return pdfText(doc, progress);
    case 'image/png':
    case 'image/jpeg':
    case 'image/gif':
    case 'image/webp':
      checkImagePixels(doc);
      return ocrImage(doc, doc.bytes);
  }
}

async function pdfText(doc: SourceDocument, progress: DecodeProgress): Promise<string> {
  return withPdf(doc, async (pdf) => {
    checkPageCount(doc, pdf.numPages);
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
      progress.onPage?.();
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
