import type { ImageSize } from './anthropic/tokens';
import { DocumentError } from './errors';
import type { SourceDocument } from './extractor';

/**
 * Limits checked before anything is decoded, so a decompression bomb or a PDF of endless pages is
 * refused from its header for the cost of reading a few bytes. Decoding an image takes about 4
 * bytes a pixel, several times over (RGBA, greyscale, binarised copies in OCR).
 */
export const decodeLimits = {
  /**
   * Largest image decoded, in pixels: 40 MP, above an A4 or Letter page scanned at 600 dpi (35 MP).
   * @default 40_000_000
   */
  maxPixels: 40_000_000,
  /** Most pages of a PDF whose text is read. @default 2000 */
  maxPages: 2000,
} as const;

/**
 * Fails an image whose header declares (`size`) no pixels (corrupt) or more than maxPixels
 * (too_large). An image whose header is unreadable passes: the decoder, isolated, reports what is
 * wrong. `page` names the page of a multi-page image (TIFF).
 */
export function checkImagePixels(document: SourceDocument, size: ImageSize | undefined, page?: number): void {
  if (size === undefined) return;
  const what = page === undefined ? document.path : `${document.path} page ${page}`;
  if (size.width === 0 || size.height === 0) {
    throw new DocumentError('corrupt', `${what} declares a ${size.width} x ${size.height} image (no pixels): the file is damaged; re-export or re-scan it`);
  }
  const pixels = size.width * size.height;
  if (pixels > decodeLimits.maxPixels) {
    throw new DocumentError(
      'too_large',
      `${what} is a ${size.width} x ${size.height} image (${megapixels(pixels)}), above the ${megapixels(decodeLimits.maxPixels)} docbatch decodes: scale it down (300 dpi is enough for OCR) and add it again`,
    );
  }
}

/** checkImagePixels for every page of an image whose page sizes were read from its header. */
export function checkPagePixels(document: SourceDocument, sizes: readonly (ImageSize | undefined)[]): void {
  sizes.forEach((size, index) => checkImagePixels(document, size, sizes.length > 1 ? index + 1 : undefined));
}

/** Fails a PDF with more pages than maxPages (too_large), before any page is read. */
export function checkPageCount(document: SourceDocument, pages: number): void {
  if (pages > decodeLimits.maxPages) {
    throw new DocumentError(
      'too_large',
      `${document.path} has ${pages} pages, above the ${decodeLimits.maxPages}-page limit: split it into smaller documents`,
    );
  }
}

/** The largest scale, up to `scale`, at which a page of `width` x `height` (at scale 1) stays within maxPixels. */
export function renderScaleWithinLimit(width: number, height: number, scale: number): number {
  const pixels = width * height * scale * scale;
  if (pixels <= decodeLimits.maxPixels) return scale;
  return scale * Math.sqrt(decodeLimits.maxPixels / pixels);
}

function megapixels(pixels: number): string {
  return `${(pixels / 1_000_000).toFixed(pixels < 10_000_000 ? 1 : 0)} MP`;
}
