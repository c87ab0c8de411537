import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseReceiptText } from '../src/extraction/local/receipt';
import { receiptDocuments, receiptFieldMatches, scoredReceiptFields } from './corpus/receipts/corpus';

/** The hand-written till receipt corpus (test/corpus/receipts, see its README) through the offline receipt rules, from its text. */
const dev = await receiptDocuments('dev');
const heldout = await receiptDocuments('heldout');

async function extract(file: string) {
  return parseReceiptText(await readFile(file, 'utf8'));
}

describe('receipt corpus, dev part (the rules were tuned on it)', () => {
  it.each(dev.map((document) => [document.name, document] as const))('%s: every expected field', async (_name, document) => {
    const actual = await extract(document.file);
    const wrong = scoredReceiptFields(document.expected)
      .filter((field) => !receiptFieldMatches(field, actual[field], document.expected[field]))
      .map((field) => `${field}: expected ${JSON.stringify(document.expected[field])}, got ${JSON.stringify(actual[field])}`);
    expect(wrong).toEqual([]);
  });
});

describe('receipt corpus, held-out part (never tuned against)', () => {
  it('gets at least 90% of the fields right', async () => {
    let right = 0;
    let total = 0;
    for (const document of heldout) {
      const actual = await extract(document.file);
      for (const field of scoredReceiptFields(document.expected)) {
        total++;
        if (receiptFieldMatches(field, actual[field], document.expected[field])) right++;
      }
    }
    expect(right / total).toBeGreaterThanOrEqual(0.9);
  });
});
