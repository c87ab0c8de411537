/**
 * Dates as invoices print them, normalised to ISO YYYY-MM-DD.
 *
 * Rules for all-numeric dates:
 * - year first ("2024-03-05", "2024/03/05") is always Y-M-D;
 * - dots or dashes with the year last ("05.03.2024", "05-03-2024") are D-M-Y (continental use);
 * - slashes with the year last ("05/03/2024") are ambiguous: a part above 12 settles it; when
 *   neither does, the document's order decides (see slashDateOrder): another slash date in the same
 *   document that is unambiguous, otherwise M/D/Y for US-dollar invoices and D/M/Y for all others.
 * Month names ("March 5, 2024", "5 Mar 2024", "05-Mar-2024", "5th of March 2024") are never ambiguous.
 */
export type SlashDateOrder = 'DMY' | 'MDY';

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthName = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const day = '(\\d{1,2})(?:st|nd|rd|th)?';

const datePatterns: { pattern: RegExp; parts: (m: RegExpMatchArray, order: SlashDateOrder) => [string, string, string] | null }[] = [
  { pattern: /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/, parts: (m) => [m[1]!, m[2]!, m[3]!] },
  { pattern: new RegExp(`\\b${day}(?:\\s+of)?[\\s\\-.]+${monthName}[\\s\\-.,]+(\\d{4}|\\d{2})\\b`, 'i'), parts: (m) => [m[3]!, monthNumber(m[2]!), m[1]!] },
  { pattern: new RegExp(`\\b${monthName}[\\s\\-.]+${day}(?:,\\s*|\\s+|-)(\\d{4})\\b`, 'i'), parts: (m) => [m[3]!, monthNumber(m[1]!), m[2]!] },
  { pattern: /\b(\d{1,2})[.-](\d{1,2})[.-](\d{4}|\d{2})\b/, parts: (m) => [m[3]!, m[2]!, m[1]!] },
  {
    pattern: /\b(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})\b/,
    parts: (m, order) => {
      const [a, b] = [Number(m[1]), Number(m[2])];
      const dayFirst = a > 12 ? true : b > 12 ? false : order === 'DMY';
      return dayFirst ? [m[3]!, m[2]!, m[1]!] : [m[3]!, m[1]!, m[2]!];
    },
  },
];

/** The first date in a piece of text, as YYYY-MM-DD, or null when there is none or it is impossible. */
export function parseDate(text: string, order: SlashDateOrder = 'DMY'): string | null {
  let best: { index: number; iso: string } | null = null;
  for (const { pattern, parts } of datePatterns) {
    const match = text.match(pattern);
    if (match?.index === undefined) continue;
    const ymd = parts(match, order);
    const iso = ymd && isoDate(...ymd);
    if (iso && (best === null || match.index < best.index)) best = { index: match.index, iso };
  }
  return best?.iso ?? null;
}

/** The order of ambiguous slash dates in this document (see the rules at the top of this file). */
export function slashDateOrder(text: string, currency: string | null): SlashDateOrder {
  for (const match of text.matchAll(/\b(\d{1,2})\/(\d{1,2})\/(?:\d{4}|\d{2})\b/g)) {
    if (Number(match[1]) > 12) return 'DMY';
    if (Number(match[2]) > 12) return 'MDY';
  }
  return currency === 'USD' ? 'MDY' : 'DMY';
}

function monthNumber(name: string): string {
  return String(months.indexOf(name.slice(0, 3).toLowerCase()) + 1);
}

function isoDate(yearText: string, monthText: string, dayText: string): string | null {
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  const month = Number(monthText);
  const dayOfMonth = Number(dayText);
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || dayOfMonth < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, dayOfMonth));
  if (date.getUTCMonth() !== month - 1) return null; // 31 April, 30 February
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}
