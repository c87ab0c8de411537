import { mendDigits, splitWord } from './ocr-words';
import { layoutLines, type PositionedText } from './pdf';

/** What OCR read in an image, laid out as lines. */
export interface OcrText {
  text: string;
  /** The same text with every word read below sureWordConfidence blanked out: what OCR is sure of. */
  sureText: string;
}

/**
 * A word tesseract is less sure of than this (0–100) is doubtful. Clean print reads at 90 and
 * above; words with a confusable glyph (0/O, 1/l, 5/S), a smudge or a stray mark fall well below.
 */
export const sureWordConfidence = 70;

/** A line as tesseract.js reports it, with what laying it out needs (pixels). */
export interface OcrLine {
  baseline: { y0: number; y1: number };
  bbox: { y0: number; y1: number };
  words: readonly OcrWord[];
}
export interface OcrWord {
  text: string;
  confidence: number;
  bbox: { x0: number; x1: number };
}

/**
 * Tesseract reads a page block by block (a table's columns one after the other), so its words are
 * put back on their visual lines by position, with the same rules as pdf.ts; once with every word,
 * once with the sure words only. Words of one phrase stay one cell; a gap wider than a line's
 * height and than two and a half characters (monospaced print spaces its words a full character
 * apart) is a column break.
 */
export function laidOut(lines: readonly OcrLine[]): OcrText {
  const typicalHeight = Math.max(1, median(lines.map((line) => line.bbox.y1 - line.bbox.y0)) ?? 10);
  const words = lines.flatMap((line) => line.words).filter((word) => word.text.length >= 2);
  const typicalCharWidth = median(words.map((word) => (word.bbox.x1 - word.bbox.x0) / word.text.length)) ?? typicalHeight / 2;
  const columnGap = Math.max(typicalHeight, 2.5 * typicalCharWidth);
  // Scale pixels so the typical line is a 10 pt font, whatever the scan's resolution.
  const scale = 10 / typicalHeight;
  const all: PositionedText[] = [];
  const sure: PositionedText[] = [];
  for (const line of lines) {
    // The baseline, not the box: a line with descenders ("Quantity") has a lower box bottom than
    // its neighbours on the same visual line ("Rate").
    const y = -((line.baseline.y0 + line.baseline.y1) / 2) * scale;
    let cell: { all: PositionedText; sure: PositionedText; last: string } | undefined;
    let cellEnd = 0;
    for (const { text: read, confidence, bbox } of line.words) {
      const word = { text: mendDigits(read), bbox };
      const sureWord = confidence >= sureWordConfidence ? word.text : ' '.repeat(word.text.length);
      const gap = word.bbox.x0 - cellEnd;
      if (cell !== undefined && gap < columnGap) {
        const space = gap < 1.1 * typicalCharWidth && splitWord(cell.last, word.text) ? '' : ' ';
        cell.all.text += space + word.text;
        cell.sure.text += space + sureWord;
        cell.all.width = cell.sure.width = word.bbox.x1 * scale - cell.all.x;
        cell.last = word.text;
      } else {
        const place = { x: word.bbox.x0 * scale, y, width: (word.bbox.x1 - word.bbox.x0) * scale, fontSize: 10 };
        cell = { all: { ...place, text: word.text }, sure: { ...place, text: sureWord }, last: word.text };
        all.push(cell.all);
        sure.push(cell.sure);
      }
      cellEnd = word.bbox.x1;
    }
  }
  return { text: layoutLines(all), sureText: layoutLines(sure) };
}

function median(values: number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
