import { datesIn } from './dates';
import { bareNumberLabel, documentTitle, invoiceNumberLabel } from './labels';
import { columnCell, labelledValues, type Labelled, type Line } from './layout';

/** Words before a number label that make it another document's number ("Rectifica a la factura Nº", "Bezug: Rechnung Nr."). */
const referenceWords = /(?:rectifica|bezug|zu|zur|storno|korrektur|do|corrige|correction|ref(?:erence|erencia|erenz)?|riferimento|related|original|origine|credit\s+for|vom|betreft|dotyczy)\W*(?:\p{L}+\W*){0,3}$/u;

/** A bare number label starting a cell, and a document title alone in its cell (step 3 below). */
const bareLabel = new RegExp(`^(?:${bareNumberLabel.source})[\\s:.]*`, 'u');
const titleAlone = new RegExp(`^(?:${documentTitle.source})[\\s:]*$`, 'u');

export interface InvoiceNumber {
  value: string;
  /** What follows the number in its cell ("del 12 maggio 2024", "vom 14.03.2024"), where an issue date may hide. */
  after: string;
}

/**
 * The invoice number, tried from the most to the least explicit evidence:
 * 1. a label that names it ("Invoice No", "Rechnungsnummer", "N° de facture", "Faktura VAT nr");
 * 2. a document title followed by an identifier in its cell or the next ("Rechnung 2025-114");
 * 3. a bare "No"/"Nr"/"N°" label, or an identifier alone, in the two lines under a title
 *    ("AVOIR" / "N° AV-000318", "FATURA-RECIBO" / "FR 2024/1583").
 * A value that is not an identifier (no digit, a date, an amount) is never taken.
 */
export function findInvoiceNumber(lines: Line[]): InvoiceNumber | null {
  const labelled = labelledValues(lines, invoiceNumberLabel, (value) => identifier(value, true) !== null, { rejectPrefix: referenceWords }).find(
    (found) => !underPrecedingInvoices(lines, found),
  );
  if (labelled) return identifier(labelled.value, true);

  const titled = labelledValues(lines, documentTitle, (value) => identifier(value, false) !== null, { atCellStart: true, below: false })[0];
  if (titled) return identifier(titled.value, false);

  for (const [index, line] of lines.entries()) {
    if (!line.cells.some((cell) => titleAlone.test(cell.folded))) continue;
    for (const next of lines.slice(index + 1, index + 4)) {
      const first = next.cells[0];
      if (!first) continue;
      const labelMatch = first.folded.match(bareLabel);
      const value = labelMatch && labelMatch[0].length > 0 ? first.text.slice(labelMatch[0].length) || (next.cells[1]?.text ?? '') : first.text;
      const found = identifier(value, labelMatch !== null && labelMatch[0].length > 0);
      if (found && (labelMatch?.[0].length || found.after === '')) return found;
    }
  }
  return null;
}

/** A heading of the invoices this one follows or corrects ("Previous invoices", "Vorausgegangene Rechnungen", "Factures précédentes"). */
const precedingInvoices = /^(?:previous|preceding|prior)\s+invoices?|^(?:vorausgegangene|vorherige|fruhere)\s+rechnung(?:en)?|^factures?\s+precedentes?|^fatture?\s+precedent[ei]|^facturas?\s+(?:anteriores?|precedentes?)|^(?:vorige|eerdere)\s+facturen?/u;

/** Whether a labelled number stands in the block under such a heading: it names another invoice. */
function underPrecedingInvoices(lines: Line[], found: Labelled): boolean {
  for (let index = found.line; index >= Math.max(0, found.line - 3); index--) {
    const heading = columnCell(lines[index]!, found.labelCell);
    if (heading && precedingInvoices.test(heading.folded)) return true;
  }
  return false;
}

/**
 * The identifier at the start of a value: one token with a digit that is not an amount (and not a
 * date unless the label names a number: "Faktura nr 12/11/2024" is a number). Portuguese series
 * ("FT A/2024/392", "FR 2024/1583") keep their space; "7 0 3 1 5" (OCR letter-spacing) is joined.
 */
function identifier(value: string, explicitLabel: boolean): InvoiceNumber | null {
  const text = value.trim().replace(/^[:#.º°\s]+/, '');
  // A series before the number ("FT A/2024/392", "FR 2024/1583", "FV 12/03/2024") or a number printed in digit groups ("9876 5432 1098").
  const series = text.match(/^[A-Z]{1,4}\s+(?:[A-Z0-9]{1,4}\s?)?[A-Z0-9-]*(?:\/[A-Z0-9-]+)+/)?.[0] ?? text.match(/^\d{2,5}(?: \d{2,5}){2,}$/)?.[0];
  const spaced = text.match(/^\d(?: \d){3,}(?![\d.,])/)?.[0];
  const first = text.split(/\s+/)[0] ?? '';
  const token = (series ?? spaced?.replace(/ /g, '') ?? first).replace(/[,;:)]+$/, '').replace(/\.$/, '');
  const after = text.slice((series ?? spaced ?? first).length).trim();
  if (token.length > 30 || !/^[\p{L}\p{N}][\p{L}\p{N}\-/._]*$/u.test(token.replace(/ /g, series !== undefined ? '' : ' ')) || !/\d/.test(token)) return null;
  if (/^\d{1,3}(?:[.,]\d{3})*[.,]\d{2}$/.test(token)) return null; // an amount
  if (/^\d{1,2}:\d{2}/.test(token)) return null;
  const date = datesIn(token)[0];
  if (date && date.index === 0 && date.end === token.length && (!explicitLabel || !token.includes('/'))) return null;
  return { value: token, after };
}
