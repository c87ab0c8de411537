import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';

/**
 * English LSTM model from the npm package @tesseract.js-data/eng, read from node_modules: OCR
 * never downloads anything at run time (cacheMethod 'none' also stops tesseract.js writing a copy
 * into the working directory).
 */
const englishModelDir = join(
  dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')),
  '4.0.0_best_int',
);

let sharedWorker: Promise<Worker> | undefined;

/**
 * One tesseract worker per process, created on first use: starting one loads a WASM core and a
 * 3 MB model, which costs about a second; recognising a page then reuses it. Concurrent callers
 * are serialised by the worker's own job queue.
 */
function ocrWorker(): Promise<Worker> {
  sharedWorker ??= (async () => {
    const worker = await createWorker('eng', OEM.LSTM_ONLY, {
      langPath: englishModelDir,
      gzip: true,
      cacheMethod: 'none',
    });
    // Invoices are sparse, column-laid pages; keep the spaces between columns.
    await worker.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT_OSD, preserve_interword_spaces: '1' });
    return worker;
  })().catch((error: unknown) => {
    sharedWorker = undefined;
    throw error;
  });
  return sharedWorker;
}

/** The text tesseract reads in an image (PNG, JPEG, GIF, WEBP bytes). */
export async function recognizeText(image: Buffer): Promise<string> {
  const worker = await ocrWorker();
  const result = await worker.recognize(image);
  return result.data.text;
}

/** Frees the shared OCR worker (its thread and WASM memory); the next OCR starts a new one. */
export async function terminateOcr(): Promise<void> {
  const worker = sharedWorker;
  sharedWorker = undefined;
  if (worker !== undefined) await (await worker).terminate();
}
