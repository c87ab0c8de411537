/**
 * Money amounts as invoices print them: "1,234.56", "1.234,56", "1 234,56" (also with U+00A0 or
 * U+202F), "1'234.56" (Swiss), "1,23,456.78" (Indian lakh grouping), and negative forms "-12,50",
 * "−12,50", "(12.50)", "12,50-". The decimal separator is decided once per document from the
 * evidence of all its amounts (see decimalStyle), so "1.234" reads as 1234 in a document that
 * writes "12,50" and as 1.234 in one that writes "12.50".
 */
export type DecimalStyle = 'point' | 'comma';

const group = "[,.'’\\u00a0\\u202f ]";
/** An amount candidate: sign or parenthesis, grouped or plain digits with up to two decimals, closing parenthesis or trailing minus. */
const amountPattern = new RegExp(
  `(?<![\\d.,'’\\w])([-−–]\\s?|\\(\\s?)?(\\d{1,2}(?:,\\d{2})+,\\d{3}(?:\\.\\d{1,2})?|\\d{1,3}(?:${group}\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?)(\\s?\\)|-(?![\\d\\w]))?(?!\\s?%)(?![\\d.,'’]*\\d)`,
  'gu',
);

/**
 * Which character this document uses as decimal separator, from the evidence of every number in
 * it: a number with both separators ("1.234,56") says which one is decimal, one with a single
 * separator before one or two digits ("12,50") votes for it, repeated three-digit groups
 * ("1.234.567") vote against it. Without evidence, the language decides (English: point).
 */
export function decimalStyle(text: string, fallback: DecimalStyle = 'point'): DecimalStyle {
  let comma = 0;
  let point = 0;
  for (const match of text.matchAll(amountPattern)) {
    const digits = (match[2] ?? '').replace(/[\s'’\u00a0\u202f]/g, '');
    const lastPoint = digits.lastIndexOf('.');
    const lastComma = digits.lastIndexOf(',');
    if (lastPoint >= 0 && lastComma >= 0) {
      if (lastPoint > lastComma) point += 2;
      else comma += 2;
    } else if (lastPoint >= 0 || lastComma >= 0) {
      const separator = lastPoint >= 0 ? '.' : ',';
      const decimals = digits.length - digits.lastIndexOf(separator) - 1;
      const repeated = digits.split(separator).length > 2;
      if (!repeated && decimals <= 2) {
        if (separator === '.') point++;
        else comma++;
      } else if (repeated) {
        if (separator === '.') comma++;
        else point++;
      }
    }
  }
  if (comma === point) return fallback;
  return comma > point ? 'comma' : 'point';
}

/** Parses one number as printed ("1.234,56", "1,234.56", "(12.00)", "12,50-", "1 234"), or null. */
export function parseAmount(raw: string, style: DecimalStyle = 'point'): number | null {
  const text = raw.trim();
  const negative = /^\(.*\)$/.test(text) || /^[-−–]/.test(text) || /\d\s?-$/.test(text);
  const digits = text.replace(/[()\-−–+]/g, '').replace(/[\s'’\u00a0\u202f]/g, '');
  if (!/^\d[\d.,]*$/.test(digits)) return null;

  const lastPoint = digits.lastIndexOf('.');
  const lastComma = digits.lastIndexOf(',');
  let decimalSeparator: '.' | ',' | null;
  if (lastPoint >= 0 && lastComma >= 0) {
    // Both present: the last one is the decimal separator.
    decimalSeparator = lastPoint > lastComma ? '.' : ',';
  } else if (lastPoint >= 0 || lastComma >= 0) {
    const separator = lastPoint >= 0 ? '.' : ',';
    const occurrences = digits.split(separator).length - 1;
    const decimals = digits.length - digits.lastIndexOf(separator) - 1;
    if (occurrences > 1) decimalSeparator = null;
    else if (decimals !== 3) decimalSeparator = separator;
    // Exactly three digits after a single separator: the document's decimal style decides.
    else decimalSeparator = (style === 'comma' ? ',' : '.') === separator ? separator : null;
  } else {
    decimalSeparator = null;
  }

  // Whatever is not the decimal separator groups thousands; with no decimal separator both do.
  let normalised = digits.replaceAll(decimalSeparator === '.' ? ',' : decimalSeparator === ',' ? '.' : /[.,]/g, '');
  if (decimalSeparator === ',') normalised = normalised.replace(',', '.');
  const value = Number(normalised);
  if (!Number.isFinite(value)) return null;
  return negative && value !== 0 ? -value : value;
}

export interface AmountMatch {
  value: number;
  /** Where the printed amount starts and ends in the text. */
  index: number;
  end: number;
  /** The amount has decimals or grouping: a money figure rather than a count or a code. */
  money: boolean;
}

/** Every amount in a piece of text with its position, left to right; percentages ("20%") are not amounts. */
export function amountMatches(text: string, style: DecimalStyle = 'point'): AmountMatch[] {
  const found: AmountMatch[] = [];
  for (const match of text.matchAll(amountPattern)) {
    const [whole, open = '', number = '', close = ''] = match;
    const sign = open.includes('(') ? (close.includes(')') ? '(' : '') : open.trim() !== '' ? '-' : close.includes('-') ? '-' : '';
    const value = parseAmount(`${sign}${number}${sign === '(' ? ')' : ''}`, style);
    if (value === null) continue;
    found.push({ value, index: match.index, end: match.index + whole.length, money: /[.,'’\s\u00a0\u202f]\d/.test(number) });
  }
  return found;
}

/** Every amount in a piece of text, left to right; percentages ("20%") are not amounts. */
export function amountsIn(text: string, style: DecimalStyle = 'point'): number[] {
  return amountMatches(text, style).map((match) => match.value);
}

/** The last amount in a piece of text (the figure a summary line ends with), or null. */
export function lastAmount(text: string, style: DecimalStyle = 'point'): number | null {
  return amountsIn(text, style).at(-1) ?? null;
}
