import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { encode as encodePngImage } from 'fast-png';
import { imageTokens } from '../anthropic/tokens';
import { DocumentError } from '../errors';
import type { SourceDocument } from '../extractor';
import { reportDecodeProgress } from '../isolation/progress';
import { recognizeText } from '../ocr';
import type { DocumentProfile, MediaType } from './format';
import { joinPageTexts, type DocumentText } from './text-block';

/** A decoded page: 8-bit RGBA pixels, row by row. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The Messages API's image limits (vision docs): images in one request, bytes of one image, and
 * the long edge. Images are sent already scaled the way the API would scale them (1568 px long
 * edge, ~1.15 megapixels), so the model sees the same pixels and the request stays small.
 */
export const apiImageLimits = { maxImagesPerRequest: 100, maxImageBytes: 5 * 1024 * 1024, maxLongEdge: 1568, maxPixels: 1_150_000 };

/** A flat, opaque copy: transparent pixels become white (scanners' paper), alpha is dropped to 255. */
export function onWhite(image: RgbaImage): RgbaImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = image.data[i + 3]! / 255;
    data[i] = Math.round(image.data[i]! * alpha + 255 * (1 - alpha));
    data[i + 1] = Math.round(image.data[i + 1]! * alpha + 255 * (1 - alpha));
    data[i + 2] = Math.round(image.data[i + 2]! * alpha + 255 * (1 - alpha));
    data[i + 3] = 255;
  }
  return { width: image.width, height: image.height, data };
}

/** An opaque image as an 8-bit RGB PNG (the alpha channel dropped). */
export function encodePng(image: RgbaImage): Buffer {
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, o = 0; i < image.data.length; i += 4, o += 3) rgb.set(image.data.subarray(i, i + 3), o);
  return Buffer.from(encodePngImage({ width: image.width, height: image.height, data: rgb, channels: 3, depth: 8 }));
}

/** The size the API scales an image to: at most 1568 px on the long edge and ~1.15 megapixels. */
export function apiScaledSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, apiImageLimits.maxLongEdge / Math.max(width, height), Math.sqrt(apiImageLimits.maxPixels / (width * height)));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** Area-averaging downscale (each target pixel is the mean of the source pixels it covers). */
export function downscale(image: RgbaImage, width: number, height: number): RgbaImage {
  if (width >= image.width && height >= image.height) return image;
  const data = new Uint8Array(width * height * 4);
  const xRatio = image.width / width;
  const yRatio = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * yRatio);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * yRatio));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * xRatio);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * xRatio));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let i = (sy * image.width + x0) * 4, end = (sy * image.width + x1) * 4; i < end; i += 4) {
          r += image.data[i]!;
          g += image.data[i + 1]!;
          b += image.data[i + 2]!;
          a += image.data[i + 3]!;
        }
      }
      const count = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      data[o] = Math.round(r / count);
      data[o + 1] = Math.round(g / count);
      data[o + 2] = Math.round(b / count);
      data[o + 3] = Math.round(a / count);
    }
  }
  return { width, height, data };
}

/**
 * One page as a Messages API image block: scaled as the API would scale it, then PNG (lossless,
 * best for text). At 1.15 megapixels an RGB PNG is at most ~3.5 MB even for pure noise (4.6 MB in
 * base64), so it always fits the API's 5 MB per-image limit, and 1568 px is far below its 8000 px.
 */
export function pageImageBlock(page: RgbaImage): ContentBlockParam {
  const size = apiScaledSize(page.width, page.height);
  const png = encodePng(onWhite(downscale(page, size.width, size.height)));
  return { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png.toString('base64') } };
}

/** Content blocks for a decoded multi-page image, within the API's image count. */
export function pageImageBlocks(document: SourceDocument, pages: readonly RgbaImage[]): ContentBlockParam[] {
  if (pages.length > apiImageLimits.maxImagesPerRequest) {
    throw new DocumentError(
      'too_large',
      `${document.path} has ${pages.length} pages, above the ${apiImageLimits.maxImagesPerRequest} images the Messages API takes in one request: split it into smaller files`,
    );
  }
  return pages.map(pageImageBlock);
}

/** Offline text of decoded pages: each page OCR'd (as a lossless PNG at full resolution), pages joined. */
export async function ocrPages(document: SourceDocument, pages: readonly RgbaImage[]): Promise<DocumentText> {
  const texts: DocumentText[] = [];
  for (const page of pages) {
    texts.push(await ocrImage(document, encodePng(onWhite(page))));
    reportDecodeProgress();
  }
  return joinPageTexts(texts);
}

/** OCR of one encoded image, its failure a DocumentError naming the document. */
export async function ocrImage(document: SourceDocument, image: Buffer): Promise<DocumentText> {
  try {
    return await recognizeText(image);
  } catch (error) {
    throw new DocumentError(
      'unreadable',
      `${document.path} could not be read by OCR (${error instanceof Error ? error.message : String(error)}): check that the image is not damaged`,
    );
  }
}

/** The routing profile of an image document whose page sizes are known: every page needs vision. */
export function imageProfile(mediaType: MediaType, document: SourceDocument, sizes: readonly ({ width: number; height: number } | undefined)[]): DocumentProfile {
  return {
    mediaType,
    bytes: document.bytes.length,
    pages: sizes.length,
    textChars: 0,
    scannedPages: sizes.length,
    tokens: sizes.reduce((sum, size) => sum + imageTokens(size), 0),
  };
}

/** A decoder's failure as a `corrupt` DocumentError that names the document and the format. */
export function decodeError(document: SourceDocument, label: string, error: unknown): DocumentError {
  return new DocumentError(
    'corrupt',
    `${document.path} is a damaged ${label} image (${error instanceof Error ? error.message : String(error)}): re-scan or re-export it`,
  );
}
