import type { SourceDocument } from '../extractor';
import { pageTextLayer, withPdf } from '../pdf';
import type { DocumentProfile } from './routing';

/** A PDF page with fewer non-blank characters than this in its text layer is a scan. */
const minTextLayerChars = 16;

/**
 * The routing facts of a document, from its bytes: page count and, for PDFs, how much text layer
 * each page has. Text layers are read only up to `readPagesUpTo` pages — beyond that the document
 * is long, and routing needs nothing more — and never OCR'd: a page without one counts as scanned.
 */
export async function profileDocument(document: SourceDocument, readPagesUpTo: number): Promise<DocumentProfile> {
  const base = { mediaType: document.mediaType, bytes: document.bytes.length };
  if (document.mediaType === 'text/plain') return { ...base, pages: 1, textChars: document.bytes.length, scannedPages: 0 };
  if (document.mediaType !== 'application/pdf') return { ...base, pages: 1, textChars: 0, scannedPages: 1 };
  return withPdf(document, async (pdf) => {
    let textChars = 0;
    let scannedPages = 0;
    for (let number = 1; number <= Math.min(pdf.numPages, readPagesUpTo); number++) {
      const page = await pdf.getPage(number);
      try {
        const chars = (await pageTextLayer(page)).replace(/\s/g, '').length;
        textChars += chars;
        if (chars < minTextLayerChars) scannedPages++;
      } finally {
        page.cleanup();
      }
    }
    return { ...base, pages: pdf.numPages, textChars, scannedPages };
  });
}
