import { amountMatches, type DecimalStyle } from './amounts';
import { datesIn, type SlashDateOrder } from './dates';
import { readConventions } from './fields';
import { fold } from './fold';
import { columnCell, labelledValues, type Cell, type Line } from './layout';

/**
 * Layout hints: where one issuer prints each field, learned from documents of that issuer a person
 * corrected. For a corrected value the hint is the label printed before it (in its cell, in the
 * cell to its left, or over it in the column), so on that issuer's next document the field is read
 * from that label, whatever words the label uses ("Beleg-Ref.", "Ihr Zeichen", "Montant réglé").
 * Nothing here knows a field's name or a language: a value's type decides how it is found (an
 * amount in the document's decimal style, a date in its date order, text as printed).
 */
export interface LayoutHint {
  field: string;
  /** The label, folded (see fold.ts), trailing punctuation dropped. */
  label: string;
  where: 'same' | 'right' | 'below';
  kind: 'amount' | 'date' | 'text';
  /** Words of a text value (an identifier is one; "FT A/2024/392" three). */
  words: number;
}

/** Words of the text before a value that a label keeps: "Thank you. Amount payable:" → "amount payable". */
const LABEL_WORDS = 4;

/**
 * The hints one corrected document teaches: for each top-level field whose value is a number, an
 * ISO date or a short string, the label that holds it, kept only when reading the document by that
 * label gives the corrected value back (a value printed under an unrelated heading teaches nothing).
 */
export function learnLayoutHints(text: string, data: Record<string, unknown>, fields: readonly string[] = Object.keys(data)): LayoutHint[] {
  const { lines, style, dateOrder } = readConventions(text);
  const hints: LayoutHint[] = [];
  for (const field of fields) {
    const value = data[field];
    const kind = kindOf(value);
    if (kind === null) continue;
    const words = kind === 'text' ? String(value).trim().split(/\s+/).length : 1;
    const candidates = labelCandidates(lines, value as string | number, kind, style, dateOrder).map((candidate) => ({ field, kind, words, ...candidate }));
    const verified = candidates.find((hint) => sameValue(readByHint(lines, hint, style, dateOrder), value));
    if (verified) hints.push(verified);
  }
  return hints;
}

/**
 * An issuer's hints from all its examples (newest first): each hint once, and only hints that no
 * example contradicts (read on another example of the issuer, it gives that example's value or
 * nothing), so a label that was a coincidence in one document does not survive a second.
 */
export function issuerLayoutHints(examples: readonly { text: string; data: Record<string, unknown> }[]): LayoutHint[] {
  const read = examples.map((example) => ({ example, conventions: readConventions(example.text) }));
  const hints: LayoutHint[] = [];
  for (const { example } of read) {
    for (const hint of learnLayoutHints(example.text, example.data)) {
      if (hints.some((other) => other.field === hint.field && other.label === hint.label && other.where === hint.where)) continue;
      const contradicted = read.some(({ example: other, conventions }) => {
        const found = readByHint(conventions.lines, hint, conventions.style, conventions.dateOrder);
        return found !== null && other.data[hint.field] !== undefined && !sameValue(found, other.data[hint.field]);
      });
      if (!contradicted) hints.push(hint);
    }
  }
  return hints;
}

/** The document's data with each hinted field read by its label (the first hint of a field that finds a value); which fields were read so. */
export function applyLayoutHints<T extends Record<string, unknown>>(text: string, data: T, hints: readonly LayoutHint[]): { data: T; fields: string[] } {
  const { lines, style, dateOrder } = readConventions(text);
  const next: Record<string, unknown> = { ...data };
  const fields: string[] = [];
  for (const hint of hints) {
    if (fields.includes(hint.field) || !(hint.field in data)) continue;
    const value = readByHint(lines, hint, style, dateOrder);
    if (value === null) continue;
    next[hint.field] = value;
    fields.push(hint.field);
  }
  return { data: next as T, fields };
}

/** The value the hint's label holds in these lines, or null. */
export function readByHint(lines: Line[], hint: LayoutHint, style: DecimalStyle, order: SlashDateOrder): string | number | null {
  const label = new RegExp(hint.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*'), 'u');
  const parse = (value: string) => parseValue(value, hint, style, order);
  const found = labelledValues(lines, label, (value) => parse(value) !== null, { right: hint.where === 'right', below: hint.where === 'below' }).find(
    (candidate) => candidate.where === hint.where,
  );
  return found ? parse(found.value) : null;
}

function parseValue(value: string, hint: Pick<LayoutHint, 'kind' | 'words'>, style: DecimalStyle, order: SlashDateOrder): string | number | null {
  switch (hint.kind) {
    case 'amount':
      return amountMatches(value, style)[0]?.value ?? null;
    case 'date':
      return datesIn(value, order)[0]?.iso ?? null;
    case 'text': {
      const text = value.trim().split(/\s+/).slice(0, hint.words).join(' ').replace(/[,;:]+$/, '');
      return /[\p{L}\p{N}]/u.test(text) ? text : null;
    }
  }
}

function kindOf(value: unknown): LayoutHint['kind'] | null {
  if (typeof value === 'number' && Number.isFinite(value)) return 'amount';
  if (typeof value !== 'string') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'date';
  // A long text (an address, a description) is not read from one label's cell.
  return value.trim().length >= 1 && value.trim().split(/\s+/).length <= 6 ? 'text' : null;
}

function sameValue(found: unknown, expected: unknown): boolean {
  if (typeof found === 'number' && typeof expected === 'number') return Math.abs(found - expected) < 0.005;
  return typeof found === 'string' && typeof expected === 'string' && fold(found) === fold(expected.trim());
}

/** Where the value is printed, and the label before each place: in its cell first, then to its left, then over it. */
function labelCandidates(lines: Line[], value: string | number, kind: LayoutHint['kind'], style: DecimalStyle, order: SlashDateOrder): Pick<LayoutHint, 'label' | 'where'>[] {
  const found: (Pick<LayoutHint, 'label' | 'where'> & { rank: number })[] = [];
  lines.forEach((line, lineIndex) => {
    line.cells.forEach((cell, cellIndex) => {
      for (const at of occurrences(cell, value, kind, style, order)) {
        const before = labelOf(cell.text.slice(0, at));
        if (before !== null) {
          found.push({ label: before, where: 'same', rank: 0 });
          continue;
        }
        if (cell.text.slice(0, at).trim() !== '') continue;
        const left = line.cells[cellIndex - 1];
        const leftLabel = left ? labelOf(left.text) : null;
        if (leftLabel !== null) found.push({ label: leftLabel, where: 'right', rank: 1 });
        const above = headingOver(lines, lineIndex, cell);
        if (above !== null) found.push({ label: above, where: 'below', rank: 2 });
      }
    });
  });
  return found.sort((a, b) => a.rank - b.rank).map(({ label, where }) => ({ label, where }));
}

/** Where in the cell the value is printed. */
function occurrences(cell: Cell, value: string | number, kind: LayoutHint['kind'], style: DecimalStyle, order: SlashDateOrder): number[] {
  if (kind === 'amount') return amountMatches(cell.text, style).flatMap((match) => (Math.abs(match.value - (value as number)) < 0.005 ? [match.index] : []));
  if (kind === 'date') return datesIn(cell.text, order).flatMap((match) => (match.iso === value ? [match.index] : []));
  const needle = fold(String(value).trim());
  const at = cell.folded.indexOf(needle);
  // The value stands on its own: not inside a longer word or number.
  const bounded = at >= 0 && !/[\p{L}\p{N}]/u.test(cell.folded[at - 1] ?? '') && !/[\p{L}\p{N}]/u.test(cell.folded[at + needle.length] ?? '');
  return bounded ? [at] : [];
}

/** The label in text before a value: its last few words, folded, without trailing punctuation; null when it holds no word. */
function labelOf(text: string): string | null {
  const words = fold(text)
    .replace(/[\s:#.\-–=º°]+$/u, '')
    .split(/\s+/)
    .filter((word) => word !== '');
  const label = words.slice(-LABEL_WORDS).join(' ').replace(/^[^\p{L}\p{N}]+/u, '');
  return /\p{L}.*\p{L}/u.test(label) && label.length <= 60 ? label : null;
}

/** The heading over a cell: the column's cell in the nearest non-blank line above (within three), when it is a label. */
function headingOver(lines: Line[], lineIndex: number, cell: Cell): string | null {
  for (let index = lineIndex - 1; index >= Math.max(0, lineIndex - 3); index--) {
    const line = lines[index]!;
    if (line.cells.length === 0) continue;
    const over = columnCell(line, cell);
    return over ? labelOf(over.text) : null;
  }
  return null;
}
