/**
 * Field accuracy of the local extractor on scans it has to OCR, with each OCR setting side by
 * side (an ablation: no preparation, each preparation step alone, all steps, the default; and the
 * language strategies). Every `.txt` document of the invoice corpus (test/corpus/invoices/<set>) is
 * printed, rendered, degraded (scan-render.ts), read through the worker's OCR (`recognizeText`)
 * and rules (`parseInvoiceText`), and its fields compared with the corpus's truth. Prints a table
 * and saves it as JSON in bench/results/.
 *
 *   node --import tsx bench/scans.ts [--set dev] [--limit n] [--settings name,name] [--variants name,name]
 *
 * --limit n takes n documents spread over the corpus; --settings and --variants pick rows and columns by name.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { weighByConfidence } from '../src/extraction/local/confidence';
import { parseInvoiceText } from '../src/extraction/local/fields';
import { terminateOcr } from '../src/extraction/ocr';
import type { Invoice } from '../src/extraction/schemas/invoice';
import { corpusDocuments, fieldMatches, scoredFields } from '../test/corpus/invoices/corpus';
import { markdownTable, ocrSettingsByName, pick, readScan, saveResults, spread } from './scan-bench';
import { encodedScan, photographed, printed, renderGray, type Degradation } from './scan-render';

const { values: options } = parseArgs({
  options: {
    set: { type: 'string', default: 'dev' },
    limit: { type: 'string' },
    settings: { type: 'string' },
    variants: { type: 'string' },
  },
});

/** Render scale (1 = 72 dpi) and degradation of each kind of scan. */
const variants: Record<string, { scale: number; degradation: Degradation | null }> = {
  'clean 144 dpi': { scale: 2, degradation: null },
  'photo 1.5°': { scale: 2, degradation: { degrees: 1.5, blur: 1, noise: 10, shrink: 0.8, paper: 218, ink: 40 } },
  'photo 4° JPEG q40': { scale: 2, degradation: { degrees: -4, blur: 1, noise: 6, shrink: 0.9, paper: 200, ink: 60, jpegQuality: 40 } },
  'small print 72 dpi': { scale: 1, degradation: { degrees: 0.5, blur: 0, noise: 4, shrink: 1, paper: 235, ink: 30 } },
  'faded thermal': { scale: 2, degradation: { degrees: 1, blur: 1, noise: 8, shrink: 0.7, paper: 225, ink: 140, streaks: true, jpegQuality: 70 } },
};

const chosenSettings = pick(ocrSettingsByName, options.settings);
const chosenVariants = pick(variants, options.variants);

// --limit n: n documents spread evenly over the corpus (it is sorted by language), not its first n.
const corpus = (await corpusDocuments(options.set)).filter((document) => document.file.endsWith('.txt'));
const documents = spread(corpus, options.limit ? Number(options.limit) : undefined);

// Every scan is made once, then read with each setting.
const scans: { expected: Partial<Invoice>; pages: Map<string, Buffer[]> }[] = [];
for (const document of documents) {
  const pdf = await printed(await readFile(document.file, 'utf8'));
  const pages = new Map<string, Buffer[]>();
  for (const [name, { scale, degradation }] of chosenVariants) {
    const rendered = await renderGray(pdf, scale);
    pages.set(name, await Promise.all(rendered.map((page, i) => encodedScan(degradation ? photographed(page, degradation, i + 1) : page, degradation?.jpegQuality))));
  }
  scans.push({ expected: document.expected, pages });
}

interface Cell {
  right: number;
  total: number;
  /** Fields weighing by OCR confidence (local/confidence.ts) marked doubtful, wrong or right. */
  doubtfulWrong: number;
  doubtfulRight: number;
  /** Wrong fields with a value (not null): the ones a doubt mark can catch. */
  wrongFound: number;
  pages: number;
  ms: number;
  missedByField: Record<string, number>;
}
const results: Record<string, Record<string, Cell>> = {};
for (const [settingName, setting] of chosenSettings) {
  const row: Record<string, Cell> = {};
  for (const scan of scans) {
    for (const [variant] of chosenVariants) {
      const cell = (row[variant] ??= { right: 0, total: 0, doubtfulWrong: 0, doubtfulRight: 0, wrongFound: 0, pages: 0, ms: 0, missedByField: {} });
      const { text, sureText, ms } = await readScan(scan.pages.get(variant)!, setting);
      cell.ms += ms;
      cell.pages += scan.pages.get(variant)!.length;
      const actual = parseInvoiceText(text);
      const weighed = weighByConfidence(actual, sureText === undefined ? undefined : parseInvoiceText(sureText));
      for (const field of scoredFields(scan.expected)) {
        cell.total++;
        const right = fieldMatches(field, actual[field], scan.expected[field]);
        if (right) cell.right++;
        else cell.missedByField[field] = (cell.missedByField[field] ?? 0) + 1;
        if (!right && actual[field] !== null && !(Array.isArray(actual[field]) && actual[field].length === 0)) cell.wrongFound++;
        if (weighed.doubtful.includes(field)) cell[right ? 'doubtfulRight' : 'doubtfulWrong']++;
      }
    }
    process.stderr.write('.');
  }
  results[settingName] = row;
  process.stderr.write(` ${settingName}\n`);
}
await terminateOcr();

const percent = ({ right, total }: Cell) => `${((100 * right) / total).toFixed(1)}%`;
const header = ['OCR setting', ...chosenVariants.map(([name]) => name), 'all', 's/page'];
const rows = Object.entries(results).map(([settingName, row]) => {
  const cells = Object.values(row);
  const sum = (key: 'right' | 'total' | 'pages' | 'ms') => cells.reduce((total, cell) => total + cell[key], 0);
  return [settingName, ...cells.map(percent), `${((100 * sum('right')) / sum('total')).toFixed(1)}%`, (sum('ms') / sum('pages') / 1000).toFixed(2)];
});
console.log(`${documents.length} documents of ${options.set}, fields right per kind of scan:\n`);
console.log(markdownTable(header, rows));

// Weighing by OCR confidence: which fields it marks doubtful (a wrong field that is null cannot be marked).
const weighing = ['| OCR setting | wrong fields found (not null) | of them marked doubtful | right fields | of them marked doubtful |', '| --- | --- | --- | --- | --- |'];
for (const [settingName, row] of Object.entries(results)) {
  const cells = Object.values(row);
  const sum = (key: 'right' | 'doubtfulWrong' | 'doubtfulRight' | 'wrongFound') => cells.reduce((total, cell) => total + cell[key], 0);
  weighing.push(`| ${[settingName, sum('wrongFound'), sum('doubtfulWrong'), sum('right'), sum('doubtfulRight')].join(' | ')} |`);
}
console.log(`\n${weighing.join('\n')}`);

const file = await saveResults('scans', { set: options.set, documents: documents.length, settings: Object.fromEntries(chosenSettings), variants, results });
console.log(`\nsaved ${file}`);
