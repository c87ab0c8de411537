import { labelledValue, type Line } from './layout';

/** ISO 4217 codes docbatch recognises in invoice text. */
const currencyCodes = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'INR', 'CNY', 'SGD', 'HKD', 'ZAR', 'MXN', 'BRL'];
const currencyCodePatterns = currencyCodes.map((code) => [code, new RegExp(`\\b${code}\\b`, 'g')] as const);

/** Symbols, most specific first: "US$" must be read before "$". */
const currencySymbols: [RegExp, string][] = [
  [/US\$/g, 'USD'],
  [/C\$|CA\$/g, 'CAD'],
  [/A\$|AU\$/g, 'AUD'],
  [/€/g, 'EUR'],
  [/£/g, 'GBP'],
  [/¥/g, 'JPY'],
  [/\$/g, 'USD'],
];

/**
 * The invoice's currency: a "Currency: X" label if there is one, otherwise the code or symbol
 * printed most often (codes and symbols both count; "$" alone is read as USD). Null when the text
 * names no currency at all.
 */
export function detectCurrency(text: string, lines: Line[]): string | null {
  const labelled = labelledValue(lines, /currency/, (value) => codeAt(value) !== null);
  if (labelled) return codeAt(labelled.value);

  const counts = new Map<string, number>();
  const count = (code: string, n: number) => counts.set(code, (counts.get(code) ?? 0) + n);
  for (const [code, pattern] of currencyCodePatterns) {
    const n = text.match(pattern)?.length ?? 0;
    if (n > 0) count(code, n);
  }
  let rest = text;
  for (const [symbol, code] of currencySymbols) {
    const n = rest.match(symbol)?.length ?? 0;
    if (n > 0) count(code, n);
    rest = rest.replace(symbol, ' ');
  }
  let best: string | null = null;
  for (const [code, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = code;
  return best;
}

function codeAt(value: string): string | null {
  const code = value.trim().slice(0, 3).toUpperCase();
  return currencyCodes.includes(code) ? code : null;
}
