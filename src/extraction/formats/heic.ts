import decodeHeicImage from 'heic-decode';
import { imageSize as headerSize } from 'image-size';
import type { ImageSize } from '../anthropic/tokens';
import type { SourceDocument } from '../extractor';
import { checkImagePixels } from '../limits';
import type { DocumentFormat } from './format';
import { decodeError, imageProfile, ocrPages, pageImageBlocks, type RgbaImage } from './raster';

/** HEIF brands of still images (ISO/IEC 23008-12): HEVC-coded HEIC and generic HEIF; AVIF is not HEIC. */
const heifBrands = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

/** True for an ISO-BMFF `ftyp` box naming a HEIF brand (and, for generic mif1, no AVIF). */
export function isHeif(bytes: Buffer): boolean {
  if (bytes.length < 16 || bytes.subarray(4, 8).toString('latin1') !== 'ftyp') return false;
  const boxSize = Math.min(bytes.readUInt32BE(0), bytes.length, 256);
  const brands: string[] = [bytes.subarray(8, 12).toString('latin1')];
  for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(bytes.subarray(offset, offset + 4).toString('latin1'));
  if (brands.includes('avif') || brands.includes('avis')) return false;
  return heifBrands.has(brands[0]!);
}

/** The primary image of a HEIC/HEIF (libheif compiled to WASM, via heic-decode). */
export async function decodeHeic(bytes: Buffer): Promise<RgbaImage> {
  const image = await decodeHeicImage({ buffer: new Uint8Array(bytes) });
  return { width: image.width, height: image.height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
}

/**
 * A HEIC/HEIF's pixel size from its `ispe` (image spatial extent) properties, without decoding:
 * image-size walks meta/iprp/ipco and gives the largest image there (the primary image; grid
 * tiles and thumbnails are smaller). Undefined when the boxes are missing or the brand is one
 * image-size does not know (heim, heis).
 */
export function heicSize(bytes: Buffer): ImageSize | undefined {
  try {
    const { width, height } = headerSize(bytes);
    return { width, height };
  } catch {
    return undefined;
  }
}

/** The image, checked against the pixel limit from its header before it is decoded. */
async function decode(document: SourceDocument): Promise<RgbaImage> {
  checkImagePixels(document, heicSize(document.bytes));
  try {
    return await decodeHeic(document.bytes);
  } catch (error) {
    throw decodeError(document, 'HEIC', error);
  }
}

/** HEIC/HEIF (phone photos of receipts): OCR'd locally, sent to Claude as PNG/JPEG. */
export const heicFormat: DocumentFormat = {
  mediaType: 'image/heic',
  label: 'HEIC',
  detection: 'magic',
  extensions: ['.heic', '.heif', '.hif'],
  matches: isHeif,
  text: async (document) => ocrPages(document, [await decode(document)]),
  content: async (document) => pageImageBlocks(document, [await decode(document)]),
  // From the header when it states the size; a HEIF without `ispe` is decoded to learn it.
  profile: async (document) => {
    const size = heicSize(document.bytes) ?? (await decode(document));
    return imageProfile('image/heic', document, [{ width: size.width, height: size.height }]);
  },
};
