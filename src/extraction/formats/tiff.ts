import UTIF from 'utif2';
import type { SourceDocument } from '../extractor';
import type { DocumentFormat } from './format';
import { startsWith } from './image';
import { decodeError, imageProfile, ocrPages, pageImageBlocks, type RgbaImage } from './raster';

/**
 * The page directories of a TIFF: every top-level image (scanners write one per page), without
 * the thumbnails and masks some writers add (NewSubfileType bit 0 "reduced resolution", bit 2 "mask").
 */
function tiffPages(bytes: Buffer): UTIF.IFD[] {
  const ifds = UTIF.decode(bytes).filter((ifd) => {
    const subfileType = (ifd.t254 as number[] | undefined)?.[0] ?? 0;
    return (subfileType & 0b101) === 0 && ifd.t256 !== undefined && ifd.t257 !== undefined;
  });
  if (ifds.length === 0) throw new Error('no image directory');
  return ifds;
}

/** Every page of a TIFF decoded to RGBA (any compression utif2 reads: none, LZW, Deflate, PackBits, CCITT G3/G4, JPEG). */
export function decodeTiff(bytes: Buffer): RgbaImage[] {
  return tiffPages(bytes).map((ifd) => {
    UTIF.decodeImage(bytes, ifd);
    return { width: ifd.width, height: ifd.height, data: UTIF.toRGBA8(ifd) };
  });
}

function decode(document: SourceDocument): RgbaImage[] {
  try {
    return decodeTiff(document.bytes);
  } catch (error) {
    throw decodeError(document, 'TIFF', error);
  }
}

/**
 * TIFF, what scanners write, often one file per multi-page document: each page OCR'd locally, and
 * sent to Claude as one PNG (or JPEG) image block per page, since the API takes no TIFF.
 */
export const tiffFormat: DocumentFormat = {
  mediaType: 'image/tiff',
  label: 'TIFF',
  detection: 'magic',
  extensions: ['.tif', '.tiff'],
  matches: (bytes) => startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]),
  text: async (document) => ocrPages(document, decode(document)),
  content: async (document) => pageImageBlocks(document, decode(document)),
  profile: async (document) => {
    let sizes: { width: number; height: number }[];
    try {
      sizes = tiffPages(document.bytes).map((ifd) => ({ width: (ifd.t256 as number[])[0]!, height: (ifd.t257 as number[])[0]! }));
    } catch (error) {
      throw decodeError(document, 'TIFF', error);
    }
    return imageProfile('image/tiff', document, sizes);
  },
};
