/**
 * Field accuracy of the offline extractor on printed e-invoices: PDFs with no XML inside, only the
 * printed page. Each e-invoice XML (the samples' and the factur-x package's examples) is printed the
 * ways e-invoices are printed in practice (einvoice-print.ts: KoSIT's XRechnung print layout in
 * German, French and English; its web view printed by chromium), the PDF is read from its text as
 * any PDF is (`documentText` + `parseInvoiceText`), and every field is compared with what the
 * e-invoice reader takes from the XML itself: the truth comes with the document.
 *
 *   node --import tsx bench/printed-einvoices.ts [--show]   (npm run bench:printed-einvoices)
 *
 * Needs Java (Mustang's command line) and chromium; downloads Mustang from Maven Central and the
 * factur-x source from PyPI once, into <DOCBATCH_HOME>/cache/bench/.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDocument } from '../src/extraction/document';
import { readInvoiceXml } from '../src/extraction/einvoice';
import { parseInvoiceText } from '../src/extraction/local/fields';
import type { Invoice } from '../src/extraction/schemas/invoice';
import { documentText, terminateOcr } from '../src/extraction/text';
import { docbatchHome } from '../src/temporal/paths';
import { percent, scoredFields as fields, scoreFields } from './einvoice-score';
import { facturXExamples, javaVersion, launchBrowser, mustangJar, printEInvoice, printKindName, printKinds, type PrintKind } from './einvoice-print';

const { values: options } = parseArgs({ options: { show: { type: 'boolean', default: false } } });

if (!(await javaVersion())) throw new Error('bench:printed-einvoices needs java on the PATH (Mustang prints the e-invoices)');
const cacheDir = path.join(docbatchHome(), 'cache', 'bench');
const jar = await mustangJar(cacheDir);
const samples = path.resolve('samples/formats');
const inputs = [
  ...(await readdir(samples)).filter((name) => name.endsWith('.xml')).map((name) => path.join(samples, name)),
  // Order-X examples are purchase orders, not invoices.
  ...(await facturXExamples(cacheDir)).filter((file) => !path.basename(file).startsWith('order-x')),
];

interface Row {
  kind: string;
  documents: number;
  right: number;
  total: number;
  missedByField: Record<string, number>;
  skipped: string[];
}
const rows = new Map<string, Row>(printKinds.map((kind) => [printKindName(kind), { kind: printKindName(kind), documents: 0, right: 0, total: 0, missedByField: {}, skipped: [] }]));
const browser = await launchBrowser();
// PDFs are kept between runs: a print is named by its XML's content (einvoice-print.ts).
const outDir = path.join(cacheDir, 'printed-einvoices');
try {
  for (const xml of inputs) {
    let truth: Record<string, unknown>;
    try {
      truth = readInvoiceXml(await readFile(xml, 'utf8')).data;
    } catch (error) {
      console.error(`${path.basename(xml)}: not read as an e-invoice (${error instanceof Error ? error.message : String(error)}), left out`);
      continue;
    }
    for (const kind of printKinds) await score(xml, truth, kind);
    process.stderr.write('.');
  }
} finally {
  await browser.close();
  await terminateOcr();
}

async function score(xml: string, truth: Record<string, unknown>, kind: PrintKind): Promise<void> {
  const row = rows.get(printKindName(kind))!;
  const printed = await printEInvoice({ jar, xml, kind, outDir, browser });
  if ('problem' in printed) {
    row.skipped.push(`${path.basename(xml)}: ${printed.problem}`);
    return;
  }
  let actual: Invoice;
  try {
    actual = parseInvoiceText(await documentText(await loadDocument(printed.pdf)));
  } catch (error) {
    // Mustang writes a broken PDF for what it cannot print (ZUGFeRD 1.0).
    row.skipped.push(`${path.basename(xml)}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  row.documents++;
  for (const { field, right, read, truth: stated } of scoreFields(actual, truth)) {
    row.total++;
    if (right) row.right++;
    else {
      row.missedByField[field] = (row.missedByField[field] ?? 0) + 1;
      if (options.show) console.log(`${path.basename(printed.pdf)} ${field}: read ${JSON.stringify(read)}, the XML says ${JSON.stringify(stated)}`);
    }
  }
}

const all = [...rows.values()];
const lines = [
  `| printed as | documents | fields right | ${fields.join(' | ')} |`,
  `| --- | --: | --: | ${fields.map(() => '--:').join(' | ')} |`,
  ...all.map((row) => `| ${row.kind} | ${row.documents} | ${percent(row.right, row.total)} | ${fields.map((field) => percent(row.documents - (row.missedByField[field] ?? 0), row.documents)).join(' | ')} |`),
];
const right = all.reduce((sum, row) => sum + row.right, 0);
const total = all.reduce((sum, row) => sum + row.total, 0);
console.log(`\n${inputs.length} e-invoice XMLs, each printed ${printKinds.length} ways; fields read from the printed PDF that equal the XML's:\n`);
console.log(lines.join('\n'));
console.log(`\nall: ${percent(right, total)} (${right} of ${total})`);
for (const row of all) for (const skipped of row.skipped) console.log(`skipped (${row.kind}) ${skipped}`);

const resultsDir = path.resolve('bench/results');
await mkdir(resultsDir, { recursive: true });
const json = JSON.stringify({ at: new Date().toISOString(), mustang: jar, inputs: inputs.map((file) => path.basename(file)), rows: all, right, total }, null, 2);
const file = path.join(resultsDir, `printed-einvoices-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, json);
await writeFile(path.join(resultsDir, 'latest-printed-einvoices.json'), json);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
