import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { bmpBomb, damagedChunkPng, garbagePdf, heicBomb, jpegBomb, pngBomb, textPdf, tiffPages, truncatedJpeg, truncatedPng, validPng, zeroSizePng } from './bad-documents';
import { samplesDir } from './batch';

/** What a batch must make of one kind of input: its result line's status, error type and encoding. */
export interface Expected {
  status: 'succeeded' | 'failed';
  /** The error type of a failed document. */
  type?: string;
  /** The encoding recorded for a text document. */
  encoding?: string;
}

export interface CorpusKind {
  kind: string;
  /** Path inside the batch directory (may hold directories, spaces, newlines, non-ASCII). */
  file: string;
  bytes: () => Buffer | Promise<Buffer>;
  expected: Expected;
}

const invoiceText = [
  'RECHNUNG / INVOICE',
  'Invoice number: RE-2024-0117',
  'Invoice date: 2024-03-12',
  'Due date: 2024-04-11',
  'From: Müller & Söhne GmbH, Königstraße 5, München',
  'Bill to: Café Crème SARL, Genève',
  'Subtotal: 1,037.45 EUR',
  'Tax: 197.11 EUR',
  'Total: 1,234.56 EUR',
  '',
].join('\r\n');
/** Windows-1252 text has its euro sign and typographic quotes in 0x80-0x9F. */
const windowsText = `${invoiceText}Note: “payable on receipt” – thank you €\r\n`;

const sample = (name: string) => () => readFile(path.join(samplesDir, name));
const text = (value: string, encoding = 'utf-8') => () => iconv.encode(value, encoding);
const withBom = (bom: number[], value: string, encoding: string) => () => Buffer.concat([Buffer.from(bom), iconv.encode(value, encoding)]);
const failed = (type: string): Expected => ({ status: 'failed', type });
const succeeded = (encoding?: string): Expected => (encoding === undefined ? { status: 'succeeded' } : { status: 'succeeded', encoding });

/**
 * Inputs found in real backlogs, one of each kind, with the outcome docbatch gives each. Kinds that
 * docbatch does not read yet (RTF, OLE, archives) have a clear unsupported_type outcome; when a
 * format becomes readable (as HTML did), its line here changes to `succeeded`.
 */
export const badInputCorpus: CorpusKind[] = [
  // PDFs
  { kind: 'empty PDF', file: 'pdf/empty.pdf', bytes: () => Buffer.alloc(0), expected: failed('empty') },
  { kind: 'truncated PDF (header and half an object)', file: 'pdf/truncated.pdf', bytes: () => textPdf(1).subarray(0, 60), expected: failed('corrupt') },
  { kind: 'corrupt PDF (pdfjs throws)', file: 'pdf/corrupt.pdf', bytes: garbagePdf, expected: failed('corrupt') },
  { kind: 'encrypted PDF', file: 'pdf/encrypted.pdf', bytes: sample('broken-encrypted.pdf'), expected: failed('encrypted') },
  { kind: 'PDF of 3,000 pages', file: 'pdf/3000-pages.pdf', bytes: () => textPdf(3000), expected: failed('too_large') },
  { kind: 'valid hand-built PDF', file: 'pdf/one-page.pdf', bytes: () => textPdf(1), expected: succeeded() },
  // Images
  { kind: 'PNG with a damaged chunk', file: 'images/damaged-chunk.png', bytes: damagedChunkPng, expected: failed('unreadable') },
  { kind: 'truncated PNG', file: 'images/truncated.png', bytes: truncatedPng, expected: failed('unreadable') },
  { kind: 'truncated JPEG', file: 'images/truncated.jpg', bytes: () => truncatedJpeg(), expected: failed('unreadable') },
  { kind: 'PNG bomb (10,000 x 10,000 in a few hundred KB)', file: 'images/bomb.png', bytes: () => pngBomb(10_000), expected: failed('too_large') },
  { kind: 'JPEG bomb by its header (65,000 x 65,000)', file: 'images/bomb.jpg', bytes: jpegBomb, expected: failed('too_large') },
  { kind: 'TIFF bomb by its directory (30,000 x 30,000, 16 bytes of pixels)', file: 'images/bomb.tiff', bytes: () => tiffPages([{ width: 30_000, height: 30_000 }]), expected: failed('too_large') },
  { kind: 'BMP bomb by its header (30,000 x 30,000)', file: 'images/bomb.bmp', bytes: () => bmpBomb(), expected: failed('too_large') },
  { kind: 'HEIC bomb by its ispe box (30,000 x 30,000)', file: 'images/bomb.heic', bytes: () => heicBomb(), expected: failed('too_large') },
  { kind: 'zero-size PNG (0 x 0)', file: 'images/zero-size.png', bytes: zeroSizePng, expected: failed('corrupt') },
  { kind: 'blank PNG (no text to read)', file: 'images/blank.png', bytes: () => validPng(), expected: failed('unreadable') },
  // Text and encodings
  { kind: 'text with NUL bytes', file: 'text/nul-bytes.txt', bytes: () => Buffer.from('Invoice\u0000\u0001\u0000\u0013 total\u0000\u0000\u0007 12.50'), expected: failed('corrupt') },
  { kind: 'whitespace-only text', file: 'text/blank.txt', bytes: text(' \r\n\t \n'), expected: failed('empty') },
  { kind: 'UTF-8', file: 'text/utf-8.txt', bytes: text(invoiceText), expected: succeeded('utf-8') },
  { kind: 'UTF-8 with BOM', file: 'text/utf-8-bom.txt', bytes: withBom([0xef, 0xbb, 0xbf], invoiceText, 'utf-8'), expected: succeeded('utf-8') },
  { kind: 'UTF-16 LE with BOM', file: 'text/utf-16le.txt', bytes: withBom([0xff, 0xfe], invoiceText, 'utf-16le'), expected: succeeded('utf-16le') },
  { kind: 'UTF-16 BE with BOM', file: 'text/utf-16be.txt', bytes: withBom([0xfe, 0xff], invoiceText, 'utf-16be'), expected: succeeded('utf-16be') },
  { kind: 'Windows-1252', file: 'text/windows-1252.txt', bytes: text(windowsText, 'windows-1252'), expected: succeeded('windows-1252') },
  { kind: 'ISO-8859-1', file: 'text/iso-8859-1.txt', bytes: text(invoiceText, 'iso-8859-1'), expected: succeeded('iso-8859-1') },
  { kind: 'ISO-8859-15', file: 'text/iso-8859-15.txt', bytes: text(`${invoiceText}Total: 1.234,56 €\r\n`, 'iso-8859-15'), expected: succeeded('iso-8859-15') },
  // Misnamed files: the bytes decide
  { kind: 'text named .pdf', file: 'misnamed/text.pdf', bytes: text(invoiceText), expected: failed('corrupt') },
  { kind: 'PNG named .jpg', file: 'misnamed/png.jpg', bytes: () => validPng(), expected: failed('corrupt') },
  { kind: 'PDF named .txt (read as the PDF it is)', file: 'misnamed/pdf.txt', bytes: () => textPdf(1), expected: succeeded() },
  // Formats docbatch does not read (yet)
  { kind: 'ZIP archive', file: 'other/archive.zip', bytes: () => Buffer.from('504b0304140000000000', 'hex'), expected: failed('unsupported_type') },
  { kind: 'gzip archive', file: 'other/invoices.txt.gz', bytes: () => gzipSync(invoiceText), expected: failed('unsupported_type') },
  { kind: 'HTML invoice', file: 'other/invoice.html', bytes: text(`<!doctype html><html><body><pre>${invoiceText}</pre></body></html>`), expected: succeeded('utf-8') },
  { kind: 'RTF invoice', file: 'other/invoice.rtf', bytes: text(`{\\rtf1\\ansi ${invoiceText.replace(/\r\n/g, '\\par ')}}`), expected: failed('unsupported_type') },
  { kind: 'OLE2 file (legacy .doc)', file: 'other/legacy.doc', bytes: () => Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]), expected: failed('unsupported_type') },
  { kind: 'random bytes without extension', file: 'other/blob', bytes: () => Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) % 256)), expected: failed('unsupported_type') },
  // Names and places
  { kind: 'name with spaces', file: 'names/invoice march 2024.txt', bytes: text(invoiceText), expected: succeeded('utf-8') },
  { kind: 'name with a newline', file: 'names/invoice\nline-break.txt', bytes: text(invoiceText), expected: succeeded('utf-8') },
  { kind: 'name with a leading dash', file: 'names/-rf invoice.txt', bytes: text(invoiceText), expected: succeeded('utf-8') },
  { kind: 'non-ASCII name', file: 'names/façture-請求書-№7.txt', bytes: text(invoiceText), expected: succeeded('utf-8') },
  { kind: 'deep nesting (40 levels)', file: `${Array.from({ length: 40 }, (_, i) => `level-${i}`).join('/')}/invoice.txt`, bytes: text(invoiceText), expected: succeeded('utf-8') },
];
