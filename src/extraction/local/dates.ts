import { fold } from './fold';

/**
 * Dates as invoices print them, normalised to ISO YYYY-MM-DD.
 *
 * - Year first ("2024-03-05", "2024/03/05", "2024.03.05") is always Y-M-D.
 * - Year last, all numeric ("05.03.2024", "05/03/2024", "05-03-24"): a part above 12 settles the
 *   order; otherwise the document's order decides (see documentDateOrder). Dotted dates are D.M.Y
 *   wherever they are written.
 * - Month names in English, German, French, Spanish, Italian, Dutch, Polish and Portuguese
 *   ("March 5, 2024", "31. Januar 2026", "5 mars 2024", "3 de marzo de 2024", "12 maggio 2024",
 *   "12 mei 2024", "12 maja 2024", "12 de maio de 2024", "05-Mar-2024") are never ambiguous.
 */
export type SlashDateOrder = 'DMY' | 'MDY';

/** Month names and abbreviations, accents folded (see fold), by month number. */
const monthNames: [number, string[]][] = [
  [1, ['january', 'januar', 'janner', 'janvier', 'enero', 'gennaio', 'januari', 'styczen', 'stycznia', 'janeiro', 'jan', 'janv', 'ene', 'gen', 'sty']],
  [2, ['february', 'februar', 'fevrier', 'febrero', 'febbraio', 'februari', 'luty', 'lutego', 'fevereiro', 'feb', 'febr', 'fev', 'fevr', 'lut']],
  [3, ['march', 'marz', 'maerz', 'mars', 'marzo', 'maart', 'marzec', 'marca', 'marco', 'mar', 'mrz', 'mrt']],
  [4, ['april', 'avril', 'abril', 'aprile', 'kwiecien', 'kwietnia', 'apr', 'avr', 'abr', 'kwi']],
  [5, ['may', 'mai', 'mayo', 'maggio', 'mei', 'maj', 'maja', 'maio', 'mag']],
  [6, ['june', 'juni', 'juin', 'junio', 'giugno', 'czerwiec', 'czerwca', 'junho', 'jun', 'giu', 'cze']],
  [7, ['july', 'juli', 'juillet', 'julio', 'luglio', 'lipiec', 'lipca', 'julho', 'jul', 'juil', 'lug', 'lip']],
  [8, ['august', 'aout', 'agosto', 'augustus', 'sierpien', 'sierpnia', 'aug', 'ago', 'sie']],
  [9, ['september', 'septembre', 'septiembre', 'setiembre', 'settembre', 'wrzesien', 'wrzesnia', 'setembro', 'sep', 'sept', 'set', 'wrz']],
  [10, ['october', 'oktober', 'octobre', 'octubre', 'ottobre', 'pazdziernik', 'pazdziernika', 'outubro', 'oct', 'okt', 'ott', 'out', 'paz']],
  [11, ['november', 'novembre', 'noviembre', 'listopad', 'listopada', 'novembro', 'nov', 'lis']],
  [12, ['december', 'dezember', 'decembre', 'diciembre', 'dicembre', 'grudzien', 'grudnia', 'dezembro', 'dec', 'dez', 'dic', 'gru']],
];
const monthByName = new Map(monthNames.flatMap(([month, names]) => names.map((name) => [name, month] as const)));
const monthName = `(${[...monthByName.keys()].sort((a, b) => b.length - a.length).join('|')})\\.?`;
const day = '(\\d{1,2})(?:st|nd|rd|th|er|e|º|°)?\\.?';
const year = "(\\d{4}|'?\\d{2})";

interface DatePattern {
  /** Global, for matchAll (which copies it, so its lastIndex is never shared). */
  pattern: RegExp;
  parts: (m: RegExpMatchArray, order: SlashDateOrder) => [string, string, string] | null;
}

const datePatterns: DatePattern[] = [
  { pattern: /(?<![\d.,])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.,]*\d)/g, parts: (m) => [m[1]!, m[3]!, m[4]!] },
  {
    // "5 March 2024", "31. Januar 2026", "3 de marzo de 2024", "05-Mar-24", "5th of March 2024"
    pattern: new RegExp(`(?<![\\d\\p{L}])${day}(?:\\s*(?:of|de)\\s+|[\\s\\-./]*)${monthName}(?:\\s+(?:de|del)\\s+|[\\s\\-./,']+)${year}(?!\\d)`, 'gu'),
    parts: (m) => [m[3]!, String(monthByName.get(m[2]!.toLowerCase()) ?? 0), m[1]!],
  },
  {
    // "March 5, 2024", "Sept. 30 2024", "Mar 05-2024"
    pattern: new RegExp(`(?<![\\p{L}])${monthName}[\\s\\-.]+(\\d{1,2})(?:st|nd|rd|th)?(?:\\s?,\\s*|\\s+|-)(\\d{4})(?!\\d)`, 'gu'),
    parts: (m) => [m[3]!, String(monthByName.get(m[1]!.toLowerCase()) ?? 0), m[2]!],
  },
  {
    pattern: /(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.,]*\d)/g,
    parts: (m, order) => {
      const [a, b] = [Number(m[1]), Number(m[3])];
      const dayFirst = a > 12 ? true : b > 12 ? false : m[2] === '.' || order === 'DMY';
      return dayFirst ? [m[4]!, m[3]!, m[1]!] : [m[4]!, m[1]!, m[3]!];
    },
  },
];

export interface DateMatch {
  iso: string;
  index: number;
  end: number;
}

/** Every date in a piece of text with its position, left to right (impossible dates are skipped). */
export function datesIn(text: string, order: SlashDateOrder = 'DMY'): DateMatch[] {
  // Every date has a number in it: most cells (labels, names) are settled here, before any pattern.
  if (!/\d/.test(text)) return [];
  const folded = fold(text);
  const found: DateMatch[] = [];
  for (const { pattern, parts } of datePatterns) {
    for (const match of folded.matchAll(pattern)) {
      const ymd = parts(match, order);
      const iso = ymd && isoDate(...ymd);
      const end = match.index + match[0].length;
      if (iso && !found.some((other) => match.index < other.end && other.index < end)) found.push({ iso, index: match.index, end });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The first date in a piece of text, as YYYY-MM-DD, or null when there is none or it is impossible. */
export function parseDate(text: string, order: SlashDateOrder = 'DMY'): string | null {
  return datesIn(text, order)[0]?.iso ?? null;
}

/**
 * The order of ambiguous numeric dates in this document: an unambiguous one (a part above 12)
 * decides for all; otherwise M/D/Y only for US-dollar documents that are not written in a
 * continental language, D/M/Y for all others.
 */
export function documentDateOrder(text: string, currency: string | null, language = 'en'): SlashDateOrder {
  let dmy = 0;
  let mdy = 0;
  for (const match of text.matchAll(/(?<![\d.,/-])(\d{1,2})([/-])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d.,]*\d)/g)) {
    if (Number(match[1]) > 12) dmy++;
    else if (Number(match[3]) > 12) mdy++;
  }
  if (dmy !== mdy) return dmy > mdy ? 'DMY' : 'MDY';
  return currency === 'USD' && language === 'en' ? 'MDY' : 'DMY';
}

/** The order of ambiguous slash dates (see documentDateOrder), for an English-language document. */
export function slashDateOrder(text: string, currency: string | null): SlashDateOrder {
  return documentDateOrder(text, currency, 'en');
}

function isoDate(yearText: string, monthText: string, dayText: string): string | null {
  const digits = yearText.replace("'", '');
  const year = digits.length === 2 ? 2000 + Number(digits) : Number(digits);
  const month = Number(monthText);
  const dayOfMonth = Number(dayText);
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || dayOfMonth < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, dayOfMonth));
  if (date.getUTCMonth() !== month - 1) return null; // 31 April, 30 February
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}
