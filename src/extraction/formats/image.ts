import type { ImageSize } from '../anthropic/tokens';
import type { SourceDocument } from '../extractor';
import type { DocumentFormat, MediaType } from './format';
import { checkImagePixels } from '../limits';
import { imageProfile, ocrImage } from './raster';

type ApiImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/**
 * An image format the Messages API takes as it is (png, jpeg, gif, webp): detected by its magic
 * number, read offline by OCR, sent as one base64 image block.
 */
function apiImageFormat(mediaType: ApiImageType, label: string, extensions: string[], matches: (bytes: Buffer) => boolean): DocumentFormat {
  return {
    mediaType,
    label,
    detection: 'magic',
    extensions,
    matches,
    text: async (document) => {
      checkImagePixels(document, imageSize(mediaType, document.bytes));
      return ocrImage(document, document.bytes);
    },
    content: async (document) => [{ type: 'image', source: { type: 'base64', media_type: mediaType, data: document.bytes.toString('base64') } }],
    profile: async (document: SourceDocument) => imageProfile(mediaType, document, [imageSize(mediaType, document.bytes)]),
  };
}

export const pngFormat = apiImageFormat('image/png', 'PNG', ['.png'], (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
export const jpegFormat = apiImageFormat('image/jpeg', 'JPEG', ['.jpg', '.jpeg'], (b) => startsWith(b, [0xff, 0xd8, 0xff]));
export const gifFormat = apiImageFormat('image/gif', 'GIF', ['.gif'], (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')));
export const webpFormat = apiImageFormat(
  'image/webp',
  'WEBP',
  ['.webp'],
  (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
);

export function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

/**
 * Pixel dimensions of a PNG, JPEG, GIF or WEBP from its header alone (no decoding), or undefined
 * when the header is not one docbatch recognises. Used to predict vision token counts.
 */
export function imageSize(mediaType: MediaType, bytes: Buffer): ImageSize | undefined {
  try {
    switch (mediaType) {
      case 'image/png':
        return bytes.length >= 24 ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : undefined;
      case 'image/gif':
        return bytes.length >= 10 ? { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) } : undefined;
      case 'image/jpeg':
        return jpegSize(bytes);
      case 'image/webp':
        return webpSize(bytes);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the dimensions. */
function jpegSize(bytes: Buffer): ImageSize | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    const length = bytes.readUInt16BE(offset + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    offset += 2 + length;
  }
  return undefined;
}

function webpSize(bytes: Buffer): ImageSize | undefined {
  const chunk = bytes.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8X') return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  return undefined;
}
