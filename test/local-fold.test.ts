import { readFile } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { fold } from '../src/extraction/local/fold';

/**
 * fold() keeps every index (one character in, one out) so a value can be cut from the original at
 * a label found in the folded text. Its fast paths (ASCII text lower-cased whole, folded characters
 * remembered) must give what folding each character on its own gives.
 */
const special: Record<string, string> = { ł: 'l', Ł: 'l', ø: 'o', Ø: 'o', đ: 'd', ı: 'i', '\u00ad': '-', '\u2010': '-', '\u2011': '-' };

/** fold's definition, one character at a time, before the OCR look-alike replacements. */
function foldedByDefinition(text: string): string {
  let folded = '';
  for (const char of text) {
    const base = special[char] ?? char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    folded += base.length === char.length ? base : char.toLowerCase().length === char.length ? char.toLowerCase() : char;
  }
  return folded.replace(/\bln(?=v[oO]ice)/g, 'in').replace(/(?<=\p{L})[015](?=\p{L})|(?<=\p{L}{3})[015]\b/gu, (digit) => ({ '0': 'o', '1': 'l', '5': 's' })[digit]!);
}

describe('fold', () => {
  it('drops accents and case, reads OCR look-alikes, and keeps every index', () => {
    expect(fold('Échéance: 30.04.2026')).toBe('echeance: 30.04.2026');
    expect(fold('Termin zapłaty')).toBe('termin zaplaty');
    expect(fold('lnvoice T0TAL Tota1 Summ3')).toBe('invoice total total summ3');
    expect(fold('Rechnungs\u00adnummer')).toBe('rechnungs-nummer');
    // Characters whose lower case or decomposition is longer stay one character.
    for (const text of ['İstanbul', 'STRAẞE', 'ǅ', '𝐓𝐨𝐭𝐚𝐥 €', 'ﬁnal', 'Ⅻ']) expect(fold(text)).toHaveLength(text.length);
  });

  it('is the same as folding each character on its own, on every text of the corpora and the samples', async () => {
    const files = await glob(['test/corpus/**/*.txt', 'samples/**/*.txt']);
    expect(files.length).toBeGreaterThan(50);
    const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
    texts.push('Grüße aus Łódź – Rechnung Nr. 5 · Σύνολο 1.234,56 € · 合計 ¥1,000 · İ ẞ ǅ 𝐓 \u0301e', '', 'ASCII only 0O1l5S');
    for (const text of texts) {
      expect(fold(text)).toBe(foldedByDefinition(text));
      for (const line of text.split('\n')) expect(fold(line)).toBe(foldedByDefinition(line));
    }
  });

  it('is the same as folding each character on its own for every code point, alone and between letters', () => {
    for (let code = 0; code <= 0x2ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCodePoint(code);
      for (const text of [char, `ΣA${char}Σ x`]) if (fold(text) !== foldedByDefinition(text)) expect({ code, folded: fold(text) }).toEqual({ code, folded: foldedByDefinition(text) });
    }
  });
});
