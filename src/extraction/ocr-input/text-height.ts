import type { GrayImage } from './gray';

/**
 * The typical height in pixels of a page's text lines (ascender to descender): the median height
 * of the runs of rows that hold ink, on a page that is level. Null without text lines. Runs of a
 * single row (rules, specks) are not lines.
 */
export function typicalLineHeight(image: GrayImage, inkAtOrBelow: number): number | null {
  const heights: number[] = [];
  let run = 0;
  for (let y = 0; y <= image.height; y++) {
    let ink = 0;
    if (y < image.height) {
      for (let x = 0; x < image.width; x++) if (image.data[y * image.width + x]! <= inkAtOrBelow) ink++;
    }
    // A row belongs to a line when a few pixels in a thousand are ink: noise alone stays below.
    if (ink * 1000 > image.width * 3) {
      run++;
    } else {
      if (run > 1) heights.push(run);
      run = 0;
    }
  }
  if (heights.length === 0) return null;
  heights.sort((a, b) => a - b);
  return heights[Math.floor(heights.length / 2)]!;
}

/** Small text is enlarged to lines about this many pixels high (an x-height of ~20 px). */
export const readableLineHeight = 40;

/**
 * Lines this high or higher are left as they are: tesseract reads them well, and enlarging them
 * only blurs the glyphs (a till receipt in capitals at 216 dpi, 22 px lines, read worse enlarged;
 * 72 dpi print, 9 px lines, read twice as well).
 */
export const smallLineHeight = 20;

/**
 * How much to enlarge a page so its typical line is readable: 1 when it already is (or nothing
 * was measured), never more than 3×, and never beyond `maxPixels`.
 */
export function upscaleFactor(lineHeight: number | null, width: number, height: number, maxPixels: number): number {
  if (lineHeight === null || lineHeight >= smallLineHeight) return 1;
  const wanted = Math.min(3, readableLineHeight / lineHeight);
  const allowed = Math.sqrt(maxPixels / (width * height));
  const factor = Math.min(wanted, allowed);
  return factor > 1.1 ? Math.round(factor * 100) / 100 : 1;
}
