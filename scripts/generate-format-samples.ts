/**
 * Writes samples/formats/: the bundled invoices in the other formats real backlogs hold — a
 * two-page TIFF scan, a BMP, a HEIC phone photo, an HTML e-mail, a Word document — and
 * e-invoices (CII and UBL XML files, a UBL credit note, PDFs carrying Factur-X and ZUGFeRD 1.0
 * XML, and one whose XML is damaged), with samples/formats/expected.json. Built from
 * samples/invoices and samples/expected.json, deterministically.
 *
 *   node --import tsx scripts/generate-format-samples.ts
 *
 * The HEIC sample needs `heif-enc` (Debian: libheif-examples); without it the existing file is kept.
 */
import { execFileSync } from 'node:child_process';
import { readFile, mkdir, writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encode as encodeBmp } from 'bmp-ts';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { zipSync, zlibSync, strToU8 } from 'fflate';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import UTIF from 'utif2';
import { withPdf, renderPagePng } from '../src/extraction/pdf';
import type { Invoice } from '../src/extraction/schemas/invoice';
import { attachInvoiceXml, ciiXml, ublXml, zugferd1Xml } from '../test/helpers/einvoice';

const invoicesDir = resolve('samples/invoices');
const outDir = resolve('samples/formats');
const expectedAll = JSON.parse(await readFile(resolve('samples/expected.json'), 'utf8')) as Record<string, Invoice>;

interface Gray {
  width: number;
  height: number;
  data: Uint8Array;
}

async function renderGray(pdfBytes: Uint8Array, scale: number): Promise<Gray[]> {
  const pages = await withPdf({ path: 'sample', mediaType: 'application/pdf', bytes: Buffer.from(pdfBytes) }, async (pdf) => {
    const out: Buffer[] = [];
    for (let number = 1; number <= pdf.numPages; number++) out.push(await renderPagePng(pdf, await pdf.getPage(number), scale));
    return out;
  });
  return pages.map((png) => {
    const image = decodePng(png);
    const channels = image.channels;
    const data = new Uint8Array(image.width * image.height);
    for (let i = 0; i < data.length; i++) data[i] = Math.round((image.data[i * channels]! * 299 + image.data[i * channels + 1]! * 587 + image.data[i * channels + 2]! * 114) / 1000);
    return { width: image.width, height: image.height, data };
  });
}

/** A multi-page grayscale TIFF, Deflate-compressed (compression 8), one strip a page; IFDs written by utif2. */
function tiffOf(pages: Gray[]): Buffer {
  const strips = pages.map((page) => zlibSync(page.data, { level: 9 }));
  const ifds = (offsets: number[]) =>
    pages.map((page, i) => ({
      t256: [page.width], t257: [page.height], t258: [8], t259: [8], t262: [1], t273: [offsets[i]!], t277: [1], t278: [page.height], t279: [strips[i]!.length],
      t282: [[200, 1]], t283: [[200, 1]], t296: [2],
    }));
  const prefixLength = UTIF.encode(ifds(pages.map(() => 0)) as never).byteLength;
  const offsets: number[] = [];
  let offset = prefixLength;
  for (const strip of strips) {
    offsets.push(offset);
    offset += strip.length;
  }
  return Buffer.concat([Buffer.from(UTIF.encode(ifds(offsets) as never)), ...strips.map((strip) => Buffer.from(strip))]);
}

/** The page cropped to its ink (plus a margin): what a receipt scanner keeps. */
function cropToContent(page: Gray, margin = 24): Gray {
  let top = page.height, bottom = 0, left = page.width, right = 0;
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      if (page.data[y * page.width + x]! < 200) {
        top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  top = Math.max(0, top - margin); left = Math.max(0, left - margin);
  bottom = Math.min(page.height - 1, bottom + margin); right = Math.min(page.width - 1, right + margin);
  const width = right - left + 1, height = bottom - top + 1;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(page.data.subarray((top + y) * page.width + left, (top + y) * page.width + left + width), y * width);
  return { width, height, data };
}

function bmpOf(page: Gray): Buffer {
  // bmp-ts takes ABGR bytes.
  const data = Buffer.alloc(page.width * page.height * 4);
  for (let i = 0; i < page.width * page.height; i++) {
    data.fill(page.data[i]!, i * 4 + 1, i * 4 + 4);
    data[i * 4] = 255;
  }
  return encodeBmp({ width: page.width, height: page.height, data, bitPP: 24 }).data;
}

function pngOf(page: Gray): Buffer {
  const rgba = new Uint8Array(page.width * page.height * 4);
  for (let i = 0; i < page.width * page.height; i++) {
    rgba.fill(page.data[i]!, i * 4, i * 4 + 3);
    rgba[i * 4 + 3] = 255;
  }
  return Buffer.from(encodePngImage(page.width, page.height, rgba));
}

function encodePngImage(width: number, height: number, data: Uint8Array): Uint8Array {
  return encodePng({ width, height, data, channels: 4, depth: 8 });
}

/** A second page a scanner picks up after the invoice: terms and bank details, no invoice fields. */
async function termsPage(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  ['Terms and conditions', '', 'Payment by bank transfer within the agreed term.', 'Late payments accrue interest at the statutory rate.', 'Goods remain our property until paid in full.', '', 'Thank you for your business.'].forEach((line, i) =>
    page.drawText(line, { x: 60, y: 770 - i * 18, size: 12, font }),
  );
  return pdf.save();
}

const money = (value: number | null) => (value === null ? '' : value.toFixed(2));

function htmlOf(invoice: Invoice): string {
  const rows = invoice.lineItems.map((item) => `<tr><td>${item.description}</td><td align="right">${item.quantity ?? ''}</td><td align="right">${money(item.unitPrice)}</td><td align="right">${money(item.amount)}</td></tr>`).join('\n        ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Your invoice ${invoice.invoiceNumber}</title>
  <style>body { font-family: Arial, sans-serif; } .hidden-tracking { display: none } td { padding: 4px 12px; }</style>
  <script>window.analytics = { track: function () { return 'Total: 999999.99'; } };</script>
</head>
<body>
  <div class="header"><h1>${invoice.issuer}</h1><p>Thank you for your order. Your invoice is below.</p></div>
  <table>
    <tr><td>Invoice Number:</td><td>${invoice.invoiceNumber}</td></tr>
    <tr><td>Invoice Date:</td><td>${invoice.issueDate}</td></tr>
    ${invoice.dueDate ? `<tr><td>Due Date:</td><td>${invoice.dueDate}</td></tr>` : ''}
    <tr><td>Bill To:</td><td>${invoice.buyer}</td></tr>
  </table>
  <table>
    <thead><tr><th>Description</th><th>Qty</th><th>Unit Price</th><th>Amount</th></tr></thead>
    <tbody>
        ${rows}
    </tbody>
  </table>
  <table>
    ${invoice.subtotal !== null ? `<tr><td>Subtotal:</td><td align="right">${money(invoice.subtotal)} ${invoice.currency}</td></tr>` : ''}
    ${invoice.tax !== null ? `<tr><td>Tax:</td><td align="right">${money(invoice.tax)} ${invoice.currency}</td></tr>` : ''}
    <tr><td><b>Total:</b></td><td align="right"><b>${money(invoice.total)} ${invoice.currency}</b></td></tr>
  </table>
  <p><a href="https://example.com/pay?invoice=${invoice.invoiceNumber}">Pay online</a></p>
  <noscript>Enable JavaScript to see your account.</noscript>
</body>
</html>
`;
}

/** A minimal valid WordprocessingML package: paragraphs and a line-item table. */
function docxOf(invoice: Invoice): Buffer {
  const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const paragraph = (text: string, bold = false) => `<w:p><w:r>${bold ? '<w:rPr><w:b/></w:rPr>' : ''}<w:t xml:space="preserve">${escape(text)}</w:t></w:r></w:p>`;
  const cell = (text: string) => `<w:tc><w:p><w:r><w:t xml:space="preserve">${escape(text)}</w:t></w:r></w:p></w:tc>`;
  const row = (cells: string[]) => `<w:tr>${cells.map(cell).join('')}</w:tr>`;
  const body = [
    paragraph(invoice.issuer ?? '', true),
    paragraph('INVOICE', true),
    paragraph(`Invoice No: ${invoice.invoiceNumber}`),
    paragraph(`Date: ${invoice.issueDate}`),
    ...(invoice.dueDate ? [paragraph(`Due Date: ${invoice.dueDate}`)] : []),
    paragraph(`Bill To: ${invoice.buyer}`),
    `<w:tbl>${row(['Description', 'Qty', 'Unit Price', 'Amount'])}${invoice.lineItems.map((item) => row([item.description, String(item.quantity ?? ''), money(item.unitPrice), money(item.amount)])).join('')}</w:tbl>`,
    ...(invoice.subtotal !== null ? [paragraph(`Subtotal: ${money(invoice.subtotal)} ${invoice.currency}`)] : []),
    ...(invoice.tax !== null ? [paragraph(`Tax: ${money(invoice.tax)} ${invoice.currency}`)] : []),
    paragraph(`Total: ${money(invoice.total)} ${invoice.currency}`, true),
  ].join('');
  const files = {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  };
  const fixed = new Date(Date.UTC(2024, 0, 1));
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, [strToU8(content), { mtime: fixed }]]))));
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const expected: Record<string, Invoice> = {};
  const source = (name: string) => readFile(join(invoicesDir, name));
  const facts = (name: string) => expectedAll[name]!;

  // A two-page TIFF scan (invoice, then a terms page), 200 dpi grayscale, Deflate.
  const [invoicePage] = await renderGray(await source('invoice-03-minimal.pdf'), 200 / 72);
  const [terms] = await renderGray(await termsPage(), 200 / 72);
  await writeFile(join(outDir, 'scan-two-pages.tiff'), tiffOf([invoicePage!, terms!]));
  expected['scan-two-pages.tiff'] = facts('invoice-03-minimal.pdf');

  // A BMP receipt scan, cropped to its content.
  const [bmpPage] = await renderGray(await source('invoice-13-minimal.pdf'), 1.8);
  await writeFile(join(outDir, 'scan-receipt.bmp'), bmpOf(cropToContent(bmpPage!)));
  expected['scan-receipt.bmp'] = facts('invoice-13-minimal.pdf');

  // A HEIC "phone photo" (HEVC-coded by libheif's heif-enc).
  const [photo] = await renderGray(await source('invoice-33-minimal.pdf'), 2);
  const work = await mkdtemp(join(tmpdir(), 'docbatch-heic-'));
  try {
    await writeFile(join(work, 'photo.png'), pngOf(cropToContent(photo!, 40)));
    execFileSync('heif-enc', ['--quality', '90', '-o', join(work, 'photo.heic'), join(work, 'photo.png')], { stdio: 'ignore' });
    await writeFile(join(outDir, 'photo-receipt.heic'), await readFile(join(work, 'photo.heic')));
  } catch (error) {
    console.warn(`heif-enc unavailable, photo-receipt.heic kept as it is: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  expected['photo-receipt.heic'] = facts('invoice-33-minimal.pdf');

  await writeFile(join(outDir, 'email-invoice.html'), htmlOf(facts('invoice-06-classic.txt')));
  expected['email-invoice.html'] = facts('invoice-06-classic.txt');
  await writeFile(join(outDir, 'word-invoice.docx'), docxOf(facts('invoice-10-statement.txt')));
  expected['word-invoice.docx'] = facts('invoice-10-statement.txt');

  // E-invoices: standalone XML, and the bundled PDFs with their XML attached.
  await writeFile(join(outDir, 'xrechnung-cii.xml'), ciiXml(facts('invoice-11-classic.pdf')));
  expected['xrechnung-cii.xml'] = facts('invoice-11-classic.pdf');
  await writeFile(join(outDir, 'peppol-ubl-invoice.xml'), ublXml(facts('invoice-21-classic.pdf')));
  expected['peppol-ubl-invoice.xml'] = facts('invoice-21-classic.pdf');
  await writeFile(join(outDir, 'peppol-ubl-credit-note.xml'), ublXml(facts('invoice-25-statement.pdf'), { creditNote: true }));
  expected['peppol-ubl-credit-note.xml'] = facts('invoice-25-statement.pdf');
  await writeFile(join(outDir, 'factur-x.pdf'), await attachInvoiceXml(await source('invoice-01-classic.pdf'), ciiXml(facts('invoice-01-classic.pdf')), 'factur-x.xml'));
  expected['factur-x.pdf'] = facts('invoice-01-classic.pdf');
  await writeFile(join(outDir, 'zugferd-1.0.pdf'), await attachInvoiceXml(await source('invoice-07-two-column.pdf'), zugferd1Xml(facts('invoice-07-two-column.pdf')), 'ZUGFeRD-invoice.xml'));
  expected['zugferd-1.0.pdf'] = facts('invoice-07-two-column.pdf');
  const damaged = ciiXml(facts('invoice-09-continental.pdf')).slice(0, 900);
  await writeFile(join(outDir, 'factur-x-damaged-xml.pdf'), await attachInvoiceXml(await source('invoice-09-continental.pdf'), damaged, 'factur-x.xml'));
  expected['factur-x-damaged-xml.pdf'] = facts('invoice-09-continental.pdf');

  const sorted = Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b)));
  await writeFile(join(outDir, 'expected.json'), `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`wrote ${Object.keys(expected).length} format samples to ${outDir}`);
}

await main();
