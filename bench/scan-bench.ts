/**
 * What the scan benches share (bench/scans.ts for invoices, bench/receipt-scans.ts for till
 * receipts): the OCR settings they compare by name, picking rows, columns and documents, reading a
 * scan's pages through the worker's OCR, and the table and JSON they leave.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { joinPageTexts, type DocumentText } from '../src/extraction/formats/text-block';
import { recognizeText } from '../src/extraction/ocr';
import type { OcrText } from '../src/extraction/ocr-layout';
import { noOcrPreparation, ocrPreparationSteps, type OcrPreparation } from '../src/extraction/ocr-input/steps';
import { defaultOcrSettings, type OcrSettings } from '../src/extraction/ocr-settings';

const allSteps: OcrPreparation = { grayscale: true, crop: true, flatten: true, contrast: true, deskew: true, upscale: true, binarize: true };
const english = (preparation: OcrPreparation): OcrSettings => ({ preparation, languages: 'english', segmentation: 'auto' });

/** The OCR settings compared: preparation steps with English, then the language strategies with the default steps. */
export const ocrSettingsByName: Record<string, OcrSettings> = {
  'no preparation': english(noOcrPreparation),
  ...Object.fromEntries(ocrPreparationSteps.map((step) => [`+${step}`, english({ ...noOcrPreparation, [step]: true })])),
  'all steps': english(allSteps),
  'default steps / English': english(defaultOcrSettings.preparation),
  'default steps / all languages': { preparation: defaultOcrSettings.preparation, languages: 'all', segmentation: 'auto' },
  'default steps / detected language': { preparation: defaultOcrSettings.preparation, languages: 'detected', segmentation: 'auto' },
  default: defaultOcrSettings,
  'default without crop': { ...defaultOcrSettings, preparation: { ...defaultOcrSettings.preparation, crop: false } },
  // The default before the light was evened out (flatten), 2026-12-08.
  'default without flatten': { ...defaultOcrSettings, preparation: { ...defaultOcrSettings.preparation, flatten: false } },
  'default with automatic segmentation': { ...defaultOcrSettings, segmentation: 'auto' },
  // The default before receipts were measured: no crop, automatic segmentation.
  'default of 2026-12-07': { ...defaultOcrSettings, preparation: { ...defaultOcrSettings.preparation, crop: false, flatten: false }, segmentation: 'auto' },
};

/** The entries of `all` named in a comma-separated list, in `all`'s order; every entry without a list. */
export function pick<T>(all: Record<string, T>, names: string | undefined): [string, T][] {
  const chosen = Object.entries(all).filter(([name]) => names === undefined || names.split(',').includes(name));
  const unknown = names?.split(',').filter((name) => !Object.hasOwn(all, name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown: ${unknown.join(', ')}; choose from ${Object.keys(all).join(', ')}`);
  return chosen;
}

/** `limit` items spread evenly over a list (corpora are sorted by language), not its first `limit`. */
export function spread<T>(list: readonly T[], limit: number | undefined): T[] {
  const count = Math.min(list.length, limit ?? list.length);
  return Array.from({ length: count }, (_, i) => list[Math.floor((i * list.length) / count)]!);
}

/** A scan's pages read through the worker's OCR with `setting`, joined as a document's text, and the OCR time. */
export async function readScan(pages: readonly Buffer[], setting: OcrSettings): Promise<DocumentText & { ms: number }> {
  const texts: OcrText[] = [];
  const started = performance.now();
  for (const page of pages) texts.push(await recognizeText(page, setting));
  return { ...joinPageTexts(texts), ms: performance.now() - started };
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** Saves a bench's figures as bench/results/<name>-<time>.json and returns the file. */
export async function saveResults(name: string, results: unknown): Promise<string> {
  const outDir = join(import.meta.dirname, 'results');
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${name}-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.json`);
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}
