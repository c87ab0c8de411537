import chardet from 'chardet';
import iconv from 'iconv-lite';
import { DocumentError } from './errors';
import type { SourceDocument } from './extractor';

/** A text document's content and the character encoding it was read in. */
export interface DecodedText {
  /** With `\n` line ends and without a byte order mark. */
  text: string;
  /** The encoding's WHATWG/IANA name, lower case: utf-8, utf-16le, windows-1252, iso-8859-15 … */
  encoding: string;
}

/**
 * Decodes the bytes of a plain-text document, in this order of evidence:
 * 1. a byte order mark (UTF-8, UTF-16 LE/BE) decides;
 * 2. bytes that are valid UTF-8 are UTF-8: multi-byte UTF-8 sequences almost never occur by chance
 *    in single-byte text, so strict validity separates the two;
 * 3. NUL bytes mean UTF-16 without a BOM when they fall on every other byte, otherwise binary data
 *    (a damaged or misnamed file: corrupt);
 * 4. anything else is a legacy single-byte encoding, told apart by chardet's statistics
 *    (windows-125x, ISO-8859-x, KOI8-R), with the Western ones refined by which bytes occur.
 * Throws DocumentError naming `path` when the bytes are not text.
 */
export function decodeText(path: string, bytes: Buffer): DecodedText {
  const decoded = decodeBytes(path, bytes);
  if (hasTooManyControlCharacters(decoded.text)) {
    throw new DocumentError('corrupt', `${path} contains binary data, not ${decoded.encoding} text: the file is damaged or misnamed`);
  }
  return { text: decoded.text.replace(/\r\n?/g, '\n'), encoding: decoded.encoding };
}

function decodeBytes(path: string, bytes: Buffer): DecodedText {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { text: strictUtf8(path, bytes.subarray(3)), encoding: 'utf-8' };
  if (startsWith(bytes, [0xff, 0xfe])) return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (startsWith(bytes, [0xfe, 0xff])) return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  if (!bytes.includes(0)) {
    const utf8 = tryUtf8(bytes);
    if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8' };
    const encoding = singleByteEncoding(bytes);
    return { text: iconv.decode(bytes, encoding), encoding };
  }
  const utf16 = utf16WithoutBom(bytes);
  if (utf16 !== undefined) return { text: iconv.decode(bytes, utf16), encoding: utf16 };
  throw new DocumentError('corrupt', `${path} contains binary data (NUL bytes), not text: the file is damaged or misnamed`);
}

function tryUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function strictUtf8(path: string, bytes: Buffer): string {
  const text = tryUtf8(bytes);
  if (text === undefined) {
    throw new DocumentError('corrupt', `${path} starts with a UTF-8 byte order mark but is not valid UTF-8: the file is damaged; re-save it as UTF-8`);
  }
  return text;
}

/** UTF-16 text of Latin script has a NUL in (nearly) every other byte: the high byte of each unit. */
function utf16WithoutBom(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const sample = bytes.subarray(0, 8192 - (Math.min(bytes.length, 8192) % 2));
  if (sample.length < 4) return undefined;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) {
      if (i % 2 === 0) evenNuls++;
      else oddNuls++;
    }
  }
  const units = sample.length / 2;
  if (oddNuls >= units * 0.6 && evenNuls === 0) return 'utf-16le';
  if (evenNuls >= units * 0.6 && oddNuls === 0) return 'utf-16be';
  return undefined;
}

/** Single-byte encodings chardet can tell apart and iconv-lite decodes, by chardet's names. */
const singleByteEncodings = new Set([
  'iso-8859-1',
  'iso-8859-2',
  'iso-8859-5',
  'iso-8859-6',
  'iso-8859-7',
  'iso-8859-8',
  'iso-8859-9',
  'windows-1250',
  'windows-1251',
  'windows-1252',
  'windows-1253',
  'windows-1254',
  'windows-1255',
  'windows-1256',
  'koi8-r',
]);

function singleByteEncoding(bytes: Buffer): string {
  const guess = chardet
    .analyse(bytes.subarray(0, 64 * 1024))
    .map((match) => match.name.toLowerCase())
    .find((name) => singleByteEncodings.has(name));
  if (guess === undefined || guess === 'iso-8859-1' || guess === 'windows-1252') return westernEncoding(bytes);
  return guess;
}

/**
 * Windows-1252, ISO-8859-1 and ISO-8859-15 differ only in a few bytes, so the bytes present decide:
 * 0x80-0x9F are control codes in both ISO sets but printable in Windows-1252 (€, smart quotes,
 * dashes); 0xA4 is "€" in ISO-8859-15 and "¤" in the others, a sign no invoice uses.
 */
function westernEncoding(bytes: Buffer): string {
  let hasC1 = false;
  let hasA4 = false;
  for (const byte of bytes) {
    if (byte >= 0x80 && byte <= 0x9f) hasC1 = true;
    else if (byte === 0xa4) hasA4 = true;
  }
  if (hasC1) return 'windows-1252';
  if (hasA4) return 'iso-8859-15';
  return 'iso-8859-1';
}

/** Decoded text with more than 5% control characters (other than tab, line and page breaks) is binary. */
function hasTooManyControlCharacters(text: string): boolean {
  const sample = text.slice(0, 8192);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) || code === 0) control++;
  }
  return control > sample.length * 0.05;
}

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

/** A text document's content in its detected encoding, `\n` line ends. */
export function decodeDocumentText(doc: SourceDocument): string {
  return decodeText(doc.path, doc.bytes).text;
}

/** A text document's content as strict UTF-8 (XML e-invoices, whose standards require it), `\n` line ends. */
export function decodeUtf8(doc: SourceDocument): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(doc.bytes);
  } catch {
    throw new DocumentError(
      'corrupt',
      `${doc.path} is not valid UTF-8 text: re-save it as UTF-8 (other encodings are not guessed)`,
    );
  }
  if (text.includes('\u0000')) {
    throw new DocumentError('corrupt', `${doc.path} contains binary data (NUL bytes), not text: it is damaged or misnamed`);
  }
  return text.replace(/\r\n?/g, '\n');
}
