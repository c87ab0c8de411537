import { createDeflate, deflateSync } from 'node:zlib';

/**
 * Broken and hostile documents built byte by byte, the way real backlogs contain them: PNGs with
 * damaged chunks, decompression bombs, PDFs a parser throws on. Nothing here is committed.
 */

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function ihdr(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return header;
}

/** A white greyscale PNG with a black bar, valid in every byte. */
export function validPng(width = 200, height = 100): Buffer {
  const rows = Buffer.alloc((width + 1) * height, 0xff);
  for (let y = 40; y < 60; y++) {
    rows[y * (width + 1)] = 0; // filter byte
    rows.fill(0, y * (width + 1) + 20, y * (width + 1) + width - 20);
  }
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0;
  return Buffer.concat([pngSignature, pngChunk('IHDR', ihdr(width, height)), pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A PNG whose IDAT chunk is damaged (a flipped byte: bad CRC, undecodable data): tesseract throws on it. */
export function damagedChunkPng(): Buffer {
  const png = Buffer.from(validPng());
  const idatData = pngSignature.length + 25 + 8; // signature, IHDR chunk, IDAT length + type
  png[idatData + 5]! ^= 0xff;
  return png;
}

/** A PNG cut off in the middle of its IDAT chunk. */
export function truncatedPng(): Buffer {
  const png = validPng();
  return png.subarray(0, pngSignature.length + 25 + 8 + 20);
}

/** A PNG whose header declares 0 x 0 pixels. */
export function zeroSizePng(): Buffer {
  return Buffer.concat([pngSignature, pngChunk('IHDR', ihdr(0, 0)), pngChunk('IDAT', deflateSync(Buffer.alloc(0))), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A decompression bomb: a valid `size` x `size` greyscale PNG of one colour. 20,000 x 20,000 is
 * 400 MB of pixels in ~400 KB of file; the rows are streamed through zlib, never held at once.
 */
export async function pngBomb(size = 20_000): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const compressed: Buffer[] = [];
  deflate.on('data', (data: Buffer) => compressed.push(data));
  const finished = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const rows = Buffer.alloc((size + 1) * 500, 0); // 500 rows at a time: filter byte 0 and black pixels
  for (let written = 0; written < size; written += 500) {
    if (!deflate.write(rows.subarray(0, (size + 1) * Math.min(500, size - written)))) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await finished;
  return Buffer.concat([pngSignature, pngChunk('IHDR', ihdr(size, size)), pngChunk('IDAT', Buffer.concat(compressed)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A baseline JPEG header (SOI, APP0, SOF0 of `width` x `height`) with no image data after it. */
export function truncatedJpeg(width = 800, height = 600): Buffer {
  const soi = [0xff, 0xd8];
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00];
  return Buffer.from([...soi, ...app0, ...sof0, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x12, 0x34]);
}

/** A JPEG whose frame header declares `width` x `height` (a bomb by its header). */
export function jpegBomb(): Buffer {
  return truncatedJpeg(65_000, 65_000);
}

/**
 * An uncompressed 8-bit greyscale TIFF with one page per size, each page's directory declaring its
 * size but carrying only 16 bytes of pixels: with a large size, a bomb by its header.
 */
export function tiffPages(sizes: { width: number; height: number }[]): Buffer {
  const entries = (width: number, height: number, strip: number): [number, number, number][] => [
    [254, 4, 0], // NewSubfileType: a page
    [256, 4, width],
    [257, 4, height],
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 1], // PhotometricInterpretation: black is zero
    [273, 4, strip], // StripOffsets
    [277, 3, 1], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip
    [279, 4, 16], // StripByteCounts
  ];
  const ifdBytes = 2 + 10 * 12 + 4;
  const pageBytes = ifdBytes + 16;
  const out = Buffer.alloc(8 + sizes.length * pageBytes);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  sizes.forEach(({ width, height }, index) => {
    const at = 8 + index * pageBytes;
    out.writeUInt16LE(10, at);
    entries(width, height, at + ifdBytes).forEach(([tag, type, value], entry) => {
      const offset = at + 2 + entry * 12;
      out.writeUInt16LE(tag, offset);
      out.writeUInt16LE(type, offset + 2);
      out.writeUInt32LE(1, offset + 4);
      if (type === 3) out.writeUInt16LE(value, offset + 8);
      else out.writeUInt32LE(value, offset + 8);
    });
    out.writeUInt32LE(index + 1 < sizes.length ? at + pageBytes : 0, at + 2 + 10 * 12);
    out.fill(0xff, at + ifdBytes, at + pageBytes);
  });
  return out;
}

/** A 24-bit BMP (BITMAPINFOHEADER) declaring `width` x `height` with 16 bytes of pixels: a bomb by its header. */
export function bmpBomb(width = 30_000, height = 30_000): Buffer {
  const out = Buffer.alloc(14 + 40 + 16, 0xff);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(0, 6);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26); // planes
  out.writeUInt16LE(24, 28); // bits per pixel
  out.fill(0, 30, 54); // no compression, default resolution and palette
  return out;
}

/** A HEIC whose `ispe` property declares `width` x `height`, with no coded image at all: a bomb by its header. */
export function heicBomb(width = 30_000, height = 30_000): Buffer {
  const box = (type: string, ...content: Buffer[]) => {
    const body = Buffer.concat(content);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + body.length, 0);
    header.write(type, 4, 'latin1');
    return Buffer.concat([header, body]);
  };
  const fullBox = (type: string, ...content: Buffer[]) => box(type, Buffer.alloc(4), ...content);
  const extent = Buffer.alloc(8);
  extent.writeUInt32BE(width, 0);
  extent.writeUInt32BE(height, 4);
  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), Buffer.alloc(4), Buffer.from('mif1heic', 'latin1'));
  return Buffer.concat([ftyp, fullBox('meta', box('iprp', box('ipco', fullBox('ispe', extent))))]);
}

/** A PDF header followed by bytes no PDF parser can make sense of: pdfjs throws. */
export function garbagePdf(): Buffer {
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
  return Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), garbage]);
}

/** A minimal, valid PDF of `pages` pages, each with a line of text, built by hand (xref included). */
export function textPdf(pages: number, line = (page: number) => `Invoice INV-${1000 + page} Total 12.50 EUR`): Buffer {
  const objects: string[] = [];
  const kids: string[] = [];
  // 1: catalog, 2: pages, 3: font, then page + content pairs.
  for (let page = 0; page < pages; page++) {
    const pageId = 4 + page * 2;
    kids.push(`${pageId} 0 R`);
    const content = `BT /F1 12 Tf 72 720 Td (${line(page + 1)}) Tj ET`;
    objects[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageId + 1} 0 R >>`;
    objects[pageId + 1] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  }
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  return pdfOfObjects(objects);
}

/** A PDF of numbered objects (`objects[id]`, from 1; the catalog is object 1), with the xref table a reader needs. */
export function pdfOfObjects(objects: readonly string[]): Buffer {
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
