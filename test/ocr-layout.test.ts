import { describe, expect, it } from 'vitest';
import { laidOut, sureWordConfidence, type OcrLine } from '../src/extraction/ocr-layout';
import { fold } from '../src/extraction/local/fold';
import { mendDigits, splitWord } from '../src/extraction/ocr-words';

/** A line of words in monospaced print: 12 px a character, each word placed at its character column. */
function line(baseline: number, words: [column: number, text: string, confidence?: number][]): OcrLine {
  return {
    baseline: { y0: baseline, y1: baseline },
    bbox: { y0: baseline - 15, y1: baseline + 3 },
    words: words.map(([column, text, confidence = 95]) => ({ text, confidence, bbox: { x0: column * 12 + 2, x1: (column + text.length) * 12 - 2 } })),
  };
}

describe('laidOut', () => {
  it('keeps a phrase of monospaced print one cell and breaks at column gaps', () => {
    const { text } = laidOut([line(100, [[0, 'Total'], [6, 'exkl.'], [12, 'MWST'], [40, '8790.00']])]);
    expect(text.trim().split(/\s{2,}/u)).toEqual(['Total exkl. MWST', '8790.00']);
  });

  it('puts back together a number OCR split after its separators', () => {
    const { text } = laidOut([line(100, [[0, 'Total'], [30, "9'"], [32, '501.'], [36, '99']])]);
    expect(text.trim().split(/\s{2,}/u)).toEqual(['Total', "9'501.99"]);
  });

  it('reads look-alike letters in numbers as digits', () => {
    expect(laidOut([line(100, [[0, 'Total'], [30, '1O5.5O']])]).text.trim().split(/\s{2,}/u)).toEqual(['Total', '105.50']);
  });

  it('leaves out of the sure text the words read with low confidence', () => {
    const lines = [line(100, [[0, 'Invoice'], [8, 'no.'], [12, 'INV-0042', sureWordConfidence - 20]]), line(130, [[0, 'Total'], [30, '12.00']])];
    const { text, sureText } = laidOut(lines);
    expect(text).toContain('INV-0042');
    expect(sureText).not.toContain('INV-0042');
    expect(sureText).toContain('Invoice no.');
    expect(sureText).toContain('12.00');
  });
});

describe('mendDigits', () => {
  it.each([
    ['1O5.5O', '105.50'],
    ['l4.03.2024', '14.03.2024'],
    ['2S,00', '25,00'],
    ['(1B.00)', '(18.00)'],
    ['€1,2OO.00', '€1,200.00'],
    ['INV-0042', 'INV-0042'],
    ['DE4AB7CD12EFG', 'DE4AB7CD12EFG'],
    ['500g', '500g'],
    ['SOS', 'SOS'],
    ['No', 'No'],
    ['2024', '2024'],
  ])('%s -> %s', (read, mended) => {
    expect(mendDigits(read)).toBe(mended);
  });
});

describe('splitWord', () => {
  it.each([
    ["3'", '840.', true],
    ['240.', '00', true],
    ['1', ',50', true],
    ['RE-', '2024-', true],
    ['Genossenschafts-', 'Bund', true],
    ['3.', 'April', false],
    ['Total', '12', false],
    ['-', '12', false],
  ])('%s + %s -> %s', (before, after, split) => {
    expect(splitWord(before, after)).toBe(split);
  });
});

describe('fold', () => {
  it('reads a digit between letters as the letter OCR took it for, never in a number or code', () => {
    expect(fold('T0TAL')).toBe('total');
    expect(fold('Tota1')).toBe('total');
    expect(fold('Subt0tal 10.00')).toBe('subtotal 10.00');
    expect(fold('INV-0042')).toBe('inv-0042');
  });
});
