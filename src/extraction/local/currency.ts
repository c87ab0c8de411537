import { amountMatches } from './amounts';
import { fold } from './fold';
import type { Language } from './language';
import { labelledValue, type Line } from './layout';

/** ISO 4217 codes docbatch recognises in invoice text. */
const currencyCodes = [
  'EUR', 'USD', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'RON', 'BGN', 'INR', 'CNY',
  'SGD', 'HKD', 'ZAR', 'MXN', 'BRL', 'AED', 'TRY',
];
const currencyCodePattern = new RegExp(`(?<![\\p{L}])(${currencyCodes.join('|')})(?![\\p{L}])`, 'gu');

/** Symbols and words, most specific first ("R$" before "$", "Rs." is rupees only next to an amount). */
/** `code` is an ISO 4217 code, or DOLLAR / KRONE where the symbol alone does not say which. */
const currencyMarks: { pattern: RegExp; code: string; nextToAmount?: boolean }[] = [
  { pattern: /US\$/gu, code: 'USD' },
  { pattern: /(?:C|CA|CAN)\$/gu, code: 'CAD' },
  { pattern: /(?:A|AU)\$/gu, code: 'AUD' },
  { pattern: /NZ\$/gu, code: 'NZD' },
  { pattern: /S\$/gu, code: 'SGD' },
  { pattern: /HK\$/gu, code: 'HKD' },
  { pattern: /R\$/gu, code: 'BRL' },
  { pattern: /€|(?<![\p{L}])euros?(?![\p{L}])/giu, code: 'EUR' },
  { pattern: /£/gu, code: 'GBP' },
  { pattern: /₹|(?<![\p{L}])(?:rs\.?|rupees?)(?![\p{L}])/giu, code: 'INR', nextToAmount: true },
  { pattern: /(?<![\p{L}])(?:zł|zl|złotych|zlotych)(?![\p{L}])/giu, code: 'PLN', nextToAmount: true },
  { pattern: /(?<![\p{L}])(?:s?fr\.|franken)(?![\p{L}])/giu, code: 'CHF', nextToAmount: true },
  { pattern: /(?<![\p{L}])kč(?![\p{L}])/giu, code: 'CZK' },
  { pattern: /(?<![\p{L}])(?:kr\.?|kronor|kroner)(?![\p{L}])/giu, code: 'KRONE', nextToAmount: true },
  { pattern: /¥/gu, code: 'JPY' },
  { pattern: /\$/gu, code: 'DOLLAR' },
];

/** Country hints that say which dollar (or krone) a document means. */
const countryHints: { code: string; pattern: RegExp }[] = [
  { code: 'CAD', pattern: /\b(?:canada|ontario|qu[eé]bec|british columbia|alberta|manitoba|hst|gst\/hst|qst)\b|\b(?:ON|QC|BC|AB|MB|NS|NB) [A-Z]\d[A-Z] \d[A-Z]\d\b/i },
  { code: 'AUD', pattern: /\b(?:australia|abn|nsw|queensland|tasmania)\b/i },
  { code: 'NZD', pattern: /\b(?:new zealand|nzbn|auckland|wellington)\b/i },
  { code: 'SGD', pattern: /\b(?:singapore|uen)\b/i },
  { code: 'HKD', pattern: /\bhong kong\b/i },
  { code: 'MXN', pattern: /\b(?:m[eé]xico|rfc|cfdi)\b/i },
  { code: 'SEK', pattern: /\b(?:sverige|sweden|moms|org\.?\s?nr|bankgiro)\b|\bSE\d{12}\b/i },
  { code: 'NOK', pattern: /\b(?:norge|norway|mva|foretaksregisteret)\b|\bNO\d{9}MVA\b/i },
  { code: 'DKK', pattern: /\b(?:danmark|denmark|cvr)\b/i },
];

/** IBAN and VAT-number country prefixes, for documents that print no currency at all. */
const countryCurrency: Record<string, string> = {
  DE: 'EUR', AT: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR', NL: 'EUR', BE: 'EUR', PT: 'EUR', IE: 'EUR', FI: 'EUR', LU: 'EUR',
  GR: 'EUR', SK: 'EUR', SI: 'EUR', EE: 'EUR', LV: 'EUR', LT: 'EUR', HR: 'EUR', MT: 'EUR', CY: 'EUR',
  PL: 'PLN', CH: 'CHF', LI: 'CHF', GB: 'GBP', SE: 'SEK', DK: 'DKK', NO: 'NOK', CZ: 'CZK', HU: 'HUF', RO: 'RON', BG: 'BGN',
};
/** Postal addresses that name the country, for documents that print no currency, IBAN or VAT number (till receipts). */
const addressCurrency: { code: string; pattern: RegExp; language?: Language }[] = [
  // A US state and ZIP code: "New York, NY 10018", "Austin, TX 78705".
  {
    code: 'USD',
    pattern: /\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)\s+\d{5}(?:-\d{4})?\b/,
  },
  // A UK postcode: "London SW1H 0HW", "WC2E 9ED".
  { code: 'GBP', pattern: /\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b/ },
  // In Portuguese, a Portuguese postcode or NIF: "1200-273 Lisboa", "NIF: 508123456" (Brazil's CEP has five digits first).
  { code: 'EUR', pattern: /\b\d{4}-\d{3} +\p{Lu}\p{L}+|\bNIF:? *\d{9}\b/u, language: 'pt' },
];

/** Languages spoken (nearly) only in one currency area, for a last resort when nothing else names it. */
const languageCurrency: Partial<Record<Language, string>> = { it: 'EUR', nl: 'EUR', pl: 'PLN', de: 'EUR' };

/**
 * The invoice's currency: a "Currency: X" label if there is one, otherwise the code or symbol
 * printed most often ("$" is read with the country hints of the document: CAD, AUD... else USD).
 * With no currency printed at all: the country of the IBAN or VAT numbers, then of a postal address
 * (a US state and ZIP code, a UK or Portuguese postcode), then the language where it names one
 * currency area. Null when there is no evidence.
 */
export function detectCurrency(text: string, lines: Line[], language: Language = 'en'): string | null {
  const labelled = labelledValue(lines, /currency|wahrung|devise|moneda|valuta|waluta|moeda|divisa/, (value) => codeAt(value) !== null);
  if (labelled) return codeAt(labelled.value);

  const counts = new Map<string, number>();
  const count = (code: string) => counts.set(code, (counts.get(code) ?? 0) + 1);
  for (const match of text.matchAll(currencyCodePattern)) count(match[1]!);
  const amounts = amountMatches(text);
  let rest = text;
  for (const { pattern, code, nextToAmount } of currencyMarks) {
    for (const match of rest.matchAll(pattern)) {
      const end = match.index + match[0].length;
      if (nextToAmount && !amounts.some((amount) => Math.abs(amount.index - end) <= 2 || Math.abs(match.index - amount.end) <= 2)) continue;
      count(code === 'DOLLAR' ? dollarOf(text) : code === 'KRONE' ? kroneOf(text) : code);
    }
    rest = rest.replace(pattern, (mark) => ' '.repeat(mark.length));
  }
  let best: string | null = null;
  for (const [code, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = code;
  if (best !== null) return best;

  const iban = text.match(/\bIBAN\W{0,3}([A-Z]{2})\d{2}/)?.[1] ?? text.match(/\b([A-Z]{2})\d{2}(?: ?[A-Z0-9]{4}){3,7}\b/)?.[1];
  if (iban && countryCurrency[iban]) return countryCurrency[iban];
  const vatId = text.match(/\b(?:VAT|USt|TVA|IVA|BTW|NIP|MWST|UID)[^\n]{0,25}?\b(ATU|[A-Z]{2})\s?\d{6,}/i)?.[1];
  if (vatId && countryCurrency[vatId.slice(0, 2).toUpperCase()]) return countryCurrency[vatId.slice(0, 2).toUpperCase()]!;
  const address = addressCurrency.find((hint) => (hint.language === undefined || hint.language === language) && hint.pattern.test(text));
  if (address) return address.code;
  return languageCurrency[language] ?? null;
}

function dollarOf(text: string): string {
  for (const { code, pattern } of countryHints) if (code !== 'SEK' && code !== 'NOK' && code !== 'DKK' && pattern.test(text)) return code;
  return 'USD';
}

function kroneOf(text: string): string {
  for (const { code, pattern } of countryHints) if ((code === 'SEK' || code === 'NOK' || code === 'DKK') && pattern.test(fold(text))) return code;
  return 'SEK';
}

function codeAt(value: string): string | null {
  const code = value.trim().slice(0, 3).toUpperCase();
  return currencyCodes.includes(code) ? code : null;
}
