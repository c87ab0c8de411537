import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDocument } from '../src/extraction/document';
import { DocumentError } from '../src/extraction/errors';
import { createLocalExtractor } from '../src/extraction/local/extractor';
import { invoiceSchema, type Invoice } from '../src/extraction/schemas/invoice';
import { receiptSchema } from '../src/extraction/schemas/receipt';
import { terminateOcr } from '../src/extraction/text';
import { zeroUsage } from '../src/extraction/usage';

const samples = join(import.meta.dirname, '..', 'samples', 'invoices');
const expected = JSON.parse(await readFile(join(samples, '..', 'expected.json'), 'utf8')) as Record<string, Invoice>;
const extractor = createLocalExtractor();

async function extractSample(name: string): Promise<Invoice> {
  const document = await loadDocument(join(samples, name));
  const extraction = await extractor.extract({ document, schemaName: 'invoice', schema: invoiceSchema });
  expect(extraction).toMatchObject({ usage: zeroUsage, model: 'local', calls: 1 });
  return invoiceSchema.parse(extraction.data);
}

afterAll(async () => {
  await terminateOcr();
});

const textLayerSamples = Object.keys(expected).filter((name) => !name.startsWith('scan-'));
/** Images and the image-only PDF go through OCR (see samples/README.md). */
const ocrSamples = Object.keys(expected).filter((name) => name.startsWith('scan-'));

describe('local extractor on the bundled samples', () => {
  it('has at least 30 text-layer samples with known values', () => {
    expect(textLayerSamples.length).toBeGreaterThanOrEqual(30);
    expect(ocrSamples.length).toBeGreaterThanOrEqual(3);
  });

  // Every field, exactly: the samples' layouts are what the parser claims to read.
  it.each(textLayerSamples)('%s: every field as in expected.json', async (name) => {
    expect(await extractSample(name)).toEqual(expected[name]);
  });

  // OCR reads pixels and may misread a letter (e.g. "Dijk" as "Dik") or a table header, so only
  // the fields a user most needs are asserted exactly; the rest is measured by
  // scripts/field-accuracy.ts.
  it.each(ocrSamples)('%s (OCR): invoice number, dates and total', async (name) => {
    const invoice = await extractSample(name);
    const truth = expected[name]!;
    expect(invoice.invoiceNumber).toBe(truth.invoiceNumber);
    expect(invoice.issueDate).toBe(truth.issueDate);
    expect(invoice.total).toBe(truth.total);
    expect(invoice.currency).toBe(truth.currency);
  });
});

describe('local extractor failures', () => {
  it('fails a readable document without a single invoice field as validation_failed', async () => {
    const error = await extractSample('broken-not-an-invoice.txt').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(DocumentError);
    expect(error).toMatchObject({ type: 'validation_failed', message: expect.stringMatching(/no invoice fields found/) });
  });

  it('says so when a document has next to no words (a photo OCR could not read), rather than only "no fields"', async () => {
    const document = { path: 'blurred.txt', mediaType: 'text/plain' as const, bytes: Buffer.from('~~ ;: .. |||\n 1 1') };
    const error = await extractor.extract({ document, schemaName: 'receipt', schema: receiptSchema }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ type: 'validation_failed', message: expect.stringMatching(/no receipt fields found \(.*; its text has no words \(an unreadable scan or photo\?\)\)/) });
  });

  it('passes document errors through with their type', async () => {
    const error = await extractSample('broken-encrypted.pdf').catch((reason: unknown) => reason);
    expect(error).toMatchObject({ type: 'encrypted' });
  });

  it('validates with the schema it is given and lists the issues', async () => {
    const document = await loadDocument(join(samples, 'invoice-02-two-column.txt'));
    const strict = invoiceSchema.extend({ purchaseOrder: invoiceSchema.shape.invoiceNumber.unwrap() });
    const error = await extractor.extract({ document, schemaName: 'invoice', schema: strict }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ type: 'validation_failed', message: expect.stringMatching(/does not match the invoice schema: purchaseOrder: /) });
  });
});
