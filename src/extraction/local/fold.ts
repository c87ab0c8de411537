/**
 * Text folded for matching labels and month names: lower case, accents dropped ("Échéance" ->
 * "echeance", "zapłaty" -> "zaplaty"), and OCR misreadings: "lnvoice" read as "invoice", and a
 * digit between letters read as the letter it looks like ("T0TAL", "Summ3" stays, "Tota1"). Every
 * character maps to exactly one, so an index in the folded text is the same index in the original
 * and a value can be cut from the original at a label's end.
 */
export function fold(text: string): string {
  // Most text is ASCII: lower case is all it needs, and keeps every index.
  const folded = asciiOnly.test(text) ? text.toLowerCase() : foldEachChar(text);
  // The digit first, its letters looked behind for after it: the engine then stops only at 0, 1 and 5.
  return folded.replace(/\bln(?=v[oO]ice)/g, 'in').replace(/[015](?:(?<=\p{L}.)(?=\p{L})|(?<=\p{L}{3}.)\b)/gu, (digit) => letterLookAlikes[digit]!);
}

const asciiOnly = /^[\p{ASCII}]*$/u;

/** Characters folded so far: a text repeats few distinct ones, and NFD per character is slow. */
const foldedChars = new Map<string, string>();
const FOLDED_CHARS_KEPT = 4096;

/** Each non-ASCII character folded on its own (lower-casing them all at once would apply Greek's final sigma), then the ASCII lower-cased whole. */
function foldEachChar(text: string): string {
  return text.replace(nonAscii, foldedChar).toLowerCase();
}

const nonAscii = /[^\p{ASCII}]/gu;

function foldedChar(char: string): string {
  let folded = foldedChars.get(char);
  if (folded === undefined) {
    const base = special.get(char) ?? char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    folded = base.length === char.length ? base : char.toLowerCase().length === char.length ? char.toLowerCase() : char;
    if (foldedChars.size < FOLDED_CHARS_KEPT) foldedChars.set(char, folded);
  }
  return folded;
}

/** Digits OCR reads for letters, in a word (never in a number: a letter must stand beside them). */
const letterLookAlikes: Record<string, string> = { '0': 'o', '1': 'l', '5': 's' };

const special = new Map([
  ['ł', 'l'],
  ['Ł', 'l'],
  ['ø', 'o'],
  ['Ø', 'o'],
  ['đ', 'd'],
  ['ı', 'i'],
  ['\u00ad', '-'], // a soft hyphen where a PDF broke "Rechnungs-nummer"
  ['\u2010', '-'],
  ['\u2011', '-'],
]);
