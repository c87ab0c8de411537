import type { Invoice } from '../schemas/invoice';
import { decimalStyle, lastAmount, type DecimalStyle } from './amounts';
import { parseDate, slashDateOrder, type SlashDateOrder } from './dates';
import { labelledValue, labelledValues, toLines, type Line } from './layout';
import { parseLineItems } from './line-items';
import { detectCurrency } from './currency';

/**
 * Fills the invoice schema from an invoice's text, with no model: labels ("Invoice no", "Bill to",
 * "Total due"), their values beside or below them, the line-item table, and the document's own
 * conventions (decimal separator, date order, currency). Pure and deterministic. A field it cannot
 * find is null, never invented: nothing is computed (no due date from payment terms, no tax from
 * total minus subtotal).
 */
export function parseInvoiceText(text: string): Invoice {
  const lines = toLines(text);
  const style = decimalStyle(text);
  const currency = detectCurrency(text, lines);
  const dateOrder = slashDateOrder(text, currency);
  const { items, rowLines } = parseLineItems(lines, style);
  const amounts = summaryAmounts(lines, style, rowLines);
  const buyer = findBuyer(lines);
  const bodyStart = items.length > 0 ? Math.min(...rowLines) - 1 : lines.length;
  return {
    invoiceNumber: findInvoiceNumber(lines),
    issueDate: findIssueDate(lines, dateOrder),
    dueDate: findDueDate(lines, dateOrder),
    issuer: findIssuer(lines.slice(0, bodyStart), buyer),
    buyer,
    currency,
    subtotal: amounts.subtotal,
    tax: amounts.tax,
    total: amounts.total,
    lineItems: items,
  };
}

// --- invoice number -------------------------------------------------------------------------

const invoiceNumberLabels = [
  /(?:invoice|inv|bill|document|receipt)\s*(?:number|no|num|nr|#|id|ref(?:erence)?)\.?/,
  /invoice/,
];

function findInvoiceNumber(lines: Line[]): string | null {
  for (const label of invoiceNumberLabels) {
    const found = labelledValue(lines, label, (value) => invoiceNumberToken(value) !== null);
    if (found) return invoiceNumberToken(found.value);
  }
  return null;
}

/** The identifier at the start of a value: one token with a digit that is not a date or an amount. */
function invoiceNumberToken(value: string): string | null {
  const token = value.split(/\s+/)[0]?.replace(/[,;:)]+$/, '').replace(/\.$/, '') ?? '';
  if (!/^[A-Z0-9][A-Z0-9\-/._]*$/i.test(token) || !/\d/.test(token)) return null;
  if (parseDate(token) !== null || /^\d{1,3}(?:[.,]\d{3})*[.,]\d{2}$/.test(token)) return null;
  return token;
}

// --- dates ----------------------------------------------------------------------------------

const dueDateLabel = /due\s*date|date\s*due|payment\s*due|due\s*(?:by|on)|pay(?:able)?\s*by|due/;
const issueDateLabel = /invoice\s*date|date\s*of\s*(?:issue|invoice)|issue\s*date|issued(?:\s*on)?|date\s*issued|billing\s*date|tax\s*point|dated?/;
/** Dates that belong to something else than the invoice's issue. */
const otherDateContext = /due|deliver|order|period|service|ship|payment|pay\s*by|valid|supply|from|until|to\b/i;

function findDueDate(lines: Line[], order: SlashDateOrder): string | null {
  const found = labelledValue(lines, dueDateLabel, (value) => parseDate(value, order) !== null);
  return found ? parseDate(found.value, order) : null;
}

function findIssueDate(lines: Line[], order: SlashDateOrder): string | null {
  const labelled = labelledValues(lines, issueDateLabel, (value) => parseDate(value, order) !== null).find(
    (found) => !otherDateContext.test(labelText(found.labelCell.text)),
  );
  if (labelled) return parseDate(labelled.value, order);
  // No label: an unlabelled date near the top of an invoice ("London, 5 March 2024") is its date.
  for (const line of lines.slice(0, 15)) {
    for (const cell of line.cells) {
      const date = parseDate(cell.text, order);
      if (date !== null && !otherDateContext.test(cell.text) && !/\d\s*[-–]\s*\d/.test(cell.text.replace(/\d{4}-\d{2}-\d{2}/g, ''))) return date;
    }
  }
  return null;
}

/** The words of a cell before its first digit ("Due date: 2024-..." -> "Due date:"). */
function labelText(cell: string): string {
  return cell.split(/\d/)[0] ?? cell;
}

// --- parties --------------------------------------------------------------------------------

const buyerLabel = /bill(?:ed)?\s*to|invoice\s*to|sold\s*to|customer(?:\s*name)?|client(?:\s*name)?|buyer|recipient|to(?=\s*:)/;
const issuerLabel = /from(?=\s*:)|seller|supplier|vendor|issued\s*by|billed\s*by|bill\s*from|payee|provider/;
const titleWords = /^(?:(?:tax|vat|commercial|sales|proforma|pro-forma)\s+)?(?:invoice|receipt|bill|statement)\b|^page\s+\d/i;
const companySuffix = /\b(?:ltd|limited|llc|inc|corp|corporation|gmbh|ag|sarl|sas|sa|s\.a\.|bv|b\.v\.|nv|plc|llp|co|company|oy|ab|as|aps|srl|spa|pty|kg)\.?$/i;

function findBuyer(lines: Line[]): string | null {
  const found = labelledValue(lines, buyerLabel, isPartyName, { atCellStart: true });
  return found ? cleanName(found.value) : null;
}

function findIssuer(lines: Line[], buyer: string | null): string | null {
  const labelled = labelledValue(lines, issuerLabel, isPartyName, { atCellStart: true });
  if (labelled) return cleanName(labelled.value);

  // No label: the issuer's name heads the invoice. Prefer a name with a company suffix.
  const candidates: string[] = [];
  for (const line of lines.slice(0, 12)) {
    for (const cell of line.cells) {
      const text = cell.text.trim();
      if (cleanName(text) === buyer || isBareLabel(text, buyerLabel)) continue;
      if (isPartyName(text)) candidates.push(cleanName(text));
    }
  }
  return candidates.find((name) => companySuffix.test(name)) ?? candidates[0] ?? null;
}

/** A plausible party name: has letters, is not a label, a date, an amount, an address line or a contact. */
function isPartyName(value: string): boolean {
  const text = value.trim();
  if (!/\p{L}{2}/u.test(text) || text.length > 80) return false;
  if (/^[\p{L} .#/]{2,30}:/u.test(text) || text.endsWith(':')) return false; // another label
  if (/^\d/.test(text) || /@|https?:|www\.|\+?\d[\d ()-]{7,}/.test(text)) return false; // address, contact
  if (!/\s/.test(text) && /\d/.test(text)) return false; // a reference number, not a name
  if (parseDate(text) !== null || titleWords.test(text)) return false;
  if (/^(?:vat|tax|iban|bic|swift|phone|tel|fax|email|page)\b/i.test(text)) return false;
  return true;
}

/** A cell that is only a label ("Sold to", "Bill To:"), with its value elsewhere. */
function isBareLabel(text: string, label: RegExp): boolean {
  return new RegExp(`^(?:${label.source})\\s*:?$`, 'i').test(text);
}

function cleanName(value: string): string {
  return value.replace(/\s{2,}.*$/, '').replace(/[,;]+$/, '').trim();
}

// --- amounts --------------------------------------------------------------------------------

type SummaryKind = 'subtotal' | 'tax' | 'total';
const summaryLabels: { kind: SummaryKind; pattern: RegExp; priority: number }[] = [
  {
    kind: 'subtotal',
    pattern: /^(?:sub\s*-?\s*total|net\s*(?:amount|total|value)|total\s*(?:net|excl\.?|excluding|before\s*tax|ex\.?\s*(?:vat|tax))|amount\s*before\s*tax|taxable\s*amount)\b/i,
    priority: 1,
  },
  { kind: 'tax', pattern: /^(?:total\s*)?(?:vat|tax|gst|hst|sales\s*tax|mwst|tva|iva)\b(?!\s*(?:id|no|number|reg|registration|#|rate))/i, priority: 1 },
  {
    kind: 'total',
    pattern: /^(?:grand\s*total|total\s*(?:due|amount|payable|incl\.?|including|to\s*pay)|amount\s*(?:due|payable)|balance\s*due|invoice\s*total)\b/i,
    priority: 2,
  },
  { kind: 'total', pattern: /^total\b/i, priority: 1 },
];

/**
 * Subtotal, tax and total from summary lines ("Subtotal  1,000.00", "VAT 20%  200.00",
 * "Total due  EUR 1,200.00"): the last amount after the label on its line. The strongest total
 * label wins ("Amount due" over a plain "Total"); among equals, the last one.
 */
function summaryAmounts(lines: Line[], style: DecimalStyle, skip: Set<number>): Record<SummaryKind, number | null> {
  const best: Record<SummaryKind, { value: number; priority: number } | null> = { subtotal: null, tax: null, total: null };
  lines.forEach((line, index) => {
    if (skip.has(index)) return;
    line.cells.forEach((cell, cellIndex) => {
      const label = summaryLabels.find(({ pattern }) => pattern.test(cell.text));
      if (!label) return;
      const labelEnd = cell.text.match(label.pattern)?.[0].length ?? 0;
      const rest = [cell.text.slice(labelEnd), ...line.cells.slice(cellIndex + 1).map((c) => c.text)].join('  ');
      const value = lastAmount(rest.replace(/\(\s*\d+(?:[.,]\d+)?\s*%\s*\)/g, ''), style);
      if (value === null) return;
      const current = best[label.kind];
      const keepFirst = label.kind !== 'total'; // the first subtotal/tax line; the strongest, last total
      if (current === null || label.priority > current.priority || (label.priority === current.priority && !keepFirst)) {
        best[label.kind] = { value, priority: label.priority };
      }
    });
  });
  return { subtotal: best.subtotal?.value ?? null, tax: best.tax?.value ?? null, total: best.total?.value ?? null };
}
