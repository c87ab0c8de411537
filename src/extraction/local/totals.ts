import { amountMatches, type DecimalStyle } from './amounts';
import { summaryFiller, summaryLabels, type SummaryKind } from './labels';
import { columnCell, type Cell, type Line } from './layout';

export type Totals = Record<SummaryKind, number | null>;

interface Candidate {
  kind: SummaryKind;
  value: number;
  priority: number;
  line: number;
  /** A single-rate tax line, that may be summed with the other rates' lines. */
  rateLine?: boolean;
}

/** Tolerance when checking net + tax = gross: one cent per figure, for rounding. */
const tolerance = 0.021;

/** What may open a summary cell before its label: "zzgl. 19% MwSt.", "+ VAT", "davon USt". */
const labelPrefix = '(?:(?:zzgl|zuzgl|abzgl|plus|davon|dont|incl|inkl|hiervon|enthaltene?)\\.?\\s*|\\+\\s*)?(?:\\d{1,2}(?:[.,]\\d{1,2})?\\s*%\\s*)?';
const labelPatterns = summaryLabels.map((label) => ({
  ...label,
  anchored: new RegExp(`^${labelPrefix}(?:${label.pattern.source})(?![\\p{L}\\p{N}])`, 'u'),
}));

/**
 * Net, tax and gross totals from the summary of an invoice. Every labelled amount is a candidate
 * ("Subtotal 1,000.00", "TVA 20 % 248,40", "Razem 760,00 174,80 934,80" under the columns "netto",
 * "VAT", "brutto"; a label over its value in a summary table). When some net + tax = gross among
 * the candidates, the last such triple is the answer: that settles which of several amounts near
 * "total" is the invoice total (not the balance after a payment, not a per-rate line) and sums
 * the rates of a VAT breakdown or CGST + SGST. Otherwise each figure is its strongest label's
 * (see summaryLabels), and a tax split over several rates with nothing to check it against stays
 * null rather than being one rate's figure.
 */
export function findTotals(lines: Line[], style: DecimalStyle, skip: Set<number>, itemHeader: number): Totals {
  const candidates = collectCandidates(lines, style, skip, itemHeader);
  const rateLines = candidates.filter((candidate) => candidate.rateLine);
  if (rateLines.length > 1) {
    const sum = Math.round(rateLines.reduce((total, candidate) => total + candidate.value, 0) * 100) / 100;
    candidates.push({ kind: 'tax', value: sum, priority: 0, line: Math.max(...rateLines.map((candidate) => candidate.line)) });
  }

  const of = (kind: SummaryKind) => candidates.filter((candidate) => candidate.kind === kind);
  // A net figure may be labelled only "Total"/"Gesamtsumme", above the tax and the gross one
  // ("Total amount 273.00 / Total VAT 35.03 / Total 308.03"): tried when no labelled net adds up.
  // A tax of zero makes any net that equals some total a "triple": one with a tax says more.
  const taxed = of('tax').filter((candidate) => candidate.value !== 0);
  const triple =
    lastTriple(of('subtotal'), taxed, of('total')) ?? lastTriple(of('total'), taxed, of('total'), true) ?? lastTriple(of('subtotal'), of('tax'), of('total'));
  if (triple) return { subtotal: triple[0].value, tax: triple[1].value, total: triple[2].value };

  const distinctRates = new Set(rateLines.map((candidate) => candidate.value));
  return {
    subtotal: strongest(of('subtotal'))?.value ?? null,
    tax: of('tax').some((candidate) => candidate.priority > 1) || distinctRates.size <= 1 ? (strongest(of('tax').filter((c) => c.priority > 0))?.value ?? null) : null,
    total: strongest(of('total').filter((candidate) => candidate.value !== 0)) ?.value ?? strongest(of('total'))?.value ?? null,
  };
}

/** The last net + tax = gross among the candidates; `inOrder`: net above tax above gross. */
function lastTriple(nets: Candidate[], taxes: Candidate[], totals: Candidate[], inOrder = false): [Candidate, Candidate, Candidate] | null {
  let triple: [Candidate, Candidate, Candidate] | null = null;
  for (const total of totals) {
    if (total.value === 0) continue;
    for (const net of nets) {
      for (const tax of taxes) {
        if (Math.abs(net.value + tax.value - total.value) > tolerance) continue;
        if (inOrder && !(net.line < tax.line && tax.line < total.line)) continue;
        if (triple === null || total.line > triple[2].line || (total.line === triple[2].line && tax.priority + net.priority > triple[0].priority + triple[1].priority)) {
          triple = [net, tax, total];
        }
      }
    }
  }
  return triple;
}

/** The candidate with the strongest label; among equals, the last in the document. */
function strongest(candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const candidate of candidates) if (best === undefined || candidate.priority >= best.priority) best = candidate;
  return best;
}

function collectCandidates(lines: Line[], style: DecimalStyle, skip: Set<number>, itemHeader: number): Candidate[] {
  const candidates: Candidate[] = [];
  lines.forEach((line, lineIndex) => {
    if (skip.has(lineIndex) || lineIndex === itemHeader) return;
    line.cells.forEach((cell, cellIndex) => {
      const found = summaryLabelOf(cell);
      if (!found) return;
      const { label, labelEnd } = found;
      const amounts = amountsAfterLabel(cell, labelEnd, line.cells.slice(cellIndex + 1), style);
      const base = { kind: netQualified(label.kind, cell, labelEnd, line.cells.slice(cellIndex + 1)), priority: label.priority, line: lineIndex };
      if (amounts === null) return;
      if (amounts.length === 0) {
        // A label alone in its cell, its value below it (a summary table: "Totale imponibile" over "380,00").
        const rest = cell.folded.slice(labelEnd).replace(/\(?\s*\d{1,2}(?:[.,]\d{1,3})?\s*%\s*\)?/g, '').trim();
        if (rest.length > 2 || (label.kind === 'total' && label.priority === 1)) return;
        // "USt. %", "MwSt-%", "TVA %": a column of rates, not of amounts.
        if (rest.includes('%')) return;
        const below = valueBelow(lines, lineIndex, cell, style);
        if (below !== null) candidates.push({ ...base, value: below, priority: label.priority - 0.5 });
        return;
      }
      if (amounts.length >= 2 && label.kind === 'total') {
        const mapped = amountsByColumn(lines, lineIndex, amounts);
        if (mapped.length > 0) {
          // A totals row of a table: its tax is the sum over all rates, like a "Total VAT" line.
          for (const found of mapped) candidates.push({ ...base, ...found, priority: found.kind === 'tax' ? 2 : base.priority });
          return;
        }
        const [a, b, c] = amounts.slice(-3).map((amount) => amount.value);
        if (amounts.length >= 3 && a !== undefined && b !== undefined && c !== undefined && Math.abs(a + b - c) <= tolerance) {
          candidates.push({ ...base, kind: 'subtotal', value: a }, { ...base, kind: 'tax', value: b }, { ...base, value: c });
          return;
        }
        // A plain "Total"/"Gesamt" row of several columns that no header names: which one is the total is a guess.
        if (label.priority === 1) return;
      }
      const value = amounts.at(-1)!.value;
      candidates.push({ ...base, value, rateLine: label.kind === 'tax' && label.priority === 1 });
    });
  });
  return candidates;
}

/** "Gesamtsumme netto", "Montant total HT", "Total (net)": a total label that a word after it makes the net figure. */
function netQualified(kind: SummaryKind, cell: Cell, labelEnd: number, following: Cell[]): SummaryKind {
  if (kind !== 'total') return kind;
  // The words up to the amount; a cell of another label ("Totale fattura   Netto a pagare") ends them.
  const words = [cell.folded.slice(labelEnd)];
  for (const next of following) {
    if (/\d/.test(words.at(-1)!) || summaryLabelOf(next)) break;
    words.push(next.folded);
  }
  const before = words.join(' ').replace(/[\d.,\s]+$/, '');
  if (withTax.test(before)) return kind;
  return withoutTax.test(before) || /(?<!\p{L})(?:netto|net|ht|h\.t)(?!\p{L})/u.test(before) ? 'subtotal' : kind;
}

/** The summary label a cell starts with (the longest match: "Total TTC" over "Total"), and where it ends. */
function summaryLabelOf(cell: Cell): { label: (typeof labelPatterns)[number]; labelEnd: number } | undefined {
  let best: { label: (typeof labelPatterns)[number]; labelEnd: number } | undefined;
  for (const label of labelPatterns) {
    const length = cell.folded.match(label.anchored)?.[0].length ?? 0;
    if (length > (best?.labelEnd ?? 0)) best = { label, labelEnd: length };
  }
  return best;
}

interface CellAmount {
  value: number;
  cell: Pick<Cell, 'start' | 'end'>;
}

/**
 * The amounts that follow a label in its cell and the next cells of its line, up to the first
 * cell with other words in it. Null when words other than filler (currency, "incl. VAT", a rate)
 * stand between the label and its amounts: "Summe Lohn 248,00" or "VAT Reg. No 123" are not
 * summary figures.
 */
function amountsAfterLabel(cell: Cell, labelEnd: number, following: Cell[], style: DecimalStyle): CellAmount[] | null {
  const found: CellAmount[] = [];
  const pieces = [{ text: cell.text.slice(labelEnd), folded: cell.folded.slice(labelEnd), cell }, ...following.map((next) => ({ text: next.text, folded: next.folded, cell: next }))];
  for (const [index, piece] of pieces.entries()) {
    const withoutRates = piece.text.replace(/\(?\s*[-−]?\d{1,2}(?:[.,]\d{1,3})?\s*%\s*\)?/g, (match) => ' '.repeat(match.length));
    const matches = amountMatches(withoutRates, style);
    const words = (piece.folded.slice(0, matches[0]?.index ?? piece.folded.length).match(/\p{L}+/gu) ?? []).filter((word) => !summaryFiller.test(word));
    if (index > 0 && summaryLabelOf(piece.cell)) break; // the next label's figure ("Netto 406,50   VAT 93,50")
    if (words.length > 0) {
      if (index === 0) return null;
      break;
    }
    for (const match of matches) found.push({ value: match.value, cell: piece.cell });
    if (matches.length === 0 && index > 0 && found.length > 0) break;
  }
  return found;
}

/** The amount under a summary label alone in its cell: the only number in its column, or the one on a total row. */
function valueBelow(lines: Line[], lineIndex: number, cell: Cell, style: DecimalStyle): number | null {
  const values: { value: number; totalRow: boolean }[] = [];
  for (let index = lineIndex + 1; index < Math.min(lines.length, lineIndex + 8); index++) {
    const line = lines[index]!;
    if (line.cells.length === 0) {
      if (values.length > 0) break;
      continue;
    }
    const under = columnCell(line, cell);
    const amounts = under ? amountMatches(under.text, style) : [];
    if (amounts.length !== 1 || /\p{L}{3,}/u.test(under?.text ?? '')) break;
    values.push({ value: amounts[0]!.value, totalRow: /^(?:total|totale|totaal|summe|razem|suma|gesamt)/.test(line.cells[0]?.folded ?? '') });
  }
  if (values.length === 1) return values[0]!.value;
  const totalRow = values.find((value) => value.totalRow);
  if (totalRow) return totalRow.value;
  // A row per tax rate and, last, their sum ("Nettobetrag" over 321,40 / 127,59 / 448,99): the sum.
  if (values.length < 3) return null;
  const last = values.at(-1)!.value;
  const above = values.slice(0, -1).reduce((sum, value) => sum + value.value, 0);
  return Math.abs(above - last) <= tolerance * values.length ? last : null;
}

/** Words that make a figure net although a total or tax word names it ("ohne USt.", "excl. VAT", "sin IVA"). */
const withoutTax = /(?<!\p{L})(?:ohne|excl|exkl|excluding|ex|hors|sin|senza|zonder|bez|sem)(?!\p{L})/u;
/** Words that make a figure gross ("inkl. USt.", "TTC", "con IVA", "brutto"). */
const withTax = /(?<!\p{L})(?:inkl|incl|including|inclusive|inc|ttc|con|met|com|brutto|gross)(?!\p{L})/u;

/** Header words of summary columns ("Wartość netto", "Kwota VAT", "Total Amount"). */
const columnKinds: [SummaryKind, RegExp][] = [
  // "Zwischensumme (ohne USt.)", "Total excl. VAT", "Prix HT": net although a tax word is in it; "inkl. USt.": gross.
  ['subtotal', withoutTax],
  ['total', withTax],
  ['tax', /(?<!\p{L})(?:vat|tax|tva|iva|btw|mwst|ust|gst|cgst|sgst|igst|imposta|podatek)(?!\p{L})/u],
  ['subtotal', /(?<!\p{L})(?:netto|net|ht|h\.t\.|imponibile|imponible|taxable|subtotal|incidencia|grondslag|base)(?!\p{L})/u],
  ['total', /(?<!\p{L})(?:brutto|gross|total|ttc|totale|totaal|razem|gesamt|betrag|amount)(?!\p{L})/u],
];

/** The amounts of a total row, each named by the column header above it, when every one has a summary column. */
function amountsByColumn(lines: Line[], lineIndex: number, amounts: CellAmount[]): { kind: SummaryKind; value: number }[] {
  const mapped: { kind: SummaryKind; value: number }[] = [];
  for (const amount of amounts) {
    let kind: SummaryKind | undefined;
    for (let index = lineIndex - 1; index >= Math.max(0, lineIndex - 25) && kind === undefined; index--) {
      const header = columnCell(lines[index]!, amount.cell);
      if (!header || !/\p{L}{2}/u.test(header.text) || /\d/.test(header.text)) continue;
      kind = columnKinds.find(([, pattern]) => pattern.test(header.folded))?.[0];
      if (kind === undefined) return [];
    }
    if (kind === undefined) return [];
    mapped.push({ kind, value: amount.value });
  }
  const kinds = new Set(mapped.map((entry) => entry.kind));
  return kinds.size === mapped.length ? mapped : [];
}
