import { z } from 'zod';
import { OcrPreparation } from './ocr-input/steps';

/**
 * Which language models OCR reads a page with: `english` alone; `all` the languages the offline
 * extractor reads at once; `detected` English first, then, when the page's words are of another
 * of those languages (local/language.ts), that language with English again.
 */
export const OcrLanguages = z.enum(['english', 'all', 'detected']);
export type OcrLanguages = z.infer<typeof OcrLanguages>;

export const OcrSettings = z.object({ preparation: OcrPreparation, languages: OcrLanguages });
export type OcrSettings = z.infer<typeof OcrSettings>;

/** The worker's OCR: only what bench/scans.ts measured to help (docs/benchmarks.md, "Scans read offline"). */
export const defaultOcrSettings: OcrSettings = {
  preparation: { grayscale: true, contrast: false, deskew: true, upscale: true, binarize: false },
  languages: 'detected',
};
