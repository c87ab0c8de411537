import { fold } from './fold';

/**
 * Invoice text as lines of cells. A cell is a run of text separated from its neighbours by two or
 * more spaces, a tab or a pipe: that is how both plain-text invoices and the PDF text layer keep
 * columns apart (pdf.ts places every text item at the character column its x position maps to,
 * like `pdftotext -layout`). A cell's column span is how the position of text on the page reaches
 * the parser: a value is found under its label when their spans overlap, whether the value is
 * left-aligned under the label or right-aligned like an amount.
 */
export interface Cell {
  text: string;
  /** The same text folded for matching (see fold): same length, same indices. */
  folded: string;
  /** Character column where the cell starts and ends in its line. */
  start: number;
  end: number;
}

export interface Line {
  text: string;
  cells: Cell[];
  /** The page the line is on (pages are separated by form feeds), from 0. */
  page: number;
}

export function toLines(text: string): Line[] {
  let page = 0;
  return text.split('\n').map((raw) => {
    if (raw.includes('\f')) page++;
    // Markdown emphasis and headings carry no meaning for fields: "**Total: 5.00**", "# Acme Ltd".
    const text = raw
      .replace(/\f/g, ' ')
      .replace(/\t/g, '    ')
      .replace(/\*\*|__/g, '  ')
      .replace(/^(\s*)#{1,6} /, '$1  ')
      .replace(/\s+$/, '');
    const cells: Cell[] = [];
    for (const match of text.matchAll(/[^|\s\u00b7](?:[^|\s\u00b7]| (?! )|[\u00a0\u202f]|\u00b7(?! ))*/gu)) {
      const cellText = match[0].trimEnd();
      cells.push({ text: cellText, folded: fold(cellText), start: match.index, end: match.index + cellText.length });
    }
    return { text, cells, page };
  });
}

export interface Labelled {
  /** The text that follows the label (same cell, next cell, or the cell below). */
  value: string;
  line: number;
  cell: Cell;
  /** The cell holding the label itself. */
  labelCell: Cell;
  /** Where the value was found relative to the label. */
  where: 'same' | 'right' | 'below';
}

export interface LabelOptions {
  /** The label must start its cell ("From: X"), not just appear in it ("Paid from account"). @default false */
  atCellStart?: boolean;
  /** Look for the value under a label that is alone in its cell. @default true */
  below?: boolean;
  /** Look for the value in the next cell of the line. @default true */
  right?: boolean;
  /** Skip a label whose cell starts with text like this (folded) before it. @default none */
  rejectPrefix?: RegExp;
}

/**
 * Values printed after a label: "Invoice no: 42" (same cell), "Invoice no      42" (next cell), or
 * the label alone with its value below it in the same column. The label is a pattern on folded
 * text (lower case, no accents). `accept` decides whether a candidate is a plausible value; the
 * first accepted one of each label occurrence is returned.
 */
export function labelledValues(
  lines: Line[],
  label: RegExp,
  accept: (value: string) => boolean,
  options: LabelOptions = {},
): Labelled[] {
  const found: Labelled[] = [];
  const anchored = anchoredLabel(label, options.atCellStart === true);
  lines.forEach((line, lineIndex) => {
    line.cells.forEach((cell, cellIndex) => {
      const match = cell.folded.match(anchored);
      if (!match) return;
      if (options.rejectPrefix && match[1] && options.rejectPrefix.test(match[1].trim())) return;
      const rest = cell.text.slice(match[0].length).trim();
      const candidates: Labelled[] = [];
      if (rest !== '') candidates.push({ value: rest, line: lineIndex, cell, labelCell: cell, where: 'same' });
      const next = line.cells[cellIndex + 1];
      if (rest === '' && next && options.right !== false) candidates.push({ value: next.text, line: lineIndex, cell: next, labelCell: cell, where: 'right' });
      if (rest === '' && options.below !== false) {
        const below = cellBelow(lines, lineIndex, cell);
        if (below) candidates.push({ ...below, labelCell: cell, where: 'below' });
      }
      const accepted = candidates.find((candidate) => accept(candidate.value));
      if (accepted) found.push(accepted);
    });
  });
  return found;
}

/** Each label anchored at a cell's start, or after any text before it: built once per label, not per call. */
const anchoredLabels = new Map<boolean, WeakMap<RegExp, RegExp>>([
  [true, new WeakMap()],
  [false, new WeakMap()],
]);

function anchoredLabel(label: RegExp, atCellStart: boolean): RegExp {
  const built = anchoredLabels.get(atCellStart)!;
  let anchored = built.get(label);
  if (anchored === undefined) {
    const prefix = atCellStart ? '' : '(?:.*?[^\\p{L}\\p{N}])?';
    anchored = new RegExp(`^(${prefix})(?:${label.source})(?![\\p{L}\\p{N}])[\\s:#.\\-–=º°]*`, 'u');
    built.set(label, anchored);
  }
  return anchored;
}

/** The first value after a label (see labelledValues), or undefined. */
export function labelledValue(
  lines: Line[],
  label: RegExp,
  accept: (value: string) => boolean,
  options: LabelOptions = {},
): Labelled | undefined {
  return labelledValues(lines, label, accept, options)[0];
}

/**
 * The cell under `cell` in the next non-blank line (within three): the one whose column span
 * overlaps the label's most, so a right-aligned amount under a wide header is found too.
 */
export function cellBelow(lines: Line[], lineIndex: number, cell: Cell): Omit<Labelled, 'labelCell' | 'where'> | undefined {
  for (let index = lineIndex + 1; index <= lineIndex + 3 && index < lines.length; index++) {
    const line = lines[index];
    if (!line || line.cells.length === 0) continue;
    const under = columnCell(line, cell);
    return under ? { value: under.text, line: index, cell: under } : undefined;
  }
  return undefined;
}

/** The cell of `line` that sits in the column of `cell` (largest overlap, or the same start), if any. */
export function columnCell(line: Line, cell: Pick<Cell, 'start' | 'end'>): Cell | undefined {
  let best: Cell | undefined;
  let bestOverlap = 0;
  for (const candidate of line.cells) {
    const overlap = Math.min(candidate.end, cell.end) - Math.max(candidate.start, cell.start);
    const aligned = Math.abs(candidate.start - cell.start) <= 2 ? 1 : 0;
    const score = Math.max(overlap, aligned);
    if (score > bestOverlap) {
      best = candidate;
      bestOverlap = score;
    }
  }
  return best;
}
