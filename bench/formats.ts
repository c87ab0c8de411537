/**
 * `npm run bench:formats`: what each document format costs before any model is called — turning
 * it into Messages API content (converting TIFF/BMP/HEIC pages to PNG), and reading an e-invoice
 * from its XML against reading the same PDF's text — beside a PNG sent as it is (the baseline:
 * no conversion). Median of 3 runs per case (after one warm-up); prints a table and writes
 * bench/results/formats-<time>.json and latest-formats.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { documentContent } from '../src/extraction/anthropic/content';
import { loadDocument } from '../src/extraction/document';
import { readEInvoice } from '../src/extraction/einvoice';
import { invoiceSchema } from '../src/extraction/schemas/invoice';
import { documentText, terminateOcr } from '../src/extraction/text';

const runs = 3;

async function median(task: () => Promise<unknown>): Promise<number> {
  await task();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

interface Row {
  case: string;
  file: string;
  mediaType: string;
  bytes: number;
  ms: number;
  sentBytes?: number;
  blocks?: string;
}

const rows: Row[] = [];
const content = async (label: string, file: string) => {
  const document = await loadDocument(file);
  const blocks = await documentContent(document);
  rows.push({
    case: label,
    file: path.basename(file),
    mediaType: document.mediaType,
    bytes: document.bytes.length,
    ms: await median(() => documentContent(document)),
    sentBytes: blocks.reduce((sum, block) => sum + JSON.stringify(block).length, 0),
    blocks: blocks.map((block) => (block.type === 'image' && block.source.type === 'base64' ? block.source.media_type : block.type)).join(','),
  });
};

await content('claude content (baseline: PNG as is)', 'samples/invoices/scan-01.png');
for (const name of ['scan-two-pages.tiff', 'scan-receipt.bmp', 'photo-receipt.heic', 'email-invoice.html', 'word-invoice.docx']) {
  await content('claude content', path.join('samples/formats', name));
}
for (const name of ['factur-x.pdf', 'zugferd-1.0.pdf', 'xrechnung-cii.xml']) {
  const document = await loadDocument(path.join('samples/formats', name));
  rows.push({ case: 'e-invoice read', file: name, mediaType: document.mediaType, bytes: document.bytes.length, ms: await median(() => readEInvoice(document, invoiceSchema)) });
  rows.push({ case: 'text read (what it saves)', file: name, mediaType: document.mediaType, bytes: document.bytes.length, ms: await median(() => documentText(document)) });
}
await terminateOcr();

const header = ['case', 'file', 'media type', 'bytes', 'median ms', 'sent bytes', 'blocks'];
const table = [header, ...rows.map((row) => [row.case, row.file, row.mediaType, String(row.bytes), row.ms.toFixed(1), row.sentBytes === undefined ? '' : String(row.sentBytes), row.blocks ?? ''])];
const widths = header.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
console.log(table.map((line) => line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n'));

const dir = path.resolve('bench/results');
await mkdir(dir, { recursive: true });
const json = `${JSON.stringify({ at: new Date().toISOString(), runs, rows }, null, 2)}\n`;
await writeFile(path.join(dir, `formats-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), json);
await writeFile(path.join(dir, 'latest-formats.json'), json);
