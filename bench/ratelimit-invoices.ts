import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The model the plain loop asks (the emulator answers every model alike). */
export const benchModel = 'claude-haiku-4-5';

const sample = fileURLToPath(new URL('../samples/invoices/invoice-02-two-column.txt', import.meta.url));

/** bench/ratelimit's documents: a sample text invoice with a distinct reference line each, so none is a cache hit. */
export function benchInvoiceTexts(count: number): string[] {
  const text = readFileSync(sample, 'utf8');
  return Array.from({ length: count }, (_, index) => `${text}\nReference copy ${index}.\n`);
}
