/** Pixel dimensions of an image. */
export interface ImageSize {
  width: number;
  height: number;
}

/**
 * How many input tokens Claude bills for content, predicted without calling the API. Used by
 * `docbatch run --estimate`, by the rate limiter's input-token budget, and by the emulator's
 * usage accounting. Heuristics (from the vision and PDF-support docs, not a tokenizer):
 * - text: one token per 4 characters (English prose and invoice tables run 3.5-4.5);
 * - images: scaled down to fit 1568 px on the long edge and about 1.15 megapixels, then
 *   width x height / 750 tokens (a full-page scan is about 1,550 tokens);
 * - PDFs: every page is sent both as an image and as its text layer, so a page costs a page image
 *   (1,550 tokens) plus its text.
 */
export const charsPerToken = 4;
export const pdfPageImageTokens = 1550;
/** Text per PDF page assumed when the text layer has not been read (a dense invoice page). */
export const assumedPdfPageChars = 2000;
const maxLongEdge = 1568;
const maxPixels = 1_150_000;

export function textTokens(text: string | number): number {
  const chars = typeof text === 'number' ? text : text.length;
  return Math.ceil(chars / charsPerToken);
}

export function imageTokens(size: ImageSize | undefined): number {
  if (size === undefined || size.width <= 0 || size.height <= 0) return pdfPageImageTokens;
  let { width, height } = size;
  const edgeScale = Math.min(1, maxLongEdge / Math.max(width, height));
  width *= edgeScale;
  height *= edgeScale;
  const areaScale = Math.min(1, Math.sqrt(maxPixels / (width * height)));
  return Math.max(1, Math.ceil((width * areaScale * height * areaScale) / 750));
}

export function pdfTokens(pages: number, textChars: number = pages * assumedPdfPageChars): number {
  return pages * pdfPageImageTokens + textTokens(textChars);
}
