/**
 * Money amounts as invoices print them. Both separator styles are read: "1,234.56" (English) and
 * "1.234,56" / "1 234,56" (continental). When a number has one kind of separator only and could
 * be either ("1.234", "1,234"), the document's own decimal style decides (see decimalStyle).
 */
export type DecimalStyle = 'point' | 'comma';

/** An amount candidate: digits with optional grouping and decimals, optional sign or parentheses. */
const amountPattern = /(\(?-?)(\d{1,3}(?:[,.'\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(\)?)(?!\s*%)(?![\d.,]*\d)/g;

/**
 * Which character this document uses as decimal separator, from the amounts it prints with two
 * decimals ("12,50" vs "12.50"). English style wins ties: it is the more common one.
 */
export function decimalStyle(text: string): DecimalStyle {
  const comma = text.match(/\d,\d{2}(?![\d])/g)?.length ?? 0;
  const point = text.match(/\d\.\d{2}(?![\d])/g)?.length ?? 0;
  return comma > point ? 'comma' : 'point';
}

/** Parses one number as printed ("1.234,56", "1,234.56", "(12.00)", "1 234"), or null. */
export function parseAmount(raw: string, style: DecimalStyle = 'point'): number | null {
  const text = raw.trim();
  const negative = /^\(.*\)$/.test(text) || text.startsWith('-');
  const digits = text.replace(/[()\-+]/g, '').replace(/[\s'\u00a0\u202f]/g, '');
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
  return negative ? -value : value;
}

/** Every amount in a piece of text, left to right; percentages ("20%") are not amounts. */
export function amountsIn(text: string, style: DecimalStyle = 'point'): number[] {
  const values: number[] = [];
  for (const match of text.matchAll(amountPattern)) {
    const [, open = '', number = '', close = ''] = match;
    const value = parseAmount(`${open}${number}${open.includes('(') ? close : ''}`, style);
    if (value !== null) values.push(value);
  }
  return values;
}

/** The last amount in a piece of text (the figure a summary line ends with), or null. */
export function lastAmount(text: string, style: DecimalStyle = 'point'): number | null {
  return amountsIn(text, style).at(-1) ?? null;
}
