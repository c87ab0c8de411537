import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { BatchSummary } from '../../src/batch/summary';
import { samplesDir, startBatch, tempDir, uniqueId } from './batch';
import { pdfOfObjects } from './bad-documents';

/**
 * A text invoice the offline extractor reads exactly; `totalOff` added to the printed total makes
 * it fail the "totals add up" check (and land in the review queue).
 */
export function reviewInvoiceText(number: number, options: { issuer?: string; totalOff?: number } = {}): string {
  const quantity = 2 + (number % 5);
  const unit = 40 + number;
  const first = quantity * unit;
  const second = 100 + number * 3;
  const subtotal = first + second;
  const tax = Math.round(subtotal * 0.2 * 100) / 100;
  const money = (value: number) => value.toFixed(2).padStart(12);
  return `${(options.issuer ?? 'Northwind Traders Ltd').padEnd(56)}INVOICE
12 Harbour Road, Bristol                                Invoice No: NW-${7000 + number}
                                                        Date: 2025-03-01
                                                        Due Date: 2025-03-31
Bill To:                                                Currency: EUR
Contoso AG

Description                                          Qty          Unit Price                 Amount
Consulting services                                  ${String(quantity).padStart(3)}        ${money(unit)}           ${money(first)}
Annual software licence                                1        ${money(second)}           ${money(second)}

                                                        Subtotal                     ${money(subtotal)}
                                                        VAT 20%                      ${money(tax)}
                                                        Total Due                    ${money(subtotal + tax + (options.totalOff ?? 0))}
`;
}

/** The consistent total of reviewInvoiceText(number). */
export function reviewInvoiceTotal(number: number): number {
  const quantity = 2 + (number % 5);
  const subtotal = quantity * (40 + number) + 100 + number * 3;
  return Math.round((subtotal + Math.round(subtotal * 0.2 * 100) / 100) * 100) / 100;
}

/**
 * A finished batch (local extractor) with documents to review: three whose totals are off (two
 * issuers), a good one, a good PDF, and two that fail (a corrupt PDF, an empty file).
 */
export async function reviewableBatch(client: Client, taskQueue: string, prefix = 'review', extra: Record<string, string | Buffer> = {}): Promise<{ batchId: string; dir: string; summary: BatchSummary }> {
  const dir = await tempDir(prefix);
  for (const [name, body] of Object.entries(extra)) await writeFile(path.join(dir, name), body);
  await writeFile(path.join(dir, 'a-good.txt'), reviewInvoiceText(1));
  await writeFile(path.join(dir, 'b-total-off.txt'), reviewInvoiceText(2, { totalOff: 100 }));
  await writeFile(path.join(dir, 'c-total-off.txt'), reviewInvoiceText(3, { totalOff: 7.5 }));
  await writeFile(path.join(dir, 'd-fabrikam.txt'), reviewInvoiceText(4, { issuer: 'Fabrikam Inc', totalOff: 20 }));
  await copyFile(path.join(samplesDir, 'invoice-01-classic.pdf'), path.join(dir, 'e-classic.pdf'));
  await copyFile(path.join(samplesDir, 'broken-corrupt.pdf'), path.join(dir, 'f-corrupt.pdf'));
  await writeFile(path.join(dir, 'g-empty.txt'), '');
  const batchId = uniqueId(prefix);
  const handle = await startBatch(client, taskQueue, batchId, { source: { dir, exclude: ['out/**'] }, outputDir: path.join(dir, 'out'), extractor: 'local', chunkSize: 4, cache: false });
  const summary = (await handle.result());
  return { batchId, dir, summary };
}

/** A one-page PDF of `text` in Courier, each line where a typewriter would put it: a text layer the offline extractor reads like the .txt. */
export function textLinesPdf(text: string): Buffer {
  const escapePdf = (line: string) => line.replace(/[\\()]/g, (char) => `\\${char}`);
  const lines = text.split('\n');
  const content = `BT /F1 8 Tf 40 760 Td 11 TL ${lines.map((line) => `(${escapePdf(line)}) Tj T*`).join(' ')} ET`;
  const objects = [
    '',
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  return pdfOfObjects(objects);
}
