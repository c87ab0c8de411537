/**
 * Field accuracy of the local extractor on the bundled samples: every field of every good sample
 * in samples/expected.json compared with what loadDocument -> documentText ->
 * parseInvoiceText produces. Prints one line per mismatch and a per-field table.
 *
 *   node --import tsx scripts/field-accuracy.ts [samplesDir] [--no-ocr]
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadDocument } from '../src/extraction/document';
import { parseInvoiceText } from '../src/extraction/local/fields';
import type { Invoice } from '../src/extraction/schemas/invoice';
import { documentText, terminateOcr } from '../src/extraction/text';

const args = process.argv.slice(2);
const dir = resolve(args.find((arg) => !arg.startsWith('--')) ?? 'samples/invoices');
const skipOcr = args.includes('--no-ocr');
const expected = JSON.parse(await readFile(join(dir, '..', 'expected.json'), 'utf8')) as Record<string, Invoice>;

const fields = Object.keys(Object.values(expected)[0] ?? {}) as (keyof Invoice)[];
const tally = new Map<string, { right: number; total: number }>();
for (const [file, truth] of Object.entries(expected)) {
  if (skipOcr && file.startsWith('scan-')) continue;
  const actual = parseInvoiceText(await documentText(await loadDocument(join(dir, file))));
  for (const field of fields) {
    const ok = isDeepStrictEqual(actual[field], truth[field]);
    const key = `${file.startsWith('scan-') ? 'ocr ' : ''}${field}`;
    const entry = tally.get(key) ?? { right: 0, total: 0 };
    tally.set(key, { right: entry.right + (ok ? 1 : 0), total: entry.total + 1 });
    if (!ok) console.log(`${file} ${field}: expected ${JSON.stringify(truth[field])}, got ${JSON.stringify(actual[field])}`);
  }
}
await terminateOcr();
let right = 0;
let total = 0;
for (const [field, entry] of tally) {
  console.log(`${field.padEnd(20)} ${entry.right}/${entry.total}`);
  right += entry.right;
  total += entry.total;
}
console.log(`all fields: ${right}/${total} (${((100 * right) / total).toFixed(1)}%)`);
