import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Language } from './local/language';

/** Tesseract's code for each language the offline extractor reads (local/language.ts). */
export const tesseractLanguage: Record<Language, string> = { en: 'eng', de: 'deu', fr: 'fra', es: 'spa', it: 'ita', nl: 'nld', pl: 'pol', pt: 'por' };

/** Where a language's model is: its npm package @tesseract.js-data/<code>, best_int (the integer-quantised "best" LSTM model). */
function modelFile(code: string): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve(`@tesseract.js-data/${code}/package.json`));
  return join(packageDir, '4.0.0_best_int', `${code}.traineddata.gz`);
}

/**
 * A folder that holds every language's model, for tesseract.js's `langPath`: links to the files in
 * node_modules, so OCR never downloads anything. tesseract.js reads all languages from one folder
 * (its in-memory alternative, `{ code, data }` languages, fails to initialise in 7.0.0), and each
 * model comes in its own package.
 */
export function languageModelDir(): string {
  // One folder per install (named after where its models are): a link never outlives, or points into, another clone or package.
  const install = createHash('sha256').update(dirname(modelFile('eng'))).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `docbatch-ocr-models-${process.getuid?.() ?? 0}-${install}`);
  mkdirSync(dir, { recursive: true });
  for (const code of Object.values(tesseractLanguage)) {
    try {
      symlinkSync(modelFile(code), join(dir, `${code}.traineddata.gz`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return dir;
}
