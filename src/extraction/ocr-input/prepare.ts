import sharp, { type Sharp } from 'sharp';
import { greyHistogram, type GrayImage } from './gray';
import { inkAndPaper, otsuThreshold } from './otsu';
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
  skewDegrees: number | null;
  scale: number;
}

/**
 * A page image (PNG, JPEG, GIF, WEBP bytes) made ready for OCR by the chosen steps, as PNG: grey,
 * contrast stretched, levelled, enlarged, binarised, in that order. With no step, the image itself.
 */
export async function prepareForOcr(image: Buffer, steps: OcrPreparation): Promise<PreparedPage> {
  if (!Object.values(steps).some(Boolean)) return { image, skewDegrees: null, scale: 1 };
  const flat = sharp(image).flatten({ background: '#ffffff' }).greyscale();
  let page = await grey(flat.clone());
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
  const prepared = steps.binarize ? fromGrey(page).threshold(otsuThreshold(greyHistogram(page)) + 1) : fromGrey(page);
  return { image: await prepared.toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer(), skewDegrees, scale };
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
