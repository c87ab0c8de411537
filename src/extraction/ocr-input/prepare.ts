import sharp, { type Sharp } from 'sharp';
import { dividedByBackground, faintInkLevels } from './flat-field';
import { greyHistogram, type GrayImage } from './gray';
import { inkAndPaper, otsuThreshold } from './otsu';
import { findPaper } from './paper';
import { skewAngle } from './skew';
import type { OcrPreparation } from './steps';
import { typicalLineHeight, upscaleFactor } from './text-height';

// A decoder process works on one document and there is one per core: libvips' own thread pool
// and its operation cache would only compete with the other decoders for the same cores and memory.
sharp.concurrency(1);
sharp.cache(false);

/** What upscaling may grow a page to (the 40 MP a document image may have, limits.ts). */
const maxPreparedPixels = 40_000_000;

/** Below this tilt a page is left as it is: turning it would only resample the glyphs. */
const minCorrectedSkewDegrees = 0.3;

/** What preparing one page did, for the bench and for debugging a scan. */
export interface PreparedPage {
  image: Buffer;
  /** The prepared image's size. */
  width: number;
  height: number;
  skewDegrees: number | null;
  scale: number;
  /** Where the paper was cut out of the photo (crop), in its upright pixels; null when it was not. */
  paper: { left: number; top: number; width: number; height: number } | null;
}

/**
 * A page image (PNG, JPEG, GIF, WEBP bytes) made ready for OCR by the chosen steps, as PNG: upright
 * (EXIF orientation), grey, the paper cut out of a photo, its light evened out, contrast stretched,
 * levelled, enlarged, binarised, in that order. With no step, the image itself (turned upright when its EXIF says so).
 */
export async function prepareForOcr(image: Buffer, steps: OcrPreparation): Promise<PreparedPage> {
  if (!Object.values(steps).some(Boolean)) {
    // A phone stores its sensor's pixels with the turn that makes them upright (EXIF orientation): OCR needs them upright.
    const { orientation, width = 0, height = 0 } = await sharp(image).metadata();
    if (orientation === undefined || orientation === 1) return { image, width, height, skewDegrees: null, scale: 1, paper: null };
    // Orientations 5 to 8 turn the image a quarter: its sides swap.
    const [uprightWidth, uprightHeight] = orientation >= 5 ? [height, width] : [width, height];
    return { image: await sharp(image).autoOrient().png({ compressionLevel: 1 }).toBuffer(), width: uprightWidth, height: uprightHeight, skewDegrees: null, scale: 1, paper: null };
  }
  let flat = sharp(image).autoOrient().flatten({ background: '#ffffff' }).greyscale();
  let paper: PreparedPage['paper'] = null;
  if (steps.crop) {
    const cut = await paperInPhoto(flat.clone());
    if (cut) {
      paper = cut.region;
      flat = fromGrey(cut.page);
    }
  }
  let page = await grey(flat.clone());
  if (steps.flatten) {
    page = dividedByBackground(page, await backgroundOf(page));
    flat = fromGrey(page);
  }
  // Tilt and line height are measured on a copy with sensor noise and JPEG speckle smoothed away
  // and no contrast stretch (which would make that noise look like ink); OCR never sees the copy.
  let measured = await grey(flat.clone().median(3));
  if (steps.contrast) {
    const { ink, paper } = inkAndPaper(greyHistogram(measured));
    // Ink to black, paper to white; a page that is all paper (or all ink) is left alone.
    if (paper - ink >= 16) page = await grey(fromGrey(page).linear(255 / (paper - ink), (-255 * ink) / (paper - ink)));
  }
  let skewDegrees: number | null = null;
  if (steps.deskew) {
    skewDegrees = skewAngle(measured, otsuThreshold(greyHistogram(measured)));
    if (Math.abs(skewDegrees) >= minCorrectedSkewDegrees) {
      page = await levelled(page, skewDegrees);
      measured = await levelled(measured, skewDegrees);
    }
  }
  let scale = 1;
  if (steps.upscale) {
    scale = upscaleFactor(typicalLineHeight(measured, otsuThreshold(greyHistogram(measured))), page.width, page.height, maxPreparedPixels);
    if (scale > 1) page = await grey(fromGrey(page).resize(Math.round(page.width * scale), Math.round(page.height * scale), { kernel: 'cubic' }));
  }
  if (steps.flatten) {
    // Division lifts the noise of dim paper with its ink, and faded print is hardly darker than that
    // noise: faded print is smoothed, then its faint ink stretched to black. Print that is not faded
    // keeps its edges (smoothed, a clean photo's thin strokes faded away: the I of INV-…). Only
    // OCR's copy, and after upscaling: smoothing 9 px lines first blurred small print out of reach.
    const smoothed = await grey(fromGrey(page).blur(flattenedNoiseSigma));
    const levels = faintInkLevels(greyHistogram(smoothed), flattenedInkShare);
    if (levels) page = await grey(fromGrey(smoothed).linear(255 / (levels.paper - levels.ink), (-255 * levels.ink) / (levels.paper - levels.ink)));
  }
  const prepared = steps.binarize ? fromGrey(page).threshold(otsuThreshold(greyHistogram(page)) + 1) : fromGrey(page);
  const { data, info } = await prepared.toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer({ resolveWithObject: true });
  return { image: data, width: info.width, height: info.height, skewDegrees, scale, paper };
}

/** The long side of the copy the paper is looked for in: print blurs into its paper, a receipt still spans dozens of pixels. */
const paperSearchSide = 400;

/**
 * The paper of a photo cut out (paper.ts): the frame around it cropped, and what it lies on inside
 * the crop (the corners a turned receipt leaves) painted the paper's grey, so that neither deskew
 * nor the line height nor OCR take the table for ink. Null when the image is the page itself.
 */
async function paperInPhoto(flat: Sharp): Promise<{ page: GrayImage; region: { left: number; top: number; width: number; height: number } } | null> {
  const page = await grey(flat.clone());
  const factor = Math.max(page.width, page.height) / paperSearchSide;
  if (factor < 1.5) return null;
  const small = await grey(flat.clone().resize(Math.round(page.width / factor), Math.round(page.height / factor), { kernel: 'linear' }).median(3));
  const found = findPaper(small);
  if (!found) return null;
  const [sx, sy] = [page.width / small.width, page.height / small.height];
  const left = Math.floor(found.left * sx);
  const top = Math.floor(found.top * sy);
  const width = Math.min(page.width - left, Math.ceil(found.width * sx));
  const height = Math.min(page.height - top, Math.ceil(found.height * sy));
  // A pixel is kept when its small-copy pixel and that pixel's four neighbours are paper: the paper's dark edge is painted too.
  const onPaper = (x: number, y: number) => x >= 0 && y >= 0 && x < found.width && y < found.height && found.mask[y * found.width + x] === 1;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const my = Math.min(found.height - 1, Math.floor((top + y) / sy) - found.top);
    for (let x = 0; x < width; x++) {
      const mx = Math.min(found.width - 1, Math.floor((left + x) / sx) - found.left);
      const kept = onPaper(mx, my) && onPaper(mx - 1, my) && onPaper(mx + 1, my) && onPaper(mx, my - 1) && onPaper(mx, my + 1);
      data[y * width + x] = kept ? page.data[(top + y) * page.width + left + x]! : found.paper;
    }
  }
  return { page: { width, height, data }, region: { left, top, width, height } };
}

/** The Gaussian blur (pixels) that smooths a flattened page's noise before OCR (σ 1 to 2 read the far, faded receipt photo about as well; 0.7 worse). */
const flattenedNoiseSigma = 1.5;

/** The share of a flattened page's pixels stretched to black: print is a few percent of a page; 1% read faded receipts better than 0.5% or 2%. */
const flattenedInkShare = 0.01;

/** The print is filtered out of a copy this many times smaller than the page (averaging 4 × 4 pixels keeps a receipt's lines a few pixels high)... */
const backgroundShrink = 4;

/**
 * ...in a window this share of the page's longer side wide (a median: ink is a minority of any
 * window a few text lines high), and what is left blurred: the paper's brightness where each
 * pixel lies, the page's size.
 */
const backgroundWindowShare = 1 / 20;

async function backgroundOf(page: GrayImage): Promise<GrayImage> {
  const [width, height] = [Math.max(1, Math.round(page.width / backgroundShrink)), Math.max(1, Math.round(page.height / backgroundShrink))];
  const small = await grey(fromGrey(page).resize(width, height, { kernel: 'linear', fit: 'fill' }));
  const window = Math.max(3, 2 * Math.round((Math.max(width, height) * backgroundWindowShare) / 2) + 1);
  const filtered = await grey(fromGrey(small).median(window));
  const blurred = await grey(fromGrey(filtered).blur(window / 2));
  return grey(fromGrey(blurred).resize(page.width, page.height, { kernel: 'linear', fit: 'fill' }));
}

/** The page turned back by its tilt; the corners it uncovers are filled with its paper's grey, not white, so they read as paper. */
function levelled(page: GrayImage, skewDegrees: number): Promise<GrayImage> {
  const paper = paperGrey(greyHistogram(page));
  return grey(fromGrey(page).rotate(-skewDegrees, { background: { r: paper, g: paper, b: paper } }));
}

/** The grey of the paper: the most common level. */
function paperGrey(histogram: readonly number[]): number {
  return histogram.indexOf(Math.max(...histogram));
}

function fromGrey(page: GrayImage): Sharp {
  return sharp(Buffer.from(page.data.buffer, page.data.byteOffset, page.data.byteLength), { raw: { width: page.width, height: page.height, channels: 1 } });
}

async function grey(pipeline: Sharp): Promise<GrayImage> {
  const { data, info } = await pipeline.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
