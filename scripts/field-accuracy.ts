/**
 * Field accuracy of the local extractor: every expected field of every document compared with
 * what loadDocument -> documentText -> parseInvoiceText produces, on
 * - the bundled samples (samples/expected.json, written by the samples generator), and
 * - the invoice corpus (test/corpus/invoices/{dev,heldout}/NAME.json beside NAME.txt|.pdf),
 *   written by hand after real invoices in eight languages (see its README).
 * Prints each mismatch, then a table per set: per field and per language. With --json, writes the
 * same figures as JSON to the given file.
 *
 *   node --import tsx scripts/field-accuracy.ts [--no-ocr] [--set samples|dev|heldout] [--json out.json] [--quiet]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDocument } from '../src/extraction/document';
import { parseInvoiceText } from '../src/extraction/local/fields';
import type { Invoice } from '../src/extraction/schemas/invoice';
import { documentText, terminateOcr } from '../src/extraction/text';
import { corpusDocuments, fieldMatches, scoredFields } from '../test/corpus/invoices/corpus';

const { values: options } = parseArgs({
  options: {
    'no-ocr': { type: 'boolean', default: false },
    set: { type: 'string', multiple: true },
    json: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const sets = options.set ?? ['samples', 'dev', 'heldout'];

interface Document {
  set: string;
  file: string;
  language: string;
  expected: Partial<Invoice>;
}

const documents: Document[] = [];
if (sets.includes('samples')) {
  const dir = resolve('samples/invoices');
  const expected = JSON.parse(await readFile(join(dir, '..', 'expected.json'), 'utf8')) as Record<string, Invoice>;
  for (const [file, truth] of Object.entries(expected)) {
    if (options['no-ocr'] && file.startsWith('scan-')) continue;
    documents.push({ set: 'samples', file: join(dir, file), language: file.startsWith('scan-') ? 'ocr' : 'en', expected: truth });
  }
}
for (const set of sets.filter((name) => name !== 'samples')) {
  for (const document of await corpusDocuments(set)) documents.push({ set, ...document });
}

type Tally = Map<string, { right: number; total: number }>;
const newTally = (): Tally => new Map();
const tallies = new Map<string, { byField: Tally; byLanguage: Tally }>();
const count = (tally: Tally, key: string, ok: boolean) => {
  const entry = tally.get(key) ?? { right: 0, total: 0 };
  tally.set(key, { right: entry.right + (ok ? 1 : 0), total: entry.total + 1 });
};

for (const document of documents) {
  const actual = parseInvoiceText(await documentText(await loadDocument(document.file)));
  const tally = tallies.get(document.set) ?? { byField: newTally(), byLanguage: newTally() };
  tallies.set(document.set, tally);
  for (const field of scoredFields(document.expected)) {
    const ok = fieldMatches(field, actual[field], document.expected[field]);
    count(tally.byField, field, ok);
    count(tally.byLanguage, document.language, ok);
    count(tally.byLanguage, 'all', ok);
    if (!ok && !options.quiet) {
      console.log(`${document.set} ${document.file.split('/').at(-1)} ${field}: expected ${JSON.stringify(document.expected[field])}, got ${JSON.stringify(actual[field])}`);
    }
  }
}
await terminateOcr();

const percent = ({ right, total }: { right: number; total: number }) => `${right}/${total} (${((100 * right) / total).toFixed(1)}%)`;
const report: Record<string, { byField: Record<string, unknown>; byLanguage: Record<string, unknown> }> = {};
for (const [set, { byField, byLanguage }] of tallies) {
  console.log(`\n${set}`);
  console.log(`  ${'field'.padEnd(14)} right`);
  for (const [field, entry] of byField) console.log(`  ${field.padEnd(14)} ${percent(entry)}`);
  console.log(`  ${'language'.padEnd(14)} right`);
  for (const [language, entry] of [...byLanguage].sort(([a], [b]) => (a === 'all' ? 1 : b === 'all' ? -1 : a.localeCompare(b)))) {
    console.log(`  ${language.padEnd(14)} ${percent(entry)}`);
  }
  report[set] = { byField: Object.fromEntries(byField), byLanguage: Object.fromEntries(byLanguage) };
}
if (options.json) await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
