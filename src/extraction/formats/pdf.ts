import { assumedPdfPageChars, pdfTokens } from '../anthropic/tokens';
import type { SourceDocument } from '../extractor';
import { pageTextLayer, renderPagePng, withPdf } from '../pdf';
import type { DocumentFormat } from './format';
import { reportDecodeProgress } from '../isolation/progress';
import { checkPageCount } from '../limits';
import { ocrImage } from './raster';
import { joinPageTexts, type DocumentText } from './text-block';

/** A PDF page with fewer non-blank characters than this in its text layer is a scan. */
export const minTextLayerChars = 16;

export function isScannedPage(textLayer: string): boolean {
  return textLayer.replace(/\s/g, '').length < minTextLayerChars;
}

/**
 * PDF: text from each page's text layer, pages without one (scans) rendered and OCR'd; sent to
 * Claude as a base64 `document` block (the model sees each page's image and text layer).
 */
export const pdfFormat: DocumentFormat = {
  mediaType: 'application/pdf',
  label: 'PDF',
  detection: 'magic',
  extensions: ['.pdf'],
  // PDF readers accept the header anywhere in the first 1024 bytes; so do we.
  matches: (bytes) => bytes.subarray(0, 1024).includes('%PDF-'),
  text: pdfText,
  content: async (document) => [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: document.bytes.toString('base64') } }],
  profile: (document, readPagesUpTo) =>
    withPdf(document, async (pdf) => {
      let textChars = 0;
      let scannedPages = 0;
      const readPages = Math.min(pdf.numPages, readPagesUpTo);
      for (let number = 1; number <= readPages; number++) {
        const page = await pdf.getPage(number);
        try {
          const layer = await pageTextLayer(page);
          textChars += layer.replace(/\s/g, '').length;
          if (isScannedPage(layer)) scannedPages++;
        } finally {
          page.cleanup();
        }
      }
      const assumedChars = textChars + (pdf.numPages - readPages) * assumedPdfPageChars;
      return { mediaType: 'application/pdf', bytes: document.bytes.length, pages: pdf.numPages, textChars, scannedPages, tokens: pdfTokens(pdf.numPages, assumedChars) };
    }),
};

async function pdfText(document: SourceDocument): Promise<DocumentText> {
  return withPdf(document, async (pdf) => {
    checkPageCount(document, pdf.numPages);
    const pages: DocumentText[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      try {
        const layer = await pageTextLayer(page);
        // No usable text layer: a scanned page. Render it and read it.
        pages.push(isScannedPage(layer) ? await ocrImage(document, await renderPagePng(pdf, page)) : { text: layer });
      } finally {
        page.cleanup();
      }
      reportDecodeProgress();
    }
    return joinPageTexts(pages);
  });
}
