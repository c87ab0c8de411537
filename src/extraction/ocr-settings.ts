import { z } from 'zod';
import { ENV, readEnv } from '../env';
import { noOcrPreparation, OcrPreparation } from './ocr-input/steps';

/**
 * Which language models OCR reads a page with: `english` alone; `all` the languages the offline
 * extractor reads at once; `detected` English first, then, when the page's words are of another
 * of those languages (local/language.ts), that language with English again.
 */
export const OcrLanguages = z.enum(['english', 'all', 'detected']);
export type OcrLanguages = z.infer<typeof OcrLanguages>;

/**
 * How tesseract finds the text on a page: `auto` its automatic page segmentation; `column` the
 * page as one column of lines (words go back on their visual lines by position either way,
 * ocr-layout.ts). Automatic segmentation splits a till receipt at its dashed rules into blocks and
 * drops right-aligned amounts it takes for another column's noise; a column reads them, and read
 * invoices as well (docs/benchmarks.md, "Receipt scans").
 */
export const OcrSegmentation = z.enum(['auto', 'column']);
export type OcrSegmentation = z.infer<typeof OcrSegmentation>;

export const OcrSettings = z.object({ preparation: OcrPreparation, languages: OcrLanguages, segmentation: OcrSegmentation });
export type OcrSettings = z.infer<typeof OcrSettings>;

/** The worker's OCR: only what bench/scans.ts and bench/receipt-scans.ts measured to help (docs/benchmarks.md, "Scans read offline", "Receipt scans"). */
export const defaultOcrSettings: OcrSettings = {
  preparation: { grayscale: true, crop: true, flatten: true, contrast: false, deskew: true, upscale: true, binarize: false },
  languages: 'detected',
  segmentation: 'column',
};

/** DOCBATCH_OCR: what a user chooses between, speed or fields (docs/benchmarks.md, "Scans read offline"). */
export const ocrModes = {
  accurate: defaultOcrSettings,
  fast: { preparation: noOcrPreparation, languages: 'english', segmentation: 'auto' },
} as const satisfies Record<string, OcrSettings>;

let chosen: OcrSettings | undefined;

/** The OCR settings of this process, from DOCBATCH_OCR (read once; a decoder process inherits the worker's environment). */
export function ocrSettingsFromEnv(env: Record<string, string | undefined> = process.env): OcrSettings {
  if (env === process.env && chosen) return chosen;
  const mode = readEnv('ocr', env) ?? 'accurate';
  if (!Object.hasOwn(ocrModes, mode)) throw new Error(`${ENV.ocr}=${mode} is not an OCR mode: use ${Object.keys(ocrModes).join(' or ')}`);
  const settings = ocrModes[mode as keyof typeof ocrModes];
  if (env === process.env) chosen = settings;
  return settings;
}
