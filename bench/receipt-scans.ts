/**
 * Field accuracy of the local extractor's receipt rules on photographed and scanned till receipts.
 * Every receipt of the receipt corpus (test/corpus/receipts/<set>, text with its truth) is printed
 * as a thermal slip (58 or 80 mm, monospaced) and photographed or scanned (scan-render.ts: paper on
 * a textured background in part of a 12 MP frame, perspective, curl, uneven light, blur, noise,
 * faded print, JPEG, EXIF orientation), read through the worker's OCR (`recognizeText`) and the
 * receipt rules as the worker reads them (`readLocally`), and its fields compared with the truth.
 * The receipt's own text is scored too (the `text` column, no OCR): what the rules miss on perfect
 * text is not OCR's fault. Prints tables and saves them as JSON in bench/results/.
 *
 *   node --import tsx bench/receipt-scans.ts [--set dev --set heldout] [--limit n] [--settings name,name] [--variants name,name] [--text-only] [--save-images dir] [--texts dir] [--from-texts]
 *
 * --limit n takes n receipts of each set, spread over its languages. --texts dir keeps what OCR
 * read of every image there; with --from-texts the rules read those texts again instead of OCR (a
 * rule change measured in seconds; the OCR settings and kinds of image are the saved ones).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DocumentText } from '../src/extraction/formats/text-block';
import { readLocally } from '../src/extraction/local/readers';
import { terminateOcr } from '../src/extraction/ocr';
import { defaultOcrSettings, type OcrSettings } from '../src/extraction/ocr-settings';
import type { Receipt } from '../src/extraction/schemas/receipt';
import { receiptDocuments, receiptFieldMatches, scoredReceiptFields, type ReceiptDocument } from '../test/corpus/receipts/corpus';
import { markdownTable, ocrSettingsByName, pick, readScan, saveResults, spread } from './scan-bench';
import { encodedScan, photographedReceipt, thermalSlip, type ReceiptPhoto } from './scan-render';

const { values: options } = parseArgs({
  options: {
    set: { type: 'string', multiple: true },
    limit: { type: 'string' },
    settings: { type: 'string', default: 'default' },
    variants: { type: 'string' },
    'text-only': { type: 'boolean', default: false },
    'save-images': { type: 'string' },
    texts: { type: 'string' },
    'from-texts': { type: 'boolean', default: false },
  },
});
const sets = options.set ?? ['dev', 'heldout'];

/** A phone photo's common settings: 12 MP, the receipt on a table in the middle of the frame. */
const phone: ReceiptPhoto = {
  frame: { width: 3000, height: 4000 },
  fill: 0.42,
  degrees: 3,
  keystone: 0.06,
  background: 95,
  texture: 25,
  paper: 225,
  ink: 45,
  light: 0.4,
  curl: 0.01,
  blur: 1.2,
  noise: 6,
  jpegQuality: 85,
};

/** Each kind of image: the slip alone, or photographed; `fill` of a scan follows the paper's real width on A4. */
const variants: Record<string, { pxPerMm: number | null; photo: ((paperMm: number) => ReceiptPhoto) | null }> = {
  'slip 203 dpi': { pxPerMm: 8, photo: null },
  'flatbed A4 300 dpi': {
    pxPerMm: null,
    photo: (paperMm) => ({
      frame: { width: 2480, height: 3508 },
      fill: paperMm / 210,
      degrees: -2,
      keystone: 0,
      background: 246,
      texture: 3,
      paper: 236,
      ink: 35,
      light: 0.08,
      curl: 0,
      blur: 0.7,
      noise: 3,
      jpegQuality: 85,
    }),
  },
  'phone 12 MP': { pxPerMm: null, photo: () => phone },
  'phone 12 MP far and faded': {
    pxPerMm: null,
    photo: () => ({ ...phone, fill: 0.28, degrees: -5, keystone: 0.1, background: 70, texture: 30, paper: 210, ink: 120, fade: true, light: 0.55, curl: 0.015, blur: 1.6, noise: 8, jpegQuality: 80 }),
  },
  'messenger 1200×1600': {
    pxPerMm: null,
    photo: () => ({ ...phone, frame: { width: 1200, height: 1600 }, fill: 0.5, degrees: 2, keystone: 0.05, background: 110, texture: 20, paper: 220, ink: 50, light: 0.3, blur: 0.8, noise: 4, jpegQuality: 60 }),
  },
  'phone 12 MP, EXIF-rotated': { pxPerMm: null, photo: () => ({ ...phone, exifRotated: true }) },
};

// Texts read earlier are scored under the names they were saved with (a setting renamed since, or a former default).
const chosenSettings: [string, OcrSettings][] = options['text-only']
  ? []
  : options['from-texts']
    ? options.settings.split(',').map((name) => [name, ocrSettingsByName[name] ?? defaultOcrSettings])
    : pick(ocrSettingsByName, options.settings);
const chosenVariants = options['text-only'] ? [] : pick(variants, options.variants);
const limit = options.limit ? Number(options.limit) : undefined;

/** The image of a receipt for a kind: the slip at the resolution its paper has in the frame, photographed. */
async function receiptImage(text: string, variant: (typeof variants)[string], seed: number): Promise<Buffer> {
  const { pxPerMm, photo } = variant;
  if (photo === null) return encodedScan(await thermalSlip(text, () => pxPerMm!));
  let taken: ReceiptPhoto | undefined;
  const slip = await thermalSlip(text, (paperMm) => {
    taken = photo(paperMm);
    return (taken.fill * taken.frame.width) / paperMm;
  });
  return photographedReceipt(slip, taken!, seed);
}

interface Cell {
  right: number;
  total: number;
  /** Receipts the worker would fail with "no total, date or purchased item". */
  noFields: number;
  receipts: number;
  ms: number;
  missedByField: Record<string, number>;
  /** Per receipt: the fields it missed, with what was read. */
  misses: Record<string, string[]>;
}
const emptyCell = (): Cell => ({ right: 0, total: 0, noFields: 0, receipts: 0, ms: 0, missedByField: {}, misses: {} });

function score(cell: Cell, document: ReceiptDocument, read: { data: unknown; found: boolean }): void {
  const actual = read.data as Receipt;
  cell.receipts++;
  if (!read.found) cell.noFields++;
  for (const field of scoredReceiptFields(document.expected)) {
    cell.total++;
    if (receiptFieldMatches(field, actual[field], document.expected[field])) {
      cell.right++;
    } else {
      cell.missedByField[field] = (cell.missedByField[field] ?? 0) + 1;
      const shown = field === 'items' ? actual.items.map((item) => item.amount) : actual[field];
      (cell.misses[document.name] ??= []).push(`${field}: ${JSON.stringify(shown)}`);
    }
  }
}

// results[set][row][column]: row "text" (the rules on the receipt's own text) or an OCR setting; column a kind of image.
const results: Record<string, Record<string, Record<string, Cell>>> = {};
for (const set of sets) {
  const documents = spread(await receiptDocuments(set), limit);
  const text: Record<string, Cell> = { text: emptyCell() };
  const bySetting: Record<string, Record<string, Cell>> = Object.fromEntries(chosenSettings.map(([name]) => [name, {}]));
  for (const [index, document] of documents.entries()) {
    const content = await readFile(document.file, 'utf8');
    score(text.text!, document, readLocally('receipt', { text: content })!);
    for (const [variantName, variant] of chosenVariants) {
      const slug = (name: string) => name.replace(/[^\w]+/g, '-');
      const image = options['from-texts'] ? Buffer.alloc(0) : await receiptImage(content, variant, index + 1);
      if (options['save-images']) {
        await mkdir(options['save-images'], { recursive: true });
        await writeFile(join(options['save-images'], `${document.name}-${slug(variantName)}.${image[0] === 0xff ? 'jpg' : 'png'}`), image);
      }
      for (const [settingName, setting] of chosenSettings) {
        const textFile = options.texts && join(options.texts, `${set}-${document.name}-${slug(variantName)}-${slug(settingName)}.json`);
        const { ms, ...read } = options['from-texts'] && textFile ? (JSON.parse(await readFile(textFile, 'utf8')) as DocumentText & { ms: number }) : await readScan([image], setting);
        if (textFile && !options['from-texts']) {
          await mkdir(options.texts!, { recursive: true });
          await writeFile(textFile, JSON.stringify({ ...read, ms }));
        }
        const cell = (bySetting[settingName]![variantName] ??= emptyCell());
        cell.ms += ms;
        score(cell, document, readLocally('receipt', read)!);
      }
      process.stderr.write('.');
    }
  }
  results[set] = { text, ...bySetting };
  process.stderr.write(` ${set}\n`);
}
await terminateOcr();

const percent = (cells: Cell[]) => {
  const [right, total] = cells.reduce(([r, t], cell) => [r + cell.right, t + cell.total], [0, 0]);
  return total === 0 ? '–' : `${((100 * right) / total).toFixed(1)}%`;
};
const noFields = (cells: Cell[]) => `${cells.reduce((sum, cell) => sum + cell.noFields, 0)}/${cells.reduce((sum, cell) => sum + cell.receipts, 0)}`;

// One table: a row per set and reading (text, then each OCR setting), a column per kind of image.
const header = ['set', 'read', ...chosenVariants.map(([name]) => name), 'all images', 'no fields', 's/image'];
const rows: string[][] = [];
for (const [set, byRow] of Object.entries(results)) {
  rows.push([set, 'text (no OCR)', ...chosenVariants.map(() => ''), percent([byRow.text!.text!]), noFields([byRow.text!.text!]), '']);
  for (const [settingName] of chosenSettings) {
    const cells = chosenVariants.map(([variant]) => byRow[settingName]![variant]!);
    const ms = cells.reduce((sum, cell) => sum + cell.ms, 0) / cells.reduce((sum, cell) => sum + cell.receipts, 0);
    rows.push([set, `OCR: ${settingName}`, ...cells.map((cell) => `${percent([cell])}${cell.noFields > 0 ? ` (${cell.noFields} empty)` : ''}`), percent(cells), noFields(cells), (ms / 1000).toFixed(1)]);
  }
}
console.log(`receipts: ${sets.map((set) => `${set} ${Object.values(results[set]!.text!)[0]!.receipts}`).join(', ')}; fields right:\n`);
console.log(markdownTable(header, rows));

// Misses per field, each set and reading over all its images.
const fields = ['merchant', 'date', 'time', 'currency', 'subtotal', 'tax', 'total', 'paymentMethod', 'items'];
const missRows: (string | number)[][] = [];
for (const [set, byRow] of Object.entries(results)) {
  for (const [row, cells] of Object.entries(byRow)) {
    const all = Object.values(cells);
    missRows.push([set, row, ...fields.map((field) => all.reduce((sum, cell) => sum + (cell.missedByField[field] ?? 0), 0))]);
  }
}
console.log(`\nmisses per field:\n\n${markdownTable(['set', 'read', ...fields], missRows)}`);

const file = await saveResults('receipt-scans', { sets, limit, settings: Object.fromEntries(chosenSettings), variants: Object.fromEntries(chosenVariants.map(([name, variant]) => [name, { pxPerMm: variant.pxPerMm, photo: variant.photo?.(80) ?? null }])), results });
console.log(`\nsaved ${file}`);
