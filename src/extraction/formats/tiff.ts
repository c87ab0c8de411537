import UTIF from 'utif2';
import type { ImageSize } from '../anthropic/tokens';
import type { SourceDocument } from '../extractor';
import { checkPagePixels } from '../limits';
import type { DocumentFormat } from './format';
import { startsWith } from './image';
import { decodeError, imageProfile, ocrPages, pageImageBlocks, type RgbaImage } from './raster';

/**
 * The page directories of a TIFF: every top-level image (scanners write one per page), without
 * the thumbnails and masks some writers add (NewSubfileType bit 0 "reduced resolution", bit 2 "mask").
 * utif2's `decode` reads only the directories (tags), no pixel data.
 */
function tiffPages(bytes: Buffer): UTIF.IFD[] {
  const ifds = UTIF.decode(bytes).filter((ifd) => {
    const subfileType = (ifd.t254 as number[] | undefined)?.[0] ?? 0;
    return (subfileType & 0b101) === 0 && ifd.t256 !== undefined && ifd.t257 !== undefined;
  });
  if (ifds.length === 0) throw new Error('no image directory');
  return ifds;
}

/** A page's size from its ImageWidth (256) and ImageLength (257) tags. */
function pageSize(ifd: UTIF.IFD): ImageSize {
  return { width: (ifd.t256 as number[])[0]!, height: (ifd.t257 as number[])[0]! };
}

/** Every page's pixel size from the TIFF's directories, without decoding an image. */
export function tiffPageSizes(bytes: Buffer): ImageSize[] {
  return tiffPages(bytes).map(pageSize);
}

/** Every page of a TIFF decoded to RGBA (any compression utif2 reads: none, LZW, Deflate, PackBits, CCITT G3/G4, JPEG). */
export function decodeTiff(bytes: Buffer): RgbaImage[] {
  return tiffPages(bytes).map((ifd) => {
    UTIF.decodeImage(bytes, ifd);
    return { width: ifd.width, height: ifd.height, data: UTIF.toRGBA8(ifd) };
  });
}

function pageSizes(document: SourceDocument): ImageSize[] {
  try {
    return tiffPageSizes(document.bytes);
  } catch (error) {
    throw decodeError(document, 'TIFF', error);
  }
}

/** The pages, each checked against the pixel limit from its directory before anything is decoded. */
function decode(document: SourceDocument): RgbaImage[] {
  checkPagePixels(document, pageSizes(document));
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
  profile: async (document) => imageProfile('image/tiff', document, pageSizes(document)),
};
