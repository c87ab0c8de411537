import type { Invoice } from '../schemas/invoice';
import { decimalStyle, type DecimalStyle } from './amounts';
import { detectCurrency } from './currency';
import { datesIn, documentDateOrder, type SlashDateOrder } from './dates';
import { findInvoiceNumber } from './invoice-number';
import { detectLanguage, type Language } from './language';
import { dueDateLabel, genericDateLabel, issueDateLabel, otherDateContext } from './labels';
import { labelledValues, toLines, type Line } from './layout';
import { parseLineItems } from './line-items';
import { findBuyer, findIssuer, otherAddressBlock } from './parties';
import { findTotals } from './totals';

/** A one-word date label followed by a colon (columns read as one line). */
const genericDateLabelWithColon = new RegExp(`(?:${genericDateLabel.source})(?=\\s*:)`, 'u');

/**
 * Fills the invoice schema from an invoice's text, with no model, in any of the languages in
 * language.ts: labels ("Invoice no", "Rechnungsnummer", "Total TTC", "Do zapłaty"), their values
 * beside or below them in the layout, the line-item table, and the document's own conventions
 * (decimal separator, date order, currency) decided once from the whole document. Pure and
 * deterministic. A field it cannot find, or finds only with doubt, is null, never invented:
 * nothing is computed (no due date from payment terms, no tax from total minus subtotal).
 */
export function parseInvoiceText(text: string): Invoice {
  const { lines, style, currency, dateOrder } = readConventions(text);
  const { items, rowLines, headerIndex } = parseLineItems(lines, style);
  const totals = findTotals(lines, style, rowLines, headerIndex);
  const number = findInvoiceNumber(lines);
  const bodyStart = headerIndex >= 0 ? headerIndex : lines.length;
  const labelledBuyer = findBuyer(lines);
  const issuer = findIssuer(lines, labelledBuyer, bodyStart);
  const buyer = labelledBuyer ?? otherAddressBlock(lines, issuer, bodyStart);
  return {
    invoiceNumber: number?.value ?? null,
    issueDate: findIssueDate(lines, dateOrder, number?.after ?? ''),
    dueDate: findDueDate(lines, dateOrder),
    issuer,
    buyer,
    currency,
    subtotal: totals.subtotal,
    tax: totals.tax,
    total: totals.total,
    lineItems: items,
  };
}

export interface DocumentConventions {
  lines: Line[];
  language: Language;
  style: DecimalStyle;
  currency: string | null;
  dateOrder: SlashDateOrder;
}

/** A document's lines and the conventions it writes in, each decided once from the whole text. */
export function readConventions(text: string): DocumentConventions {
  const lines = toLines(text);
  const language = detectLanguage(text);
  const style = decimalStyle(text, language === 'en' ? 'point' : 'comma');
  const currency = detectCurrency(text, lines, language);
  return { lines, language, style, currency, dateOrder: documentDateOrder(text, currency, language) };
}

/** A date at the start of a label's value ("14.03.2024", "le 5 mars 2024", "del 12 maggio 2024"). */
function leadingDate(value: string, order: SlashDateOrder): string | null {
  const date = datesIn(value, order)[0];
  if (!date) return null;
  const before = value.slice(0, date.index).trim().toLowerCase();
  return before === '' || /^(?:le|den|am|vom|del|de|du|dated|on|z\s+dnia|dnia|of)$/u.test(before) ? date.iso : null;
}

function findDueDate(lines: Line[], order: SlashDateOrder): string | null {
  const found = labelledValues(lines, dueDateLabel, (value) => leadingDate(value, order) !== null)[0];
  return found ? leadingDate(found.value, order) : null;
}

/**
 * The issue date: a label that names it ("Rechnungsdatum", "Date de facture", "Data wystawienia"),
 * then the date after the invoice number ("Fattura n. 312 del 12 maggio 2024"), then a one-word
 * label ("Datum:", "Fecha:") whose value starts with the date, then an unlabelled date near the
 * top that no other word claims ("Zürich, 3. April 2025").
 */
export function findIssueDate(lines: Line[], order: SlashDateOrder, afterNumber: string): string | null {
  const labelled = labelledValues(lines, issueDateLabel, (value) => leadingDate(value, order) !== null)[0];
  if (labelled) return leadingDate(labelled.value, order);
  const afterNumberDate = leadingDate(afterNumber, order);
  if (afterNumberDate) return afterNumberDate;
  // One-word labels start their cell, or (columns read as one line, as OCR does) end in a colon: "... Harrow HA1 2SQ Date: 03/02/2025".
  const generic =
    labelledValues(lines, genericDateLabel, (value) => leadingDate(value, order) !== null, { atCellStart: true })[0] ??
    labelledValues(lines, genericDateLabelWithColon, (value) => leadingDate(value, order) !== null, { below: false, right: false })[0];
  if (generic) return leadingDate(generic.value, order);

  for (const line of lines.slice(0, 25)) {
    for (const cell of line.cells) {
      const dates = datesIn(cell.text, order);
      if (dates.length !== 1 || otherDateContext.test(cell.folded)) continue;
      const before = cell.folded.slice(0, dates[0]!.index);
      // "Bordeaux, le 12/02/2025", "Zürich, 3. April 2025", or the date alone.
      if (/^(?:[\p{L} .'-]{2,30},\s*(?:le|den|am|el|il|op|dnia)?\s*|le\s+)?$/u.test(before)) return dates[0]!.iso;
    }
  }
  return null;
}
