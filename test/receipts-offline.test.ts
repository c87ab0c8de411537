import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { batchSummarySchema } from '../src/batch/summary';
import { ENV } from '../src/env';
import { renderPagePng, withPdf } from '../src/extraction/pdf';
import type { Receipt } from '../src/extraction/schemas/receipt';
import { readJsonLines, tempDir, uniqueId } from './helpers/batch';
import { runDocbatch as docbatch } from './helpers/cli';

/** `docbatch run <dir> --schema receipt` with defaults and no API key: the offline extractor fills receipts. */
const spanish = [
  'CAFETERIA LA ESQUINA',
  'Plaza Nueva 3, 41001 Sevilla',
  'Fecha: 21/06/2024   Hora: 09:42',
  '2 x Cafe con leche      1,60   3,20',
  '1 x Tostada con tomate         5,60',
  'TOTAL (IVA incluido)      8,80 EUR',
  'IVA 10%                   0,80',
  'TARJETA VISA              8,80',
];
const german = [
  'REWE Markt GmbH',
  'Bahnhofstr. 1, 50667 Koeln',
  'BANANE                1,29 B',
  'BROT                  2,49 B',
  'SUMME      EUR        3,78',
  'Geg. BAR   EUR       10,00',
  'Rueckgeld  EUR        6,22',
  '12.04.2024  18:03  Bon-Nr. 4711',
];

/** A narrow till-roll page in a monospaced font, as receipt printers lay them out. */
async function receiptPdf(lines: string[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Courier);
  const page = pdf.addPage([260, 40 + lines.length * 14]);
  lines.forEach((line, i) => page.drawText(line, { x: 10, y: page.getHeight() - 24 - i * 14, size: 9, font }));
  return pdf.save();
}

describe('receipts offline', () => {
  it('run --schema receipt with defaults reads text, PDF and scanned receipts without an API key', async () => {
    const dir = await tempDir('receipts');
    await writeFile(path.join(dir, 'cafe.txt'), spanish.join('\n'));
    const pdf = await receiptPdf(german);
    await writeFile(path.join(dir, 'rewe.pdf'), pdf);
    const png = await withPdf({ path: 'rewe.pdf', mediaType: 'application/pdf', bytes: Buffer.from(pdf) }, async (doc) => renderPagePng(doc, await doc.getPage(1), 3));
    await writeFile(path.join(dir, 'rewe-scan.png'), png);

    const env = { ...process.env, [ENV.taskQueue]: uniqueId('receipts'), [ENV.homeDir]: await tempDir('receipts-home'), [ENV.outputDir]: await tempDir('receipts-out'), ANTHROPIC_API_KEY: '' };
    const result = await docbatch(['run', dir, '--schema', 'receipt', '--no-cache', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const summary = batchSummarySchema.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({ state: 'completed', total: 3, succeeded: 3, failed: 0 });

    const rows = await readJsonLines<{ path: string; data: Receipt }>(summary.files.results);
    const byName = Object.fromEntries(rows.map((row) => [path.basename(row.path), row.data]));
    expect(byName['cafe.txt']).toMatchObject({ merchant: 'CAFETERIA LA ESQUINA', date: '2024-06-21', time: '09:42', total: 8.8, tax: 0.8, currency: 'EUR', paymentMethod: 'VISA' });
    expect(byName['cafe.txt']!.items).toHaveLength(2);
    expect(byName['rewe.pdf']).toMatchObject({ merchant: 'REWE Markt GmbH', date: '2024-04-12', time: '18:03', total: 3.78, currency: 'EUR', paymentMethod: 'cash' });
    expect(byName['rewe.pdf']!.items.map((item) => item.amount)).toEqual([1.29, 2.49]);
    // The same slip scanned goes through OCR, which misreads some letters of a small monospaced
    // font ("REVE Markt GnbH", "SUMME EWR 3,78"): the fields OCR leaves intact are read.
    expect(byName['rewe-scan.png']).toMatchObject({ date: '2024-04-12', time: '18:03', currency: 'EUR', paymentMethod: 'cash' });
    expect(byName['rewe-scan.png']!.items.map((item) => item.amount)).toEqual([1.29, 2.49]);
  });
});
