import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../src/extraction/encoding';
import { DocumentError } from '../src/extraction/errors';

/** A short invoice in German and French: umlauts, accents, the euro sign and typographic quotes. */
const invoice = 'Rechnung Nr. 2024-117\nMüller & Söhne GmbH, Straße 5\nCafé crème: 12,50 €\nGesamtbetrag: 1.234,56 €\r\n';
const expected = invoice.replace(/\r\n/g, '\n');
const windowsInvoice = `${invoice}Hinweis: „Zahlbar“ – sofort\n`;

function failure(run: () => unknown): DocumentError {
  try {
    run();
  } catch (error) {
    if (error instanceof DocumentError) return error;
    throw error;
  }
  throw new Error('expected a DocumentError');
}

describe('decodeText', () => {
  it.each([
    ['UTF-8', Buffer.from(invoice, 'utf8'), 'utf-8'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(invoice, 'utf8')]), 'utf-8'],
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(invoice, 'utf-16le')]), 'utf-16le'],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(invoice, 'utf-16be')]), 'utf-16be'],
    ['UTF-16 LE without BOM', iconv.encode(invoice, 'utf-16le'), 'utf-16le'],
    ['ISO-8859-15 (euro at 0xA4)', iconv.encode(invoice, 'iso-8859-15'), 'iso-8859-15'],
  ])('reads %s', (_, bytes, encoding) => {
    expect(decodeText('invoice.txt', bytes)).toEqual({ text: expected, encoding });
  });

  it('reads Windows-1252, whose euro sign and quotes sit in 0x80-0x9F', () => {
    expect(decodeText('invoice.txt', iconv.encode(windowsInvoice, 'windows-1252'))).toEqual({
      text: windowsInvoice.replace(/\r\n/g, '\n'),
      encoding: 'windows-1252',
    });
  });

  it('reads ISO-8859-1 text (no euro sign there)', () => {
    const latin1 = 'Facture n° 42 – Société Générale, réglée à Zürich\n'.replace('–', '-');
    expect(decodeText('facture.txt', iconv.encode(latin1, 'iso-8859-1'))).toEqual({ text: latin1, encoding: 'iso-8859-1' });
  });

  it('reads Cyrillic Windows-1251 text as such', () => {
    const russian = 'Счёт-фактура № 117 от 12.03.2024. Поставщик: ООО «Ромашка», Москва. Итого к оплате: 12 500,00 руб. Покупатель: Иванов Иван Иванович.\n';
    expect(decodeText('invoice.txt', iconv.encode(russian, 'windows-1251'))).toEqual({ text: russian, encoding: 'windows-1251' });
  });

  it('keeps NUL bytes that are not UTF-16 a corrupt document, naming the file', () => {
    const error = failure(() => decodeText('/in/scan.txt', Buffer.from([0x25, 0x50, 0x00, 0x13, 0x88, 0x00, 0x00, 0x41, 0x42, 0x00, 0x01])));
    expect(error.type).toBe('corrupt');
    expect(error.message).toMatch(/\/in\/scan\.txt contains binary data \(NUL bytes\)/);
  });

  it('rejects a UTF-8 BOM followed by bytes that are not UTF-8', () => {
    const error = failure(() => decodeText('/in/a.txt', Buffer.from([0xef, 0xbb, 0xbf, 0x41, 0xff, 0xfe, 0x41])));
    expect(error.type).toBe('corrupt');
    expect(error.message).toMatch(/not valid UTF-8/);
  });

  it('rejects control-character soup as binary data', () => {
    const error = failure(() => decodeText('/in/b.txt', Buffer.from(Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 0x41 : (i % 31) + 1)))));
    expect(error.type).toBe('corrupt');
  });
});
