import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDocument, readDocumentBytes, readDocumentBytesNow } from '../src/extraction/document';
import { DocumentError, type DocumentErrorType } from '../src/extraction/errors';
import { documentText, pageCount } from '../src/extraction/text';

const samples = join(import.meta.dirname, '..', 'samples', 'invoices');

async function errorOf(work: Promise<unknown>): Promise<DocumentError> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

/** Loads a document and reads its text: the two steps every extractor starts with. */
async function readSample(name: string): Promise<string> {
  return documentText(await loadDocument(join(samples, name)));
}

describe('broken sample files fail with their own reason', () => {
  const cases: [string, DocumentErrorType, RegExp][] = [
    ['broken-corrupt.pdf', 'corrupt', /not a readable PDF/],
    ['broken-empty.txt', 'empty', /empty \(0 bytes\)/],
    ['broken-encrypted.pdf', 'encrypted', /password-protected PDF: remove the password/],
    ['broken-word-document.docx', 'unsupported_type', /ZIP container .* convert it to PDF/],
    ['broken-random-bytes.bin', 'unsupported_type', /\.bin file holding binary data starting with 00/],
    ['broken-text-named-pdf.pdf', 'corrupt', /extension \.pdf but its content is plain text/],
  ];
  it.each(cases)('%s -> %s', async (name, type, message) => {
    const error = await errorOf(readSample(name));
    expect(error.type).toBe(type);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(name); // the user sees which document
  });

  it('a missing file is not_found', async () => {
    const error = await errorOf(loadDocument(join(samples, 'no-such-invoice.pdf')));
    expect(error.type).toBe('not_found');
  });
});

describe('loadDocument', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docbatch-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('detects media types from bytes, not names', async () => {
    expect((await loadDocument(join(samples, 'invoice-01-classic.pdf'))).mediaType).toBe('application/pdf');
    expect((await loadDocument(join(samples, 'scan-01.png'))).mediaType).toBe('image/png');
    expect((await loadDocument(join(samples, 'invoice-02-two-column.txt'))).mediaType).toBe('text/plain');
    expect((await loadDocument(join(samples, 'invoice-05-markdown.md'))).mediaType).toBe('text/plain');
    // A PNG saved without extension is still a PNG.
    const png = join(dir, 'scan-without-extension');
    await writeFile(png, (await loadDocument(join(samples, 'scan-01.png'))).bytes);
    expect((await loadDocument(png)).mediaType).toBe('image/png');
    // JPEG, GIF and WEBP signatures.
    for (const [name, bytes, type] of [
      ['a.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]), 'image/jpeg'],
      ['a.gif', Buffer.from('GIF89a....', 'latin1'), 'image/gif'],
      ['a.webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'), 'image/webp'],
    ] as const) {
      await writeFile(join(dir, name), bytes);
      expect((await loadDocument(join(dir, name))).mediaType).toBe(type);
    }
  });

  it('rejects documents above maxBytes as too_large, naming both sizes', async () => {
    const error = await errorOf(loadDocument(join(samples, 'scan-01.png'), { maxBytes: 1024 }));
    expect(error.type).toBe('too_large');
    expect(error.message).toMatch(/KB, above the 1\.0 KB limit: split the document or raise maxBytes/);
  });

  it('treats whitespace-only text as empty', async () => {
    await writeFile(join(dir, 'blank.txt'), '  \n\t\n  ');
    expect((await errorOf(loadDocument(join(dir, 'blank.txt')))).type).toBe('empty');
  });

  it('rejects a .txt holding binary data, and reads Latin-9 text in its encoding', async () => {
    await writeFile(join(dir, 'binary.txt'), Buffer.from([0x49, 0x00, 0x01, 0x02, 0x03]));
    expect((await errorOf(loadDocument(join(dir, 'binary.txt')))).type).toBe('corrupt');
    // 0xA4 is the euro sign in ISO-8859-15.
    await writeFile(join(dir, 'latin9.txt'), Buffer.from('Invoice total: 12,00 \xa4 r\xe9sum\xe9', 'latin1'));
    const document = await loadDocument(join(dir, 'latin9.txt'));
    expect(document.encoding).toBe('iso-8859-15');
    expect(await documentText(document)).toBe('Invoice total: 12,00 € résumé');
  });

  it('rejects an image whose extension lies about its content as corrupt', async () => {
    await writeFile(join(dir, 'photo.png'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]));
    const error = await errorOf(loadDocument(join(dir, 'photo.png')));
    expect(error.type).toBe('corrupt');
    expect(error.message).toMatch(/content is image\/jpeg, not image\/png/);
  });

  it('rejects a directory', async () => {
    expect((await errorOf(loadDocument(dir))).type).toBe('unsupported_type');
  });

  it('rejects a named pipe as not a regular file instead of waiting on it', async () => {
    const pipe = join(dir, 'invoice-pipe.pdf');
    execFileSync('mkfifo', [pipe]);
    const error = await errorOf(loadDocument(pipe));
    expect(error.type).toBe('unsupported_type');
    expect(error.message).toMatch(/not a regular file/);
  });
});

describe('the synchronous and the asynchronous reader', () => {
  // loadDocument reads synchronously while the disk answers from memory and asynchronously after:
  // a document must read, or fail with the same type and message, whichever reads it.
  it('read the same bytes and fail each broken file alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'docbatch-readers-'));
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.pdf')]);
      await writeFile(join(dir, 'empty.txt'), '');
      await writeFile(join(dir, 'large.txt'), 'x'.repeat(2048));
      const cases = [join(samples, 'invoice-02-two-column.txt'), join(dir, 'missing.pdf'), dir, join(dir, 'pipe.pdf'), join(dir, 'empty.txt'), join(dir, 'large.txt')];
      const outcome = async (read: () => Promise<Buffer | undefined>) =>
        read().then(
          (bytes) => ({ bytes: bytes?.toString('utf8') }),
          (error: unknown) => ({ type: error instanceof DocumentError ? error.type : 'other', message: (error as Error).message }),
        );
      for (const file of cases) {
        const later = await outcome(() => readDocumentBytes(file, 1024));
        const now = await outcome(() => Promise.resolve().then(() => readDocumentBytesNow(file, 1024)));
        expect(now, file).toEqual(later);
      }
      const failed = await Promise.all(cases.slice(1).map((file) => outcome(() => readDocumentBytes(file, 1024))));
      expect(failed.map((result) => ('type' in result ? result.type : 'read'))).toEqual(['not_found', 'unsupported_type', 'unsupported_type', 'empty', 'too_large']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('documentText', () => {
  it('rebuilds PDF lines so labels and values share a line and columns stay apart', async () => {
    const text = await readSample('invoice-01-classic.pdf');
    expect(text).toMatch(/^\s*Northwind Traders Ltd\s{2,}INVOICE$/m);
    expect(text).toMatch(/^\s*Support hours\s{2,}11\s{2,}67\.07\s{2,}737\.77$/m);
  });

  it('reads a file too large to read synchronously whole, and refuses one above maxBytes before reading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'docbatch-large-'));
    try {
      const large = join(dir, 'statement.txt');
      const text = Array.from({ length: 20_000 }, (_, line) => `line ${line}: 10.00 EUR`).join('\n');
      await writeFile(large, text);
      expect(Buffer.byteLength(text)).toBeGreaterThan(256 * 1024);
      const document = await loadDocument(large);
      expect(document.bytes.toString('utf8')).toBe(text);
      const refused = await errorOf(loadDocument(large, { maxBytes: 100 * 1024 }));
      expect(refused.type).toBe('too_large');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads UTF-8 text files as they are', async () => {
    const text = await readSample('invoice-05-markdown.md');
    expect(text).toContain('| Description | Qty | Unit price | Amount |');
  });

  it('counts PDF pages; other documents are one page', async () => {
    expect(await pageCount(await loadDocument(join(samples, 'invoice-01-classic.pdf')))).toBe(1);
    expect(await pageCount(await loadDocument(join(samples, 'invoice-02-two-column.txt')))).toBe(1);
    expect((await errorOf(pageCount(await loadDocument(join(samples, 'broken-encrypted.pdf'))))).type).toBe('encrypted');
  });
});
