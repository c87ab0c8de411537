import { datesIn } from './dates';
import { findIssueDate, readConventions } from './fields';
import { isPartyName } from './parties';
import { findTotals } from './totals';

/** What a till receipt says, read by the local extractor (for a `receipt` schema to use). */
export interface ReceiptFields {
  merchant: string | null;
  /** ISO YYYY-MM-DD. */
  date: string | null;
  total: number | null;
  currency: string | null;
}

/**
 * Merchant, date, total and currency of a till receipt ("TOTAL 8,80 €", "SUMME EUR 12,49",
 * "Razem PLN 23,50", "TOTALE COMPLESSIVO 4,20"), with the same conventions as invoices (decimal
 * separator, date order and currency decided per document). Null when not sure.
 */
export function parseReceiptText(text: string): ReceiptFields {
  const conventions = readConventions(text);
  return {
    merchant: findMerchant(text),
    date: findReceiptDate(text),
    total: findReceiptTotal(text),
    currency: conventions.currency,
  };
}

/** The shop's name: the first line of the receipt's head that reads as a name (not an address, a date or a number). */
export function findMerchant(text: string): string | null {
  const { lines } = readConventions(text);
  for (const line of lines.slice(0, 8)) {
    const name = line.cells.map((cell) => cell.text).join(' ').trim();
    if (name !== '' && isPartyName(name)) return name;
  }
  return null;
}

/** The receipt's date: a labelled one, else the first date printed next to a time ("21/06/2024 09:42"), else the only date. */
export function findReceiptDate(text: string): string | null {
  const { lines, dateOrder } = readConventions(text);
  const labelled = findIssueDate(lines, dateOrder, '');
  if (labelled) return labelled;
  const withTime = lines.find((line) => /\b\d{1,2}:\d{2}\b/.test(line.text) && datesIn(line.text, dateOrder).length > 0);
  if (withTime) return datesIn(withTime.text, dateOrder)[0]!.iso;
  const all = new Set(datesIn(text, dateOrder).map((date) => date.iso));
  return all.size === 1 ? [...all][0]! : null;
}

/** The amount paid: the receipt's total (see findTotals), never the cash handed over or the change. */
export function findReceiptTotal(text: string): number | null {
  const { lines, style } = readConventions(text);
  return findTotals(lines, style, new Set(), -1).total;
}
