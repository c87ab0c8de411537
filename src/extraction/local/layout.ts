/**
 * Invoice text as lines of cells. A cell is a run of text separated from its neighbours by two or
 * more spaces, a tab or a pipe: that is how both plain-text invoices and the PDF text layer (see
 * pdf.ts, which keeps horizontal gaps as spaces) keep columns apart. The start column of each
 * cell lets a value be found under its label in a two-column layout.
 */
export interface Cell {
  text: string;
  /** Character column where the cell starts in its line. */
  start: number;
}

export interface Line {
  text: string;
  cells: Cell[];
}

export function toLines(text: string): Line[] {
  return text.split('\n').map((raw) => {
    // Markdown emphasis and headings carry no meaning for fields: "**Total: 5.00**", "# Acme Ltd".
    const text = raw
      .replace(/\t/g, '    ')
      .replace(/\*\*|__/g, '  ')
      .replace(/^(\s*)#{1,6} /, '$1  ')
      .replace(/\s+$/, '');
    const cells: Cell[] = [];
    for (const match of text.matchAll(/[^|\s](?:[^|\s]| (?! ))*/g)) {
      cells.push({ text: match[0], start: match.index });
    }
    return { text, cells };
  });
}

export interface Labelled {
  /** The text that follows the label (same cell, next cell, or the cell below). */
  value: string;
  line: number;
  cell: Cell;
  /** The cell holding the label itself. */
  labelCell: Cell;
}

export interface LabelOptions {
  /** The label must start its cell ("From: X"), not just appear in it ("Paid from account"). */
  atCellStart?: boolean;
}

/**
 * Values printed after a label: "Invoice no: 42" (same cell), "Invoice no      42" (next cell), or
 * the label alone with its value below it in the same column. `accept` decides whether a candidate
 * is a plausible value; the first accepted one of each label occurrence is returned.
 */
export function labelledValues(
  lines: Line[],
  label: RegExp,
  accept: (value: string) => boolean,
  options: LabelOptions = {},
): Labelled[] {
  const found: Labelled[] = [];
  const prefix = options.atCellStart ? '' : '(?:.*?\\b)?';
  const anchored = new RegExp(`^${prefix}(?:${label.source})(?![\\p{L}])[\\s:#.\\-–]*(.*)$`, 'iu');
  lines.forEach((line, lineIndex) => {
    line.cells.forEach((cell, cellIndex) => {
      const match = cell.text.match(anchored);
      if (!match) return;
      const rest = (match[1] ?? '').trim();
      const candidates: Labelled[] = [];
      if (rest !== '') candidates.push({ value: rest, line: lineIndex, cell, labelCell: cell });
      const next = line.cells[cellIndex + 1];
      if (rest === '' && next) candidates.push({ value: next.text, line: lineIndex, cell: next, labelCell: cell });
      if (rest === '') {
        const below = cellBelow(lines, lineIndex, cell);
        if (below) candidates.push({ ...below, labelCell: cell });
      }
      const accepted = candidates.find((candidate) => accept(candidate.value));
      if (accepted) found.push(accepted);
    });
  });
  return found;
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

/** The cell in the next non-blank line (within two) that starts in the same column as `cell`. */
export function cellBelow(lines: Line[], lineIndex: number, cell: Cell): Omit<Labelled, 'labelCell'> | undefined {
  for (let index = lineIndex + 1; index <= lineIndex + 2 && index < lines.length; index++) {
    const line = lines[index];
    if (!line || line.cells.length === 0) continue;
    const under = line.cells.find((candidate) => Math.abs(candidate.start - cell.start) <= 3);
    return under ? { value: under.text, line: index, cell: under } : undefined;
  }
  return undefined;
}
