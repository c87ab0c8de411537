import { isDeepStrictEqual } from 'node:util';
import type { Invoice } from '../../../src/extraction/schemas/invoice';
import { normaliseName, readCorpusSet, type CorpusEntry } from '../corpus-files';

/** The corpus: test/corpus/invoices/<set>/NAME.json (language and expected fields) beside NAME.txt or NAME.pdf. */
export const corpusDir = import.meta.dirname;

export type CorpusDocument = CorpusEntry<Partial<Invoice>>;

export function corpusDocuments(set: string): Promise<CorpusDocument[]> {
  return readCorpusSet(corpusDir, set);
}

/** The fields a document's expectation scores: all it names (line items only where given). */
export function scoredFields(expected: Partial<Invoice>): (keyof Invoice)[] {
  return Object.keys(expected) as (keyof Invoice)[];
}

/**
 * Whether an extracted field is right: amounts to the cent, party names ignoring case,
 * punctuation and spacing ("ACME Ltd." = "Acme Ltd"), everything else exactly.
 */
export function fieldMatches(field: keyof Invoice, actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') return Math.abs(expected - actual) < 0.005;
  if ((field === 'issuer' || field === 'buyer') && typeof expected === 'string' && typeof actual === 'string') {
    return normaliseName(expected) === normaliseName(actual);
  }
  return isDeepStrictEqual(actual, expected);
}
