/** An 8-bit grey image, one byte a pixel, row by row: what the analyses of OCR input look at. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** How many pixels have each grey level (256 bins). */
export function greyHistogram(image: GrayImage): number[] {
  const counts = new Array<number>(256).fill(0);
  for (const value of image.data) counts[value]!++;
  return counts;
}
