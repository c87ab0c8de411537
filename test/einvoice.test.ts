import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator';
import { createAnthropicExtractor } from '../src/extraction/anthropic';
import { loadDocument } from '../src/extraction/document';
import { readEInvoice, readInvoiceXml } from '../src/extraction/einvoice';
import { withEInvoiceReader } from '../src/extraction/einvoice/extractor';
import { estimateBatch } from '../src/extraction/estimate';
import { DecoderPool } from '../src/extraction/isolation';
import type { SourceDocument } from '../src/extraction/extractor';
import { createLocalExtractor } from '../src/extraction/local/extractor';
import { invoiceSchema, type Invoice } from '../src/extraction/schemas/invoice';
import { zeroUsage } from '../src/extraction/usage';
import { tempDir } from './helpers/batch';
import { ciiXml, invoiceLines, pdfWithAttachment, ublXml, zugferd1Xml } from './helpers/einvoice';

const invoice: Invoice = {
  invoiceNumber: '00471-RE',
  issueDate: '2025-03-14',
  dueDate: '2025-04-13',
  issuer: 'Müller & Söhne GmbH',
  buyer: 'Dupont SARL',
  currency: 'EUR',
  subtotal: 1250,
  tax: 237.5,
  total: 1487.5,
  lineItems: [
    { description: 'Wartung Heizungsanlage', quantity: 2, unitPrice: 400, amount: 800 },
    { description: 'Ersatzteile <Ventil> & Dichtungen', quantity: 3, unitPrice: 150, amount: 450 },
  ],
};
const models = { simple: 'claude-haiku-4-5', complex: 'claude-sonnet-4-5', escalation: 'claude-opus-4-5' };

async function pdfDocument(xml: string, fileName: string, lines = invoiceLines(invoice)): Promise<SourceDocument> {
  return { path: `/in/${fileName}.pdf`, mediaType: 'application/pdf', bytes: await pdfWithAttachment(lines, xml, fileName) };
}
const xmlDocument = (xml: string): SourceDocument => ({ path: '/in/invoice.xml', mediaType: 'application/xml', bytes: Buffer.from(xml) });

describe('e-invoice XML', () => {
  it('reads a CII (Factur-X / ZUGFeRD 2.x / XRechnung) invoice exactly, the number kept as text', () => {
    expect(readInvoiceXml(ciiXml(invoice))).toEqual({ data: invoice, syntax: 'CII' });
  });

  it('takes the tax in the invoice currency when CII states it twice', () => {
    const { data } = readInvoiceXml(ciiXml(invoice, { accountingCurrency: { code: 'CHF', tax: 226.1 } }));
    expect(data.tax).toBe(237.5);
  });

  it('reads the ZUGFeRD 1.0 header variant (CrossIndustryDocument)', () => {
    expect(readInvoiceXml(zugferd1Xml(invoice))).toEqual({ data: invoice, syntax: 'ZUGFeRD 1.0 CII' });
  });

  it('reads a UBL 2.1 invoice and a credit note (its due date under PaymentMeans)', () => {
    expect(readInvoiceXml(ublXml(invoice))).toEqual({ data: invoice, syntax: 'UBL Invoice' });
    expect(readInvoiceXml(ublXml(invoice, { creditNote: true }))).toEqual({ data: invoice, syntax: 'UBL CreditNote' });
  });

  it('leaves absent fields null, never invented', () => {
    const { data } = readInvoiceXml(ublXml({ ...invoice, dueDate: null, lineItems: [] }));
    expect(data).toMatchObject({ dueDate: null, lineItems: [] });
  });

  it('says what is wrong with damaged XML or values it cannot read', () => {
    expect(() => readInvoiceXml(ciiXml(invoice).slice(0, 600))).toThrow(/not well-formed XML/);
    expect(() => readInvoiceXml(ciiXml(invoice).replace('<ram:GrandTotalAmount>1487.50', '<ram:GrandTotalAmount>1.487,50'))).toThrow(/GrandTotalAmount is "1.487,50", not a decimal/);
    expect(() => readInvoiceXml(ciiXml(invoice).replace('format="102">20250314', 'format="102">14.03.2025'))).toThrow(/not CCYYMMDD/);
  });
});

describe('e-invoices in documents', () => {
  it.each(['factur-x.xml', 'zugferd-invoice.xml', 'ZUGFeRD-invoice.xml', 'xrechnung.xml'])('reads a PDF carrying %s', async (fileName) => {
    const reading = await readEInvoice(await pdfDocument(ciiXml(invoice), fileName), invoiceSchema);
    expect(reading).toMatchObject({ status: 'read', data: invoice, file: expect.stringContaining(`attachment ${fileName}`) });
  });

  it('reads an invoice XML attached under another name, and ignores other attachments', async () => {
    expect(await readEInvoice(await pdfDocument(ublXml(invoice), 'rechnung-00471.xml'), invoiceSchema)).toMatchObject({ status: 'read', syntax: 'UBL Invoice' });
    expect(await readEInvoice(await pdfDocument('<?xml version="1.0"?><Order/>', 'order.xml'), invoiceSchema)).toEqual({ status: 'none' });
  });

  it('reads a standalone XML file and ignores a PDF without attachments', async () => {
    expect(await readEInvoice(xmlDocument(ublXml(invoice, { creditNote: true })), invoiceSchema)).toMatchObject({ status: 'read', data: invoice });
    const plain = await pdfWithAttachment(invoiceLines(invoice), 'x', 'notes.txt');
    expect(await readEInvoice({ path: '/in/plain.pdf', mediaType: 'application/pdf', bytes: plain }, invoiceSchema)).toEqual({ status: 'none' });
  });

  it('marks XML the schema refuses as invalid, with the reason', async () => {
    const reading = await readEInvoice(xmlDocument(ciiXml({ ...invoice, currency: 'EURO' })), invoiceSchema);
    expect(reading).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/invoice\.xml: does not match the invoice schema: currency/) });
  });
});

describe("a PDF's attachments are read in the decoder pool", () => {
  const pools: DecoderPool[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.close();
  });
  // A decoder that misbehaves by the document's name (test/fixtures/misbehaving-decoder.ts).
  const misbehavingPool = () => {
    const pool = new DecoderPool({ entry: fileURLToPath(new URL('./fixtures/misbehaving-decoder.ts', import.meta.url)), size: 1 });
    pools.push(pool);
    return pool;
  };
  const inner = { name: 'local' as const, settingsKey: 'k', extract: async () => ({ data: { fromDocument: true }, usage: zeroUsage, model: 'm', calls: 1 }) };

  it('takes the attachments the decoder answers (these bytes are XML: pdfjs in this process could not open them)', async () => {
    const document: SourceDocument = { path: '/in/attachment-echo', mediaType: 'application/pdf', bytes: Buffer.from(ciiXml(invoice)) };
    expect(await readEInvoice(document, invoiceSchema, misbehavingPool())).toMatchObject({ status: 'read', data: invoice, file: '/in/attachment-echo (attachment factur-x.xml)' });
  });

  it('falls back to the extractor when the attachment reader crashes, and the pool goes on', async () => {
    const pool = misbehavingPool();
    await pool.run({ name: 'pageCount', document: { path: '/in/warm-up', mediaType: 'application/pdf', bytes: Buffer.from('x') } });
    const [crashed] = pool.pids();
    const extraction = await withEInvoiceReader(inner, pool).extract({ document: { path: '/in/crash', mediaType: 'application/pdf', bytes: Buffer.from('%PDF-1.7') }, schemaName: 'invoice', schema: invoiceSchema });
    expect(extraction.data).toEqual({ fromDocument: true });
    expect(pool.pids()).not.toContain(crashed);
    const after = await readEInvoice({ path: '/in/attachment-echo', mediaType: 'application/pdf', bytes: Buffer.from(ublXml(invoice)) }, invoiceSchema, pool);
    expect(after).toMatchObject({ status: 'read', syntax: 'UBL Invoice' });
  });
});

describe('the e-invoice shortcut in front of both extractors', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });
  const extractors = () => ({
    local: withEInvoiceReader(createLocalExtractor()),
    anthropic: withEInvoiceReader(createAnthropicExtractor({ apiKey: 'test-key', baseURL: emulator.url, models, rateLimiter: false })),
  });

  it.each(['local', 'anthropic'] as const)('%s: an e-invoice is read from its XML, no model call, no cost', async (name) => {
    const document = await pdfDocument(zugferd1Xml(invoice), 'ZUGFeRD-invoice.xml', ['This face says nothing useful.']);
    const before = emulator.log.length;
    const extraction = await extractors()[name].extract({ document, schemaName: 'invoice', schema: invoiceSchema });
    expect(extraction).toEqual({ data: invoice, usage: zeroUsage, model: 'e-invoice', calls: 0, source: 'e-invoice' });
    expect(emulator.log.length).toBe(before);
  });

  it.each(['local', 'anthropic'] as const)('%s: damaged XML falls back to the document, with a warning', async (name) => {
    const document = await pdfDocument(ciiXml(invoice).slice(0, 700), 'factur-x.xml');
    const before = emulator.log.length;
    const extraction = await extractors()[name].extract({ document, schemaName: 'invoice', schema: invoiceSchema });
    expect(extraction.source).toBeUndefined();
    expect(extraction.warnings).toEqual([expect.stringMatching(/e-invoice XML not used.*attachment factur-x\.xml\): not well-formed XML/)]);
    expect(invoiceSchema.parse(extraction.data).invoiceNumber).toBe('00471-RE');
    expect(emulator.log.length - before).toBe(name === 'anthropic' ? 1 : 0);
  });

  it('leaves other schemas to the extractor', async () => {
    const inner = { name: 'local' as const, settingsKey: 'k', extract: async () => ({ data: { other: true }, usage: zeroUsage, model: 'm', calls: 1 }) };
    const document = await pdfDocument(ciiXml(invoice), 'factur-x.xml');
    expect((await withEInvoiceReader(inner).extract({ document, schemaName: 'receipt', schema: invoiceSchema })).data).toEqual({ other: true });
  });
});

describe('--estimate', () => {
  it('counts e-invoices as free', async () => {
    const dir = await tempDir('docbatch-einvoice-');
    await writeFile(path.join(dir, 'a.pdf'), await pdfWithAttachment(invoiceLines(invoice), ciiXml(invoice), 'factur-x.xml'));
    await writeFile(path.join(dir, 'b.xml'), ublXml(invoice));
    await writeFile(path.join(dir, 'c.txt'), invoiceLines(invoice).join('\n'));
    const all = await estimateBatch(['a.pdf', 'b.xml', 'c.txt'].map((name) => path.join(dir, name)), { models });
    const textOnly = await estimateBatch([path.join(dir, 'c.txt')], { models });
    expect(all).toMatchObject({ documents: 3, eInvoices: 2, unreadable: 0, costUsd: textOnly.costUsd, inputTokens: textOnly.inputTokens });
    expect(all.costUsd).toBeGreaterThan(0);
  });
});

describe('format samples', () => {
  it('reads the bundled e-invoice samples from their XML and falls back on the damaged one', async () => {
    const dir = path.resolve('samples/formats');
    for (const name of ['xrechnung-cii.xml', 'peppol-ubl-invoice.xml', 'peppol-ubl-credit-note.xml', 'factur-x.pdf', 'zugferd-1.0.pdf']) {
      expect((await readEInvoice(await loadDocument(path.join(dir, name)), invoiceSchema)).status, name).toBe('read');
    }
    expect((await readEInvoice(await loadDocument(path.join(dir, 'factur-x-damaged-xml.pdf')), invoiceSchema)).status).toBe('invalid');
  });
});
