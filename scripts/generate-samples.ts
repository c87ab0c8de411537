/**
 * Generates the bundled sample invoices (samples/invoices/): PDFs with a real text layer and plain
 * text files in varied layouts, images and a scanned PDF for OCR, deliberately broken files, and
 * expected.json with the true field values of every good sample. Deterministic: the same seed
 * writes the same bytes, so the committed files only change when this script does.
 *
 *   node --import tsx scripts/generate-samples.ts [outDir]
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PDFDocument, PDFHexString, StandardFonts, rgb, type PDFFont } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Invoice, InvoiceLineItem } from '../src/extraction/schemas/invoice';
import { renderPagePng } from '../src/extraction/pdf';
import { seededRandom } from '../src/emulator/random';

const outDir = resolve(process.argv[2] ?? 'samples/invoices');
const sampleCount = 36;

// --- deterministic randomness ---------------------------------------------------------------

const random = seededRandom(20240305);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

// --- invoice content ------------------------------------------------------------------------

const vendors = [
  { name: 'Northwind Traders Ltd', address: ['14 Harbour Road', 'Bristol BS1 4QA'] },
  { name: 'Acme Analytics GmbH', address: ['Lindenstrasse 12', '10969 Berlin'] },
  { name: 'Bluebird Design Studio', address: ['88 Mission Street', 'San Francisco, CA 94105'] },
  { name: 'Helios Energy SARL', address: ['3 rue des Lilas', '69003 Lyon'] },
  { name: 'Quantum Leap Consulting LLC', address: ['500 Fifth Avenue', 'New York, NY 10110'] },
  { name: 'Greenfield Supplies plc', address: ['Unit 7, Riverside Park', 'Leeds LS10 1AB'] },
  { name: 'Van Dijk Logistics BV', address: ['Keizersgracht 221', '1016 DV Amsterdam'] },
  { name: 'Redwood Software Inc', address: ['2100 Pine Street', 'Seattle, WA 98101'] },
  { name: 'Costa Print & Copy', address: ['Via Roma 45', '20121 Milano'] },
  { name: 'Oakridge Catering Co', address: ['9 Market Square', 'Oxford OX1 3DP'] },
];
const buyers = [
  'Globex Corporation',
  'Initech Ltd',
  'Umbrella Retail SA',
  'Stark Industries LLC',
  'Wayne Enterprises',
  'Hooli Europe BV',
  'Soylent Foods GmbH',
  'Vandelay Imports',
  'Cyberdyne Systems',
  'Tyrell Holdings plc',
];
const catalogue: { description: string; unit: [number, number]; qty: [number, number] }[] = [
  { description: 'Consulting services', unit: [90, 180], qty: [2, 40] },
  { description: 'Website redesign', unit: [1200, 4800], qty: [1, 1] },
  { description: 'Annual software licence', unit: [300, 2400], qty: [1, 5] },
  { description: 'Printer paper A4 (box)', unit: [18, 35], qty: [2, 30] },
  { description: 'Cloud hosting - monthly plan', unit: [49, 499], qty: [1, 12] },
  { description: 'On-site training day', unit: [650, 1100], qty: [1, 3] },
  { description: 'Freight handling', unit: [120, 900], qty: [1, 4] },
  { description: 'Catering for 25 guests', unit: [400, 950], qty: [1, 2] },
  { description: 'Logo design', unit: [350, 1500], qty: [1, 1] },
  { description: 'Support hours', unit: [60, 120], qty: [1, 25] },
  { description: 'Solar panel inspection', unit: [220, 480], qty: [1, 6] },
  { description: 'Brochure printing (500 copies)', unit: [180, 620], qty: [1, 3] },
];

type Currency = 'EUR' | 'USD' | 'GBP';
type DateStyle = 'iso' | 'slash' | 'dots' | 'long-us' | 'day-month' | 'ordinal';

interface InvoiceFacts extends Invoice {
  currency: Currency;
  issueDate: string;
  lineItems: InvoiceLineItem[];
  taxRate: number | null;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function makeFacts(index: number, options: { items: boolean; tax: boolean; due: boolean }): InvoiceFacts {
  const vendor = vendors[index % vendors.length]!;
  const currency = pick<Currency>(['EUR', 'USD', 'GBP']);
  const issue = new Date(Date.UTC(2024, between(0, 11), between(1, 28)));
  const due = new Date(issue.getTime() + pick([14, 30, 45]) * 86_400_000);
  const lineItems: InvoiceLineItem[] = [];
  for (let i = 0, n = between(1, 5); i < n; i++) {
    const product = pick(catalogue);
    if (lineItems.some((item) => item.description === product.description)) continue;
    const quantity = between(...product.qty);
    const unitPrice = round2(between(product.unit[0] * 100, product.unit[1] * 100) / 100);
    lineItems.push({ description: product.description, quantity, unitPrice, amount: round2(quantity * unitPrice) });
  }
  const subtotal = round2(lineItems.reduce((sum, item) => sum + (item.amount ?? 0), 0));
  const taxRate = options.tax ? (currency === 'USD' ? pick([7.25, 8.5]) : pick([19, 20, 21])) : null;
  const tax = taxRate === null ? null : round2((subtotal * taxRate) / 100);
  const prefix = pick(['INV-', 'INV', 'F', '', 'NW/', 'A-']);
  const invoiceNumber = `${prefix}${2024}${prefix === '' ? '-' : ''}${String(between(1, 9999)).padStart(4, '0')}`;
  return {
    invoiceNumber,
    issueDate: isoDay(issue),
    dueDate: options.due ? isoDay(due) : null,
    issuer: vendor.name,
    buyer: buyers[(index * 7 + 3) % buyers.length]!,
    currency,
    subtotal: options.tax ? subtotal : null,
    tax,
    total: round2(subtotal + (tax ?? 0)),
    lineItems: options.items ? lineItems : [],
    taxRate,
  };
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Prints an ISO date the way the sample's style says; slash dates follow the currency's convention. */
function formatDate(iso: string, style: DateStyle, currency: Currency): string {
  const [y, m, d] = iso.split('-') as [string, string, string];
  const month = monthNames[Number(m) - 1]!;
  switch (style) {
    case 'iso':
      return iso;
    case 'slash':
      return currency === 'USD' ? `${m}/${d}/${y}` : `${d}/${m}/${y}`;
    case 'dots':
      return `${d}.${m}.${y}`;
    case 'long-us':
      return `${month} ${Number(d)}, ${y}`;
    case 'day-month':
      return `${Number(d)} ${month.slice(0, 3)} ${y}`;
    case 'ordinal': {
      const n = Number(d);
      const suffix = n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
      return `${n}${suffix} ${month} ${y}`;
    }
  }
}

/** Prints money in English (1,234.56) or continental (1.234,56) style, with or without grouping. */
function formatMoney(value: number, style: 'point' | 'comma', grouping = true): string {
  const [whole, cents] = value.toFixed(2).split('.') as [string, string];
  const groupSeparator = style === 'point' ? ',' : '.';
  const grouped = grouping ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, groupSeparator) : whole;
  return `${grouped}${style === 'point' ? '.' : ','}${cents}`;
}

const symbols: Record<Currency, string> = { EUR: '€', USD: '$', GBP: '£' };

// --- page model: one description, rendered as PDF and as text -------------------------------

interface Placed {
  text: string;
  /** Left edge in points, or the right edge when align is 'right'. */
  x: number;
  row: number;
  size?: number;
  bold?: boolean;
  align?: 'right';
}

interface Page {
  items: Placed[];
}

const left = 50;
const right = 545;

interface LayoutContext {
  facts: InvoiceFacts;
  dateStyle: DateStyle;
  money: (value: number) => string;
}

type Layout = (context: LayoutContext) => Page[];

function headerBlock(facts: InvoiceFacts, row: number): Placed[] {
  const vendor = vendors.find((candidate) => candidate.name === facts.issuer)!;
  return [
    { text: facts.issuer!, x: left, row, size: 14, bold: true },
    ...vendor.address.map((line, i) => ({ text: line, x: left, row: row + 1 + i })),
  ];
}

function itemTable(context: LayoutContext, row: number, headers: [string, string, string, string], withSymbol: boolean): Placed[] {
  const { facts, money } = context;
  const placed: Placed[] = [
    { text: headers[0], x: left, row, bold: true },
    { text: headers[1], x: 330, row, bold: true, align: 'right' },
    { text: headers[2], x: 430, row, bold: true, align: 'right' },
    { text: headers[3], x: right, row, bold: true, align: 'right' },
  ];
  facts.lineItems.forEach((item, i) => {
    const symbol = withSymbol ? symbols[facts.currency] : '';
    placed.push(
      { text: item.description, x: left, row: row + 1 + i },
      { text: String(item.quantity), x: 330, row: row + 1 + i, align: 'right' },
      { text: `${symbol}${money(item.unitPrice!)}`, x: 430, row: row + 1 + i, align: 'right' },
      { text: `${symbol}${money(item.amount!)}`, x: right, row: row + 1 + i, align: 'right' },
    );
  });
  return placed;
}

function summaryBlock(context: LayoutContext, row: number, labels: { subtotal: string; tax: (rate: number) => string; total: string }, suffix: string): Placed[] {
  const { facts, money } = context;
  const placed: Placed[] = [];
  let r = row;
  if (facts.subtotal !== null) placed.push({ text: labels.subtotal, x: 330, row: r }, { text: `${money(facts.subtotal)}${suffix}`, x: right, row: r++, align: 'right' });
  if (facts.tax !== null) placed.push({ text: labels.tax(facts.taxRate!), x: 330, row: r }, { text: `${money(facts.tax)}${suffix}`, x: right, row: r++, align: 'right' });
  placed.push({ text: labels.total, x: 330, row: r, bold: true }, { text: `${money(facts.total!)}${suffix}`, x: right, row: r, bold: true, align: 'right' });
  return placed;
}

const layouts: Record<string, Layout> = {
  /** Vendor top left, title and references top right, "Bill To" block, table, summary. */
  classic: (context) => {
    const { facts, dateStyle } = context;
    const date = (iso: string) => formatDate(iso, dateStyle, facts.currency);
    const items: Placed[] = [
      ...headerBlock(facts, 0),
      { text: 'INVOICE', x: right, row: 0, size: 18, bold: true, align: 'right' },
      { text: `Invoice No: ${facts.invoiceNumber}`, x: 360, row: 2 },
      { text: `Date: ${date(facts.issueDate)}`, x: 360, row: 3 },
      ...(facts.dueDate ? [{ text: `Due Date: ${date(facts.dueDate)}`, x: 360, row: 4 }] : []),
      { text: 'Bill To:', x: left, row: 6, bold: true },
      { text: facts.buyer!, x: left, row: 7 },
      { text: `Currency: ${facts.currency}`, x: 360, row: 6 },
      ...(facts.lineItems.length > 0 ? itemTable(context, 10, ['Description', 'Qty', 'Unit Price', 'Amount'], false) : []),
      ...summaryBlock(context, 12 + facts.lineItems.length, { subtotal: 'Subtotal', tax: (rate) => `VAT ${rate}%`, total: 'Total Due' }, ''),
    ];
    return [{ items }];
  },
  /** Issuer and buyer side by side under "From:" / "Bill to:", references as label-over-value. */
  'two-column': (context) => {
    const { facts, dateStyle, money } = context;
    const date = (iso: string) => formatDate(iso, dateStyle, facts.currency);
    const vendor = vendors.find((candidate) => candidate.name === facts.issuer)!;
    const items: Placed[] = [
      { text: 'Tax Invoice', x: left, row: 0, size: 18, bold: true },
      { text: 'From:', x: left, row: 2, bold: true },
      { text: 'Bill to:', x: 300, row: 2, bold: true },
      { text: facts.issuer!, x: left, row: 3 },
      { text: facts.buyer!, x: 300, row: 3 },
      { text: vendor.address[0]!, x: left, row: 4 },
      { text: 'Invoice number', x: left, row: 7, bold: true },
      { text: 'Issue date', x: 200, row: 7, bold: true },
      ...(facts.dueDate ? [{ text: 'Due date', x: 350, row: 7, bold: true }] : []),
      { text: facts.invoiceNumber!, x: left, row: 8 },
      { text: date(facts.issueDate), x: 200, row: 8 },
      ...(facts.dueDate ? [{ text: date(facts.dueDate), x: 350, row: 8 }] : []),
      ...(facts.lineItems.length > 0 ? itemTable(context, 11, ['Item', 'Hours', 'Rate', 'Amount'], false) : []),
    ];
    let row = 13 + facts.lineItems.length;
    const code = ` ${facts.currency}`;
    if (facts.subtotal !== null) items.push({ text: 'Sub-total', x: 330, row }, { text: `${money(facts.subtotal)}${code}`, x: right, row: row++, align: 'right' });
    if (facts.tax !== null) items.push({ text: `Tax (${facts.taxRate}%)`, x: 330, row }, { text: `${money(facts.tax)}${code}`, x: right, row: row++, align: 'right' });
    items.push({ text: 'Amount due', x: 330, row, bold: true }, { text: `${money(facts.total!)}${code}`, x: right, row, bold: true, align: 'right' });
    return [{ items }];
  },
  /** A short letter-like invoice: no table, symbols on amounts. */
  minimal: (context) => {
    const { facts, dateStyle, money } = context;
    const date = (iso: string) => formatDate(iso, dateStyle, facts.currency);
    const symbol = symbols[facts.currency];
    const items: Placed[] = [
      ...headerBlock(facts, 0),
      { text: `Invoice #${facts.invoiceNumber}`, x: left, row: 5, size: 13, bold: true },
      { text: `Issued: ${date(facts.issueDate)}`, x: left, row: 6 },
      ...(facts.dueDate ? [{ text: `Payment due by ${date(facts.dueDate)}`, x: left, row: 7 }] : []),
      { text: `Customer: ${facts.buyer}`, x: left, row: 9 },
      { text: 'Thank you for your business. Please quote the invoice number with your payment.', x: left, row: 11, size: 9 },
    ];
    let row = 13;
    if (facts.subtotal !== null) items.push({ text: `Net amount: ${symbol}${money(facts.subtotal)}`, x: left, row: row++ });
    if (facts.tax !== null) items.push({ text: `VAT (${facts.taxRate}%): ${symbol}${money(facts.tax)}`, x: left, row: row++ });
    items.push({ text: `Total: ${symbol}${money(facts.total!)}`, x: left, row, bold: true });
    return [{ items }];
  },
  /** Continental conventions: amounts like 1.234,56 €, "Total incl. VAT", a position column. */
  continental: (context) => {
    const { facts, dateStyle, money } = context;
    const date = (iso: string) => formatDate(iso, dateStyle, facts.currency);
    const items: Placed[] = [
      ...headerBlock(facts, 0),
      { text: 'Sold to', x: 330, row: 0, bold: true },
      { text: facts.buyer!, x: 330, row: 1 },
      { text: `Invoice no. ${facts.invoiceNumber}`, x: left, row: 5, bold: true },
      { text: `Invoice date: ${date(facts.issueDate)}`, x: left, row: 6 },
      ...(facts.dueDate ? [{ text: `Payable by: ${date(facts.dueDate)}`, x: left, row: 7 }] : []),
    ];
    if (facts.lineItems.length > 0) {
      const row = 9;
      items.push(
        { text: 'Pos', x: left, row, bold: true },
        { text: 'Description', x: 80, row, bold: true },
        { text: 'Quantity', x: 330, row, bold: true, align: 'right' },
        { text: 'Price', x: 430, row, bold: true, align: 'right' },
        { text: 'Total', x: right, row, bold: true, align: 'right' },
      );
      facts.lineItems.forEach((item, i) => {
        items.push(
          { text: String(i + 1), x: left, row: row + 1 + i },
          { text: item.description, x: 80, row: row + 1 + i },
          { text: String(item.quantity), x: 330, row: row + 1 + i, align: 'right' },
          { text: `${money(item.unitPrice!)} ${symbols[facts.currency]}`, x: 430, row: row + 1 + i, align: 'right' },
          { text: `${money(item.amount!)} ${symbols[facts.currency]}`, x: right, row: row + 1 + i, align: 'right' },
        );
      });
    }
    items.push(
      ...summaryBlock(
        context,
        11 + facts.lineItems.length,
        { subtotal: 'Net total', tax: (rate) => `VAT ${rate}%`, total: facts.tax !== null ? 'Total incl. VAT' : 'Total' },
        ` ${symbols[facts.currency]}`,
      ),
    );
    return [{ items }];
  },
  /** Title first, issuer below it, a pipe-free table with currency symbols, "Balance due". */
  statement: (context) => {
    const { facts, dateStyle } = context;
    const date = (iso: string) => formatDate(iso, dateStyle, facts.currency);
    const items: Placed[] = [
      { text: 'INVOICE', x: left, row: 0, size: 20, bold: true },
      ...headerBlock(facts, 2),
      { text: 'Invoice #', x: 360, row: 2 },
      { text: facts.invoiceNumber!, x: 450, row: 2 },
      { text: 'Invoice Date', x: 360, row: 3 },
      { text: date(facts.issueDate), x: 450, row: 3 },
      ...(facts.dueDate ? [{ text: 'Due Date', x: 360, row: 4 }, { text: date(facts.dueDate), x: 450, row: 4 }] : []),
      { text: 'Billed To', x: left, row: 7, bold: true },
      { text: facts.buyer!, x: left, row: 8 },
      ...(facts.lineItems.length > 0 ? itemTable(context, 11, ['Description', 'Quantity', 'Unit price', 'Line total'], true) : []),
      ...summaryBlock(context, 13 + facts.lineItems.length, { subtotal: 'Subtotal', tax: (rate) => `Sales tax ${rate}%`, total: 'Balance Due' }, ` ${facts.currency}`),
    ];
    return [{ items }];
  },
};

/** A plain-text-only layout: a Markdown-style table with pipes. */
function markdownText(context: LayoutContext): string {
  const { facts, dateStyle, money } = context;
  const date = (iso: string) => formatDate(iso, dateStyle, facts.currency);
  const lines = [
    `# ${facts.issuer}`,
    '',
    `Invoice number: ${facts.invoiceNumber}`,
    `Invoice date: ${date(facts.issueDate)}`,
    ...(facts.dueDate ? [`Due date: ${date(facts.dueDate)}`] : []),
    `Client: ${facts.buyer}`,
    `Currency: ${facts.currency}`,
    '',
  ];
  if (facts.lineItems.length > 0) {
    lines.push('| Description | Qty | Unit price | Amount |', '|---|---:|---:|---:|');
    for (const item of facts.lineItems) lines.push(`| ${item.description} | ${item.quantity} | ${money(item.unitPrice!)} | ${money(item.amount!)} |`);
    lines.push('');
  }
  if (facts.subtotal !== null) lines.push(`Subtotal: ${money(facts.subtotal)}`);
  if (facts.tax !== null) lines.push(`VAT (${facts.taxRate}%): ${money(facts.tax)}`);
  lines.push(`**Grand total: ${money(facts.total!)} ${facts.currency}**`, '');
  return lines.join('\n');
}

// --- rendering ------------------------------------------------------------------------------

const lineHeight = 16;
const top = 790;
/** Points per character column in the text rendering; matches pdf.ts's text layer rebuild. */
const columnWidth = 5;

async function renderPdf(pages: Page[], title: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setProducer('docbatch sample generator');
  pdf.setCreator('docbatch');
  const fixed = new Date(Date.UTC(2024, 0, 1));
  pdf.setCreationDate(fixed);
  pdf.setModificationDate(fixed);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  for (const model of pages) {
    const page = pdf.addPage([595, 842]);
    for (const item of model.items) {
      const font: PDFFont = item.bold ? bold : regular;
      const size = item.size ?? 10;
      const width = font.widthOfTextAtSize(item.text, size);
      const x = item.align === 'right' ? item.x - width : item.x;
      page.drawText(item.text, { x, y: top - item.row * lineHeight, size, font, color: rgb(0.1, 0.1, 0.1) });
    }
  }
  return pdf.save({ useObjectStreams: false });
}

function renderText(pages: Page[]): string {
  const out: string[] = [];
  for (const model of pages) {
    const rows = new Map<number, Placed[]>();
    for (const item of model.items) rows.set(item.row, [...(rows.get(item.row) ?? []), item]);
    const last = Math.max(...rows.keys());
    for (let row = 0; row <= last; row++) {
      const placed = (rows.get(row) ?? [])
        .map((item) => ({ item, column: Math.round((item.align === 'right' ? item.x - item.text.length * columnWidth : item.x) / columnWidth) - left / columnWidth }))
        .sort((a, b) => a.column - b.column);
      let line = '';
      for (const { item, column } of placed) {
        line += ' '.repeat(Math.max(line === '' ? column : 2, column - line.length));
        line += item.text;
      }
      out.push(line.trimEnd());
    }
  }
  return `${out.join('\n')}\n`;
}

async function renderPngPages(pdfBytes: Uint8Array, scale: number): Promise<{ png: Buffer; jpeg: Buffer }> {
  const pdf = await getDocument({ data: pdfBytes.slice(), isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
  const page = await pdf.getPage(1);
  const png = await renderPagePng(pdf, page, scale);
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  const jpeg = canvas.toBuffer('image/jpeg', 80);
  await pdf.destroy();
  return { png, jpeg };
}

// --- the sample set -------------------------------------------------------------------------

function expectedFields(facts: InvoiceFacts): Invoice {
  const { taxRate: _taxRate, ...invoice } = facts;
  return invoice;
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const name of await readdir(outDir)) await rm(join(outDir, name));

  const expected: Record<string, Invoice> = {};
  const layoutNames = Object.keys(layouts);
  const dateStyles: DateStyle[] = ['iso', 'slash', 'dots', 'long-us', 'day-month', 'ordinal'];
  let ocrSource: { facts: InvoiceFacts; pdf: Uint8Array }[] = [];

  for (let index = 0; index < sampleCount; index++) {
    const facts = makeFacts(index, { items: index % 5 !== 2, tax: index % 4 !== 1, due: index % 3 !== 0 });
    const markdown = index % 9 === 4;
    const layoutName = markdown ? 'markdown' : layoutNames[index % layoutNames.length]!;
    const dateStyle = layoutName === 'continental' ? pick<DateStyle>(['dots', 'iso', 'day-month']) : dateStyles[index % dateStyles.length]!;
    const comma = layoutName === 'continental' && facts.currency === 'EUR';
    const grouping = index % 7 !== 3;
    const context: LayoutContext = { facts, dateStyle, money: (value) => formatMoney(value, comma ? 'comma' : 'point', grouping) };
    const stem = `invoice-${String(index + 1).padStart(2, '0')}-${layoutName}`;

    if (markdown) {
      await writeFile(join(outDir, `${stem}.md`), markdownText(context));
      expected[`${stem}.md`] = expectedFields(facts);
      continue;
    }
    const pages = layouts[layoutName]!(context);
    if (index % 2 === 0) {
      const pdf = await renderPdf(pages, `Invoice ${facts.invoiceNumber}`);
      await writeFile(join(outDir, `${stem}.pdf`), pdf);
      expected[`${stem}.pdf`] = expectedFields(facts);
      if (ocrSource.length < 3 && facts.lineItems.length <= 3) ocrSource.push({ facts, pdf });
    } else {
      await writeFile(join(outDir, `${stem}.txt`), renderText(pages));
      expected[`${stem}.txt`] = expectedFields(facts);
    }
  }

  // Images for OCR, and a scanned PDF: the same invoices rendered to pixels, no text layer.
  ocrSource = ocrSource.slice(0, 3);
  for (const [i, { facts, pdf }] of ocrSource.entries()) {
    const { png, jpeg } = await renderPngPages(pdf, i < 2 ? 1.6 : 2.2);
    if (i < 2) {
      const name = `scan-${String(i + 1).padStart(2, '0')}.png`;
      await writeFile(join(outDir, name), png);
      expected[name] = expectedFields(facts);
    } else {
      const scanned = await PDFDocument.create();
      const fixed = new Date(Date.UTC(2024, 0, 1));
      scanned.setCreationDate(fixed);
      scanned.setModificationDate(fixed);
      const image = await scanned.embedJpg(jpeg);
      const page = scanned.addPage([595, 842]);
      page.drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
      const name = 'scan-03-image-only.pdf';
      await writeFile(join(outDir, name), await scanned.save({ useObjectStreams: false }));
      expected[name] = expectedFields(facts);
    }
  }

  await writeBrokenSamples();
  await writeFile(join(outDir, '..', 'expected.json'), `${JSON.stringify(sortKeys(expected), null, 2)}\n`);
  console.log(`wrote ${Object.keys(expected).length} good samples and 7 broken ones to ${outDir}`);
}

async function writeBrokenSamples(): Promise<void> {
  // Header says PDF, the rest is garbage: no xref, no objects.
  const garbage = Buffer.alloc(600);
  for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(random() * 256);
  await writeFile(join(outDir, 'broken-corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), garbage]));

  await writeFile(join(outDir, 'broken-empty.txt'), '');

  // A real PDF whose trailer names a Standard security handler: readers ask for a password.
  const locked = await PDFDocument.create();
  locked.setCreationDate(new Date(Date.UTC(2024, 0, 1)));
  locked.setModificationDate(new Date(Date.UTC(2024, 0, 1)));
  locked.addPage([595, 842]).drawText('Invoice INV-SECRET-1  Total 100.00', { x: 50, y: 780, size: 12, font: await locked.embedFont(StandardFonts.Helvetica) });
  const filled = (byte: number) => PDFHexString.of(Buffer.alloc(32, byte).toString('hex'));
  const encrypt = locked.context.obj({ Filter: 'Standard', V: 1, R: 2, Length: 40, P: -3904, O: filled(0x4f), U: filled(0x55) });
  locked.context.trailerInfo.Encrypt = locked.context.register(encrypt);
  locked.context.trailerInfo.ID = locked.context.obj([filled(0x11), filled(0x11)]);
  await writeFile(join(outDir, 'broken-encrypted.pdf'), await locked.save({ useObjectStreams: false }));

  // A Word document (a ZIP container) — docbatch does not read Office formats.
  const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('[Content_Types].xml word/document.xml', 'latin1'), Buffer.alloc(64, 0)]);
  await writeFile(join(outDir, 'broken-word-document.docx'), zip);

  const noise = Buffer.alloc(512);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(random() * 256);
  noise[0] = 0x00;
  await writeFile(join(outDir, 'broken-random-bytes.bin'), noise);

  await writeFile(join(outDir, 'broken-text-named-pdf.pdf'), 'Invoice INV-2024-0001\nTotal: 120.00 EUR\nThis is a text file saved with a .pdf extension.\n');

  await writeFile(
    join(outDir, 'broken-not-an-invoice.txt'),
    'Meeting notes\n\nAttendees: Ana, Ben, Chloe\nWe agreed to move the quarterly review to the spring.\nAction: Ben prepares the agenda.\n',
  );
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

await main();
