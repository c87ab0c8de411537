/**
 * Repairs of single OCR'd words, where a glyph was read as its look-alike or a token was split.
 * Only what no real word looks like is repaired.
 */

/** Letters OCR reads for digits, by the digit they stand for. */
const digitLookAlikes: Record<string, string> = { O: '0', o: '0', Q: '0', l: '1', I: '1', '|': '1', S: '5', B: '8', Z: '2' };

/**
 * A number with a digit read as a letter ("1O5.5O", "l4.03.2024", "2S,00") in digits. A word is
 * taken for a number when digits make up most of it and every other glyph is a separator or a
 * look-alike: codes that mix letters and digits ("INV-0042", "DE4AB7CD12EFG") and quantities with units
 * ("500g") stay as read.
 */
export function mendDigits(word: string): string {
  const core = /^([(\-−–+€$£]?)(.*?)([)\-%€$£:;.,]?)$/u.exec(word)!;
  const [, open = '', body = '', close = ''] = core;
  if (!/^[\dOoQlI|SBZ.,'’/-]+$/u.test(body)) return word;
  const digits = body.replace(/\D/gu, '').length;
  const lookAlikes = body.replace(/[\d.,'’/-]/gu, '').length;
  // At least two real digits, and more of them than look-alikes.
  if (lookAlikes === 0 || digits < 2 || lookAlikes >= digits) return word;
  return open + body.replace(/[OoQlI|SBZ]/gu, (glyph) => digitLookAlikes[glyph]!) + close;
}

/**
 * Two words, closer than a character apart, that are one token OCR split after a narrow glyph
 * (in monospaced print a separator or hyphen leaves a gap that reads as a word space): a number
 * at its separator ("3'" "840." "00", "1" ",50"), a hyphenated number or name ("RE-" "2024-"
 * "1187", "Genossenschafts-" "Bund").
 */
export function splitWord(before: string, after: string): boolean {
  return (
    (/\d[.,'’]$/u.test(before) && /^\d/u.test(after)) ||
    (/\d$/u.test(before) && /^[.,]\d/u.test(after)) ||
    (/[\p{L}\d]-$/u.test(before) && /^[\p{L}\d]/u.test(after))
  );
}
