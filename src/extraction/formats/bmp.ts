import { decode as decodeBmpImage } from 'bmp-ts';
import type { ImageSize } from '../anthropic/tokens';
import type { SourceDocument } from '../extractor';
import { checkImagePixels } from '../limits';
import type { DocumentFormat } from './format';
import { decodeError, imageProfile, ocrPages, pageImageBlocks, type RgbaImage } from './raster';

/** A BMP decoded to opaque RGBA (BMP's fourth byte is padding far more often than alpha). */
export function decodeBmp(bytes: Buffer): RgbaImage {
  const image = decodeBmpImage(bytes, { toRGBA: true });
  const data = new Uint8Array(image.data);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width: image.width, height: Math.abs(image.height), data };
}

/**
 * A BMP's pixel size from its DIB header, without decoding: 16-bit fields in the OS/2 core header
 * (12 bytes), signed 32-bit ones in every later header (a negative height is a top-down bitmap).
 * image-size reads only the later headers, so the two reads are done here.
 */
export function bmpSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.length < 26) return undefined;
  if (bytes.readUInt32LE(14) === 12) return { width: bytes.readUInt16LE(18), height: bytes.readUInt16LE(20) };
  return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
}

/** The image, checked against the pixel limit from its header before it is decoded. */
function decode(document: SourceDocument): RgbaImage {
  checkImagePixels(document, bmpSize(document.bytes));
  try {
    return decodeBmp(document.bytes);
  } catch (error) {
    throw decodeError(document, 'BMP', error);
  }
}

/** BMP (Windows bitmaps, some older scanners): OCR'd locally, sent to Claude as PNG. */
export const bmpFormat: DocumentFormat = {
  mediaType: 'image/bmp',
  label: 'BMP',
  detection: 'magic',
  extensions: ['.bmp', '.dib'],
  // "BM", then a DIB header size the format defines (12, 40, 52, 56, 64, 108, 124).
  matches: (bytes) => bytes.length > 18 && bytes.subarray(0, 2).toString('latin1') === 'BM' && [12, 40, 52, 56, 64, 108, 124].includes(bytes.readUInt32LE(14)),
  text: async (document) => ocrPages(document, [decode(document)]),
  content: async (document) => pageImageBlocks(document, [decode(document)]),
  profile: async (document) => imageProfile('image/bmp', document, [bmpSize(document.bytes)]),
};
