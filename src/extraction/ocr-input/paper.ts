import { greyHistogram, type GrayImage } from './gray';
import { otsuThreshold } from './otsu';

/** Where the paper lies in a photo, in the coordinates of the image it was found in. */
export interface PaperRegion {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Per pixel of the region, row by row: 1 on the paper, 0 on what it lies on. */
  mask: Uint8Array;
  /** The paper's typical grey (what the background is painted with once cut out). */
  paper: number;
}

/**
 * A photo's paper has to be this much lighter than what it lies on (grey levels): a receipt on a
 * table, not a page whose margin is a little darker than its middle.
 */
const minPaperContrast = 40;

/**
 * A paper region that covers more than this share of the frame is the page itself (a scan, a
 * photo cropped to the page): nothing worth cutting out.
 */
const maxPaperShare = 0.8;

/** Less than this share of the frame is a label or a reflection, not the document. */
const minPaperShare = 0.02;

/**
 * The sheet of paper in a photo, when it lies on something darker (a receipt on a table, a page
 * on a desk): the light pixels (above Otsu's threshold) that are not reachable from the frame's
 * edge through dark ones are the background; the largest connected light area and everything it
 * encloses (its print) is the paper. Null when there is no such paper: a scan whose paper fills the
 * frame, a dark page, a paper hardly lighter than its background. Meant for a small copy of the
 * photo (a few hundred pixels a side), where print blurs into its paper.
 */
export function findPaper(image: GrayImage): PaperRegion | null {
  const { width, height, data } = image;
  const threshold = otsuThreshold(greyHistogram(image));
  const light = (i: number) => data[i]! > threshold;
  // The largest 4-connected light area.
  const label = new Int32Array(width * height).fill(-1);
  let best = { id: -1, size: 0 };
  const stack: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (label[start] !== -1 || !light(start)) continue;
    const id = start;
    let size = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      size++;
      const [x, y] = [i % width, Math.floor(i / width)];
      for (const n of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
        if (n >= 0 && label[n] === -1 && light(n)) {
          label[n] = id;
          stack.push(n);
        }
      }
    }
    if (size > best.size) best = { id, size };
  }
  if (best.id === -1) return null;
  // Background: reachable from the frame's edge without crossing the paper. What it does not reach is paper or print on it.
  const outside = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) stack.push(x, (height - 1) * width + x);
  for (let y = 0; y < height; y++) stack.push(y * width, y * width + width - 1);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (outside[i] || label[i] === best.id) continue;
    outside[i] = 1;
    const [x, y] = [i % width, Math.floor(i / width)];
    if (x > 0) stack.push(i - 1);
    if (x < width - 1) stack.push(i + 1);
    if (y > 0) stack.push(i - width);
    if (y < height - 1) stack.push(i + width);
  }
  let [left, top, right, bottom] = [width, height, -1, -1];
  let paperSum = 0;
  let paperCount = 0;
  let backgroundSum = 0;
  let backgroundCount = 0;
  for (let i = 0; i < data.length; i++) {
    if (outside[i]) {
      backgroundSum += data[i]!;
      backgroundCount++;
      continue;
    }
    const [x, y] = [i % width, Math.floor(i / width)];
    [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
    if (label[i] === best.id) {
      paperSum += data[i]!;
      paperCount++;
    }
  }
  const regionWidth = right - left + 1;
  const regionHeight = bottom - top + 1;
  const share = (regionWidth * regionHeight) / (width * height);
  if (backgroundCount === 0 || share > maxPaperShare || share < minPaperShare) return null;
  const paper = paperSum / paperCount;
  if (paper - backgroundSum / backgroundCount < minPaperContrast) return null;
  const mask = new Uint8Array(regionWidth * regionHeight);
  for (let y = 0; y < regionHeight; y++) {
    for (let x = 0; x < regionWidth; x++) mask[y * regionWidth + x] = outside[(top + y) * width + left + x] ? 0 : 1;
  }
  return { left, top, width: regionWidth, height: regionHeight, mask, paper: Math.round(paper) };
}
