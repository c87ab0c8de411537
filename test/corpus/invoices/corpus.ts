import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Invoice } from '../../../src/extraction/schemas/invoice';

/** The corpus: test/corpus/invoices/<set>/NAME.json (language and expected fields) beside NAME.txt or NAME.pdf. */
export const corpusDir = import.meta.dirname;

export interface CorpusDocument {
  file: string;
  language: string;
  expected: Partial<Invoice>;
}

export async function corpusDocuments(set: string): Promise<CorpusDocument[]> {
  const dir = join(corpusDir, set);
  const names = (await readdir(dir)).sort();
  const documents: CorpusDocument[] = [];
  for (const name of names.filter((file) => file.endsWith('.json'))) {
    const base = name.slice(0, -'.json'.length);
    const file = names.find((other) => other !== name && other.startsWith(`${base}.`));
    if (!file) throw new Error(`${join(dir, name)} has no document beside it (${base}.txt or ${base}.pdf)`);
    const { language, expected } = JSON.parse(await readFile(join(dir, name), 'utf8')) as { language: string; expected: Partial<Invoice> };
    documents.push({ file: join(dir, file), language, expected });
  }
  return documents;
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

function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim();
}
