/**
 * Printed e-invoices for bench/printed-einvoices.ts: an e-invoice XML (CII or UBL) turned into the
 * PDF a person receives when the invoice is printed, by the tools that print them in practice —
 * the XRechnung visualisation of KoSIT (XSL-FO through Apache FOP, in German, English or French)
 * and its HTML view printed by a browser — as shipped in Mustang's command line
 * (org.mustangproject:Mustang-CLI from Maven Central, run with the machine's Java), and the inputs
 * that are public: the e-invoice examples in the factur-x package's source (PyPI).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { debianChromium, ensureChromium } from '../test/helpers/ensure-chromium';
import { downloaded, pypiRelease } from './registry-files';

const execFileAsync = promisify(execFile);

export const MUSTANG_VERSION = '2.26.0';
const mustangUrl = `https://repo.maven.apache.org/maven2/org/mustangproject/Mustang-CLI/${MUSTANG_VERSION}/Mustang-CLI-${MUSTANG_VERSION}.jar`;

/** Mustang's command line jar, from Maven Central (its .sha1 beside it). */
export async function mustangJar(cacheDir: string): Promise<string> {
  const sha1 = (await (await fetch(`${mustangUrl}.sha1`)).text()).trim().split(/\s+/)[0]!;
  return downloaded(mustangUrl, cacheDir, { algorithm: 'sha1', hex: sha1 });
}

/** The factur-x package's example e-invoices (tests/fixtures/xml of its sdist on PyPI), unpacked into `cacheDir`. */
export async function facturXExamples(cacheDir: string, version = '7.8'): Promise<string[]> {
  const archive = await pypiRelease(cacheDir, 'factur-x', version, 'sdist');
  const root = path.join(cacheDir, `factur_x-${version}`);
  const fixtures = path.join(root, 'tests', 'fixtures', 'xml');
  if (!existsSync(fixtures)) await execFileAsync('tar', ['-xzf', archive, '-C', cacheDir, `factur_x-${version}/tests/fixtures`]);
  return (await readdir(fixtures)).filter((name) => name.endsWith('.xml')).map((name) => path.join(fixtures, name));
}

export type PrintLanguage = 'de' | 'en' | 'fr';

/** How an XML becomes a PDF: KoSIT's print layout (FOP), or its web view printed by chromium. */
export type PrintKind = { tool: 'xrechnung-pdf' | 'xrechnung-html'; language: PrintLanguage };

export const printKinds: PrintKind[] = [
  { tool: 'xrechnung-pdf', language: 'de' },
  { tool: 'xrechnung-pdf', language: 'fr' },
  { tool: 'xrechnung-pdf', language: 'en' },
  { tool: 'xrechnung-html', language: 'de' },
  { tool: 'xrechnung-html', language: 'fr' },
];

export const printKindName = (kind: PrintKind) => `${kind.tool} ${kind.language}`;

/**
 * The XML printed as `kind` into `outDir`; null when Mustang cannot visualise it (it says why on
 * stderr). The HTML view loads its CSS and script from its working directory, so it runs in `outDir`.
 */
export async function printEInvoice(options: { jar: string; xml: string; kind: PrintKind; outDir: string; browser: Browser }): Promise<{ pdf: string } | { problem: string }> {
  const { jar, xml, kind, outDir, browser } = options;
  await mkdir(outDir, { recursive: true });
  const content = createHash('sha256').update(await readFile(xml)).digest('hex').slice(0, 12);
  const base = path.join(outDir, `${path.basename(xml, '.xml')}-${content}.${kind.tool}.${kind.language}`);
  const pdf = `${base}.pdf`;
  if (existsSync(pdf)) return { pdf };
  const source = path.join(outDir, path.basename(xml));
  await copyFile(xml, source);
  const action = kind.tool === 'xrechnung-pdf' ? ['--action', 'pdf', '--out', pdf] : ['--action', 'visualize', '--out', `${base}.html`];
  try {
    await execFileAsync('java', ['-jar', jar, ...action, '--language', kind.language, '--source', source, '--disable-file-logging'], { cwd: outDir, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    return { problem: `mustang ${action[1]} failed: ${String((error as { stderr?: string }).stderr ?? error).trim().split('\n').slice(-2).join(' ')}` };
  }
  if (kind.tool === 'xrechnung-html') {
    if (!existsSync(`${base}.html`)) return { problem: 'mustang visualize wrote no HTML' };
    const page = await browser.newPage();
    try {
      await page.goto(`file://${base}.html`);
      await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    } finally {
      await page.close();
    }
  }
  return existsSync(pdf) ? { pdf } : { problem: 'no PDF written' };
}

/** Chromium found (or installed) the way the browser tests find it (test/helpers/ensure-chromium.ts). */
export function launchBrowser(): Promise<Browser> {
  const found = ensureChromium({ path: process.env.CHROMIUM_PATH ?? debianChromium, log: (message) => console.error(message) });
  if (!found.ok) throw new Error(found.problem);
  return chromium.launch({ executablePath: found.path, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** Whether Java runs here (Mustang needs it). */
export async function javaVersion(): Promise<string | null> {
  try {
    const { stderr } = await execFileAsync('java', ['-version']);
    return stderr.split('\n')[0] ?? '';
  } catch {
    return null;
  }
}
