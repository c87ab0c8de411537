import type { Receipt } from '../schemas/receipt';
import { amountMatches, type DecimalStyle } from './amounts';
import { datesIn } from './dates';
import { findIssueDate, readConventions } from './fields';
import { fold } from './fold';
import { isSummaryLabel } from './labels';
import type { Line } from './layout';
import { parseLineItems } from './line-items';
import { isPartyName } from './parties';
import { findTotals } from './totals';

/**
 * Fills the receipt schema from a till or card receipt's text, with no model: merchant, date and
 * time, currency, total (never the cash handed over or the change), tax, payment method and the
 * purchased lines, with the same conventions as invoices (decimal separator, date order and
 * currency decided per document). A field it cannot find, or finds only with doubt, is null.
 */
export function parseReceiptText(text: string): Receipt {
  const { lines, style, currency, dateOrder } = readConventions(text);
  const table = parseLineItems(lines, style);
  const totals = findTotals(lines, style, table.rowLines, table.headerIndex);
  const summaryStart = firstSummaryLine(lines);
  return {
    merchant: findMerchantIn(lines),
    date: findReceiptDateIn(lines, dateOrder),
    time: findReceiptTime(lines, dateOrder),
    currency,
    subtotal: totals.subtotal,
    tax: totals.tax ?? findIncludedTax(lines, style, summaryStart),
    total: totals.total,
    paymentMethod: findPaymentMethod(lines),
    items: table.items.length > 0 ? table.items : receiptItems(lines, style, summaryStart),
  };
}

/** The shop's name: the first line of the receipt's head that reads as a name (not an address, a date or a number). */
export function findMerchant(text: string): string | null {
  return findMerchantIn(readConventions(text).lines);
}

function findMerchantIn(lines: Line[]): string | null {
  for (const line of lines.filter((l) => l.cells.length > 0).slice(0, 8)) {
    const name = line.cells.map((cell) => cell.text).join(' ').trim();
    if (name !== '' && isPartyName(name)) return name;
  }
  return null;
}

/** The receipt's date: a labelled one, else the first date printed next to a time ("21/06/2024 09:42"), else the only date. */
export function findReceiptDate(text: string): string | null {
  const { lines, dateOrder } = readConventions(text);
  return findReceiptDateIn(lines, dateOrder);
}

function findReceiptDateIn(lines: Line[], dateOrder: 'DMY' | 'MDY'): string | null {
  const labelled = findIssueDate(lines, dateOrder, '');
  if (labelled) return labelled;
  const withTime = lines.find((line) => timeIn(line.text) !== null && datesIn(line.text, dateOrder).length > 0);
  if (withTime) return datesIn(withTime.text, dateOrder)[0]!.iso;
  const all = new Set(lines.flatMap((line) => datesIn(line.text, dateOrder).map((date) => date.iso)));
  return all.size === 1 ? [...all][0]! : null;
}

/** The amount paid: the receipt's total (see findTotals), never the cash handed over or the change. */
export function findReceiptTotal(text: string): number | null {
  const { lines, style } = readConventions(text);
  return findTotals(lines, style, new Set(), -1).total;
}

const timePattern = /(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\s*([ap])\.?\s*m\.?)?(?![\d:])/i;
const timeLabel = /\b(?:time|hora|uhrzeit|zeit|heure|ora|tijd|godz(?:ina)?|hr)\b/;

/** HH:MM (or HH:MM:SS) on 24 hours: "09:42", "18:03:11", "2:05 PM" is 14:05. */
function timeIn(text: string): string | null {
  const match = timePattern.exec(text);
  if (!match) return null;
  let hours = Number(match[1]);
  const meridiem = match[4]?.toLowerCase();
  if (meridiem === 'p' && hours < 12) hours += 12;
  if (meridiem === 'a' && hours === 12) hours = 0;
  return `${String(hours).padStart(2, '0')}:${match[2]}${match[3] ? `:${match[3]}` : ''}`;
}

/** The time of the purchase: on the date's line, else after a time label ("Hora: 09:42", "Uhrzeit 18:03"). Colons only, so prices are never read as times. */
function findReceiptTime(lines: Line[], dateOrder: 'DMY' | 'MDY'): string | null {
  const colonTime = (text: string) => timeIn(text.replace(/\d{1,2}[./-]\d{1,2}[./-]\d{2,4}/g, ' '));
  for (const line of lines) if (datesIn(line.text, dateOrder).length > 0 && colonTime(line.text)) return colonTime(line.text);
  for (const line of lines) if (timeLabel.test(fold(line.text)) && colonTime(line.text)) return colonTime(line.text);
  return null;
}

/**
 * How it was paid, as receipts print it: the card scheme when one is named ("VISA", "Mastercard",
 * "girocard"), else "card" for a card payment, "cash" for cash. Card numbers and codes are left out.
 */
const paymentMethods: { name: string; pattern: RegExp }[] = [
  { name: 'VISA', pattern: /\bvisa\b/ },
  { name: 'Mastercard', pattern: /\bmaster\s*card\b|\bmc\b/ },
  { name: 'Maestro', pattern: /\bmaestro\b/ },
  { name: 'American Express', pattern: /\bamerican\s*express\b|\bamex\b/ },
  { name: 'V PAY', pattern: /\bv\s*pay\b/ },
  { name: 'girocard', pattern: /\bgirocard\b|\bec[-\s]?karte\b|\bec[-\s]?cash\b/ },
  { name: 'Apple Pay', pattern: /\bapple\s*pay\b/ },
  { name: 'Google Pay', pattern: /\bgoogle\s*pay\b/ },
  { name: 'gift card', pattern: /\bgift\s*card\b|\bgutschein\b|\bbon\s*d'?achat\b/ },
  {
    name: 'card',
    pattern: /\b(?:credit|debit)\s*card\b|\bcard\b|\bkarte(?:nzahlung)?\b|\bcarte\s*(?:bancaire|bleue)?\b|\bcb\b|\btarjeta\b|\bcarta\b|\bbankkaart\b|\bpin\b|\bkarta\b|\bcartao\b|\bmultibanco\b/,
  },
  { name: 'cash', pattern: /\bcash\b|\bbar(?:geld|zahlung)?\b|\bespeces\b|\befectivo\b|\bcontant(?:i|e)?\b|\bgotowka\b|\bdinheiro\b|\bnumerario\b/ },
];

function findPaymentMethod(lines: Line[]): string | null {
  const text = lines.map((line) => fold(line.text)).join('\n');
  return paymentMethods.find(({ pattern }) => pattern.test(text))?.name ?? null;
}

const taxWord = /(?:mwst|ust|mehrwertsteuer|umsatzsteuer|vat|tax|gst|tva|iva|btw|ptu|vat|steuer|imposta)/;

/**
 * The tax a receipt says is included ("IVA incluido 10% 0,80", "davon MwSt 19% 1,99", "TVA 10,0%
 * 0,56"), when the summary did not give it: the last amount of the tax lines after the items, summed
 * over rates. Null when no such line carries an amount.
 */
function findIncludedTax(lines: Line[], style: DecimalStyle, from: number): number | null {
  let sum = 0;
  let found = false;
  // A VAT table's header ("Steuer % Netto Steuer Brutto") names the tax once; its rows carry only the rate.
  let inTable = false;
  for (const line of lines.slice(Math.max(from, 0))) {
    const folded = fold(line.text);
    const named = taxWord.test(folded);
    if (named && amountMatches(line.text, style).every((match) => !match.money)) {
      inTable = true;
      continue;
    }
    inTable &&= /%/.test(line.text);
    if (!(named || inTable) || !/%/.test(line.text)) continue;
    const amounts = amountMatches(line.text.replace(/\d{1,2}(?:[.,]\d{1,2})?\s*%/g, ' '), style).filter((match) => match.money);
    if (amounts.length === 0) continue;
    // "A 19% 10,50 1,99 12,49" (rate, net, tax, gross): the tax is the one that is neither the largest nor a sum.
    const values = amounts.map((match) => match.value);
    const tax = values.length >= 3 ? values[values.length - 2]! : values.length === 2 ? Math.min(...values) : values[0]!;
    sum += tax;
    found = true;
  }
  return found ? Math.round(sum * 100) / 100 : null;
}

/** The first line whose first cell is a summary label (total, subtotal, tax): the items end before it. */
function firstSummaryLine(lines: Line[]): number {
  return lines.findIndex((line) => line.cells.length > 0 && isSummaryLabel(line.cells[0]!.folded));
}

const notAnItem = /(?:tel|fax|ust-?id|st\.?-?nr|steuer-?nr|nif|cif|siret|siren|tva\s*intra|vat\s*(?:no|reg)|p\.?\s*iva|bon|beleg|kasse|caisse|ticket|factura|fattura|rechnung|n[°ºo]\.?|nr\.?|terminal|trace|auth|approval|www\.|http|@)/;

/**
 * The purchased lines of a receipt without a table header: between its head and its first summary
 * line, each line that ends with a money amount (an optional tax class letter after it: "BANANE
 * 1,29 B") and starts with words. "2 x Café con leche 1,60 3,20" is quantity 2, unit price 1.60,
 * amount 3.20; a discount line keeps its minus sign.
 */
function receiptItems(lines: Line[], style: DecimalStyle, summaryStart: number): Receipt['items'] {
  const end = summaryStart >= 0 ? summaryStart : lines.length;
  const items: Receipt['items'] = [];
  for (const line of lines.slice(0, end)) {
    const text = line.text.trim();
    const trailing = /\s+(?:[A-D]|\d|[A-Z]{1,2}\*?)$/.exec(text);
    const body = trailing && /[.,]\d{2}\s+\S{1,3}$/.test(text) ? text.slice(0, trailing.index) : text;
    const amounts = amountMatches(body, style).filter((match) => match.money);
    const last = amounts.at(-1);
    if (!last || body.slice(last.end).replace(/[€$£]|\b[A-Z]{3}\b/g, '').trim() !== '') continue;
    const head = body.slice(0, amounts[0]!.index);
    const quantity = /^\s*(\d+(?:[.,]\d+)?)\s*[x×*]\s*/i.exec(head) ?? /\s(\d+(?:[.,]\d+)?)\s*[x×*]\s*$/i.exec(head);
    const description = head.replace(quantity?.[0] ?? '', ' ').replace(/\s+/g, ' ').trim();
    const folded = fold(description);
    if (!/\p{L}{2}/u.test(description) || datesIn(text).length > 0 || /\d:\d\d/.test(text) || notAnItem.test(folded) || isSummaryLabel(folded)) continue;
    if (paymentMethods.some(({ pattern }) => pattern.test(folded))) continue;
    items.push({
      description,
      quantity: quantity ? Number(quantity[1]!.replace(',', '.')) : null,
      unitPrice: amounts.length >= 2 ? amounts.at(-2)!.value : null,
      amount: last.value,
    });
  }
  return items;
}
