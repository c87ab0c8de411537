import type { GrayImage } from './gray';

/** Skews a scan or photo of a page plausibly has; a larger angle is a rotated page, not a skewed one. */
const maxSkewDegrees = 6;

/**
 * The angle (degrees, positive = the text lines fall to the right, i.e. the page was turned
 * clockwise) by which a page's text lines are tilted, by the projection-profile method: ink pixels
 * are projected onto rows at each candidate angle, and the angle at which the rows are most
 * sharply split into lines and gaps (the largest sum of squared row counts) wins, to a tenth of a
 * degree. 0 when the page has no ink (grey levels at or below `inkAtOrBelow`).
 */
export function skewAngle(image: GrayImage, inkAtOrBelow: number): number {
  // Every ink pixel of a page at most ~1000 px wide counts the same as a full-resolution one.
  const step = Math.max(1, Math.ceil(image.width / 1000));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < image.height; y += step) {
    for (let x = 0; x < image.width; x += step) {
      if (image.data[y * image.width + x]! <= inkAtOrBelow) {
        xs.push(x / step);
        ys.push(y / step);
      }
    }
  }
  if (xs.length === 0) return 0;
  const rows = Math.ceil(Math.hypot(image.width, image.height) / step) + 2;
  const sharpness = (degrees: number): number => {
    const radians = (degrees * Math.PI) / 180;
    const [sin, cos] = [Math.sin(radians), Math.cos(radians)];
    const counts = new Float64Array(2 * rows);
    for (let i = 0; i < xs.length; i++) counts[Math.round(ys[i]! * cos - xs[i]! * sin) + rows]!++;
    let sum = 0;
    for (const count of counts) sum += count * count;
    return sum;
  };
  const bestOf = (from: number, to: number, by: number, start: number): number => {
    let best = start;
    let bestScore = sharpness(start);
    for (let degrees = from; degrees <= to + 1e-9; degrees += by) {
      const score = sharpness(degrees);
      if (score > bestScore) [best, bestScore] = [degrees, score];
    }
    return best;
  };
  const coarse = bestOf(-maxSkewDegrees, maxSkewDegrees, 0.5, 0);
  const fine = bestOf(coarse - 0.5, coarse + 0.5, 0.1, coarse);
  return Math.round(fine * 10) / 10;
}
