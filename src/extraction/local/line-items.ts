import type { InvoiceLineItem } from '../schemas/invoice';
import { parseAmount, type DecimalStyle } from './amounts';
import { carriedForward, isSummaryLabel } from './labels';
import type { Line } from './layout';

type NumericColumn = 'quantity' | 'unitPrice' | 'amount';

export interface LineItemTable {
  items: InvoiceLineItem[];
  /** Indices of the lines that were read as rows, so summary parsing can skip them. */
  rowLines: Set<number>;
  /** The line of the table's header, or -1 when there is no table. */
  headerIndex: number;
}

const descriptionHeader =
  /^(?:description(?:\s+of\s+goods)?|item(?:s| description)?|product|service|services|details|particulars|article|activity|bezeichnung|beschreibung|artikel(?:bezeichnung)?|leistung|arbeitswert|position|designation|libelle|article|prestation|concepto|descripcion|articulo|descrizione|articolo|omschrijving|werkzaamheden|nazwa(?:\s+towaru(?:\s+lub\s+uslugi)?|\s+uslugi)?|descricao|designacao|discriminacao)\b/i;
const columnHeaders: { column: NumericColumn; pattern: RegExp }[] = [
  {
    column: 'unitPrice',
    pattern:
      /^(?:unit\s*(?:price|cost)|price(?:\s*per\s*unit)?|rate|each|unit\s*net|e-?preis|einzelpreis|einzel|preis|ansatz|prix(?:\s*unitaire)?|p\.?\s*u\.?|precio(?:\s*ud\.?)?|prezzo(?:\s*unitario)?|prijs|tarief|cena(?:\s*netto)?|preco(?:\s*unit\.?)?)\b/i,
  },
  { column: 'quantity', pattern: /^(?:qty|quantity|units?|hours|hrs|count|pcs|menge|anzahl|anz\.?|stunden|qte|quantite|cant\.?|cantidad|unidades|q\.?ta|quantita|aantal|uren|ilosc|qtd\.?|quantidade)\b/i },
  {
    column: 'amount',
    pattern: /^(?:amount|line\s*total|total|net\s*amount|net|sum|betrag|gesamt|summe|montant|importe|importo|prezzo\s*totale|bedrag|totaal|wartosc\s*netto|valor|total)\b/i,
  },
];
const currencyNoise = /^(?:[A-Z]{3}\s*)|(?:\s*[A-Z]{3})$|[€$£¥₹]|R\$|(?<![\p{L}])(?:zł|Rs\.?|Fr\.|kr\.?)(?![\p{L}])/gu;

/**
 * Line items from the first table whose header names a description column and at least one of
 * quantity, unit price or amount. Each following row with numbers is an item: its numbers are
 * matched to the header's numeric columns from the right (rows are right-aligned in practice).
 * The table ends at the first summary line (subtotal, tax, total) or after two blank lines.
 */
export function parseLineItems(lines: Line[], style: DecimalStyle): LineItemTable {
  const items: InvoiceLineItem[] = [];
  const rowLines = new Set<number>();
  const headerIndex = lines.findIndex((line) => tableColumns(line) !== undefined);
  if (headerIndex < 0) return { items, rowLines, headerIndex };
  const { columns, leadingCells } = tableColumns(lines[headerIndex]!)!;

  let blanks = 0;
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.cells.length === 0 || /^[-=_\s|+:]+$/.test(line.text)) {
      if (line.cells.length === 0 && ++blanks >= 2) break;
      continue;
    }
    blanks = 0;
    const row = splitRow(line, style, leadingCells);
    const first = line.cells[0]?.folded ?? '';
    if (carriedForward.test(first)) continue;
    if (isSummaryLabel(first) && (row.numbers.length < columns.length || columns.length === 1)) break;
    if (row.numbers.length === 0 || row.description === '') continue;

    const item: InvoiceLineItem = { description: row.description, quantity: null, unitPrice: null, amount: null };
    const used = row.numbers.slice(-columns.length);
    const assigned = columns.slice(columns.length - used.length);
    assigned.forEach((column, i) => {
      item[column] = used[i] ?? null;
    });
    items.push(item);
    rowLines.add(index);
  }
  return { items, rowLines, headerIndex };
}

/** The header's numeric columns, and how many cells (a "#" or "Pos" column) precede the description. */
function tableColumns(line: Line): { columns: NumericColumn[]; leadingCells: number } | undefined {
  const descriptionIndex = line.cells.findIndex((cell) => descriptionHeader.test(cell.folded));
  if (descriptionIndex < 0 || descriptionIndex > 1) return undefined;
  const columns: NumericColumn[] = [];
  for (const cell of line.cells.slice(descriptionIndex + 1)) {
    const header = columnHeaders.find(({ pattern }) => pattern.test(cell.folded));
    if (header && !columns.includes(header.column)) columns.push(header.column);
  }
  return columns.length > 0 ? { columns, leadingCells: descriptionIndex } : undefined;
}

/** A row's trailing numeric cells ("2", "€10.00", "20.00 EUR", "3 hrs") and its description before them. */
function splitRow(line: Line, style: DecimalStyle, leadingCells: number): { description: string; numbers: number[] } {
  const numbers: number[] = [];
  let end = line.cells.length;
  while (end > leadingCells + 1) {
    const cell = line.cells[end - 1]!.text.replace(currencyNoise, '').replace(/\s*(?:hrs?|hours?|pcs|units?|x)$/i, '').trim();
    const value = parseAmount(cell, style);
    if (value === null) break;
    numbers.unshift(value);
    end--;
  }
  const description = line.cells
    .slice(Math.min(leadingCells, end - 1), end)
    .map((cell) => cell.text)
    .join(' ')
    .replace(/^[‘’'"`]+/, '') // stray quote marks OCR reads from specks
    .trim();
  return { description, numbers };
}
