import { isDeepStrictEqual } from 'node:util';
import type { Receipt } from '../../../src/extraction/schemas/receipt';
import { normaliseName, readCorpusSet, type CorpusEntry } from '../corpus-files';

/** The corpus: test/corpus/receipts/<set>/NAME.json (language and expected fields) beside NAME.txt. */
export const receiptCorpusDir = import.meta.dirname;

export type ReceiptDocument = CorpusEntry<Partial<Receipt>>;

export function receiptDocuments(set: string): Promise<ReceiptDocument[]> {
  return readCorpusSet(receiptCorpusDir, set);
}

/** The fields a receipt's expectation scores: all it names (subtotal only where a receipt prints one before tax). */
export function scoredReceiptFields(expected: Partial<Receipt>): (keyof Receipt)[] {
  return Object.keys(expected) as (keyof Receipt)[];
}

/**
 * Whether an extracted receipt field is right: amounts to the cent; the merchant ignoring case,
 * punctuation and spacing; the payment method ignoring case; the items as the list of their
 * amounts (every purchased line found, none added, each to the cent: a description with one
 * misread letter is still the line); everything else exactly.
 */
export function receiptFieldMatches(field: keyof Receipt, actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') return Math.abs(expected - actual) < 0.005;
  if ((field === 'merchant' || field === 'paymentMethod') && typeof expected === 'string' && typeof actual === 'string') {
    return normaliseName(expected) === normaliseName(actual);
  }
  if (field === 'items' && Array.isArray(expected) && Array.isArray(actual)) {
    const amounts = (items: unknown[]) => items.map((item) => Math.round(((item as Receipt['items'][number]).amount ?? NaN) * 100));
    return isDeepStrictEqual(amounts(actual), amounts(expected));
  }
  return isDeepStrictEqual(actual, expected);
}
