import { afterAll, describe, expect, it } from 'vitest';
import { loadDocument } from '../src/extraction/document';
import { parseInvoiceText } from '../src/extraction/local/fields';
import { documentText, terminateOcr } from '../src/extraction/text';
import { corpusDocuments, fieldMatches, scoredFields } from './corpus/invoices/corpus';

/**
 * The hand-written invoice corpus (test/corpus/invoices, see its README) through the whole local
 * path: loadDocument -> documentText (text layer for the PDFs) -> parseInvoiceText.
 */
afterAll(async () => {
  await terminateOcr();
});

async function extract(file: string) {
  return parseInvoiceText(await documentText(await loadDocument(file)));
}

const dev = await corpusDocuments('dev');
const heldout = await corpusDocuments('heldout');

describe('invoice corpus, dev part (the rules were tuned on it)', () => {
  it('has at least three documents per language, text and PDF', () => {
    const perLanguage = new Map<string, number>();
    for (const document of [...dev, ...heldout]) perLanguage.set(document.language, (perLanguage.get(document.language) ?? 0) + 1);
    for (const language of ['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt']) expect(perLanguage.get(language) ?? 0).toBeGreaterThanOrEqual(3);
    expect(dev.some((document) => document.file.endsWith('.pdf'))).toBe(true);
  });

  it.each(dev.map((document) => [document.file.split('/').at(-1)!, document] as const))('%s: every expected field', async (_name, document) => {
    const actual = await extract(document.file);
    const wrong = scoredFields(document.expected)
      .filter((field) => !fieldMatches(field, actual[field], document.expected[field]))
      .map((field) => `${field}: expected ${JSON.stringify(document.expected[field])}, got ${JSON.stringify(actual[field])}`);
    expect(wrong.filter((line) => !knownMisses.has(`${document.file.split('/').at(-1)} ${line}`))).toEqual([]);
  });
});

/** Dev misses the rules cannot reach yet, as "file field: expected …, got …" (null, never a wrong value). None today. */
const knownMisses = new Set<string>([]);

describe('invoice corpus, held-out part (never tuned against)', () => {
  it('gets at least 80% of the fields right, and never invents a value where the invoice has none', async () => {
    let right = 0;
    let total = 0;
    for (const document of heldout) {
      const actual = await extract(document.file);
      for (const field of scoredFields(document.expected)) {
        total++;
        if (fieldMatches(field, actual[field], document.expected[field])) right++;
        if (document.expected[field] === null) expect(actual[field], `${document.file} ${field}`).toBeNull();
      }
    }
    expect(right / total).toBeGreaterThanOrEqual(0.8);
  });
});
