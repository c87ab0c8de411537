/**
 * Text folded for matching labels and month names: lower case, accents dropped ("Échéance" ->
 * "echeance", "zapłaty" -> "zaplaty"), and the OCR misreading "lnvoice" read as "invoice". Every
 * character maps to exactly one, so an index in the folded text is the same index in the original
 * and a value can be cut from the original at a label's end.
 */
export function fold(text: string): string {
  let folded = '';
  for (const char of text) {
    const base = special.get(char) ?? char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    folded += base.length === char.length ? base : char.toLowerCase().length === char.length ? char.toLowerCase() : char;
  }
  return folded.replace(/\bln(?=v[oO]ice)/g, 'in');
}

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
