import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { reportDecodeProgress } from './isolation/progress';
import { languageModelDir, tesseractLanguage } from './ocr-languages';
import { prepareForOcr } from './ocr-input/prepare';
import { ocrSettingsFromEnv, type OcrSettings } from './ocr-settings';
import { detectLanguage, languages, type Language } from './local/language';
import { laidOut, type OcrText } from './ocr-layout';

/** The process's tesseract workers by the languages they read ("en", "de+en"). */
const workers = new Map<string, Promise<Worker>>();

/**
 * A tesseract worker for these languages, created on first use: starting one loads a WASM core
 * and the language models (3–14 MB each), which costs a second or more; recognising a page then
 * reuses it. English alone is kept (every page is read with it first) beside the newest other set,
 * so a batch in one language starts each at most once. Concurrent callers are serialised by a
 * worker's own job queue.
 */
function ocrWorker(wanted: readonly Language[]): Promise<Worker> {
  const key = wanted.join('+');
  const existing = workers.get(key);
  if (existing !== undefined) return existing;
  if (key !== 'en') {
    for (const [other, previous] of workers) {
      if (other === 'en') continue;
      workers.delete(other);
      void previous.then((worker) => worker.terminate()).catch(() => undefined);
    }
  }
  const worker = (async () => {
    const created = await createWorker(wanted.map((language) => tesseractLanguage[language]).join('+'), OEM.LSTM_ONLY, {
      langPath: languageModelDir(),
      gzip: true,
      // 'none' stops tesseract.js writing a copy of each model into the working directory.
      cacheMethod: 'none',
      // Without a handler tesseract.js rethrows a failed job (a damaged image) from the thread's
      // message listener, uncaught, which ends the process; with one, only the job's promise rejects.
      errorHandler: () => undefined,
    });
    // Automatic page segmentation without orientation detection (that would need the osd model).
    // A fixed DPI keeps tesseract from estimating one (and printing that it did) for every image.
    await created.setParameters({ tessedit_pageseg_mode: PSM.AUTO, user_defined_dpi: '300' });
    segmentationOf.set(created, PSM.AUTO);
    return created;
  })();
  workers.set(key, worker);
  worker.catch(() => {
    if (workers.get(key) === worker) workers.delete(key);
  });
  return worker;
}

/**
 * The text tesseract reads in an image (PNG, JPEG, GIF, WEBP bytes), prepared and read as
 * `settings` say (ocr-settings.ts), laid out like a PDF's text layer.
 */
export async function recognizeText(image: Buffer, settings: OcrSettings = ocrSettingsFromEnv()): Promise<OcrText> {
  const prepared = (await prepareForOcr(image, settings.preparation)).image;
  const psm = settings.segmentation === 'column' ? PSM.SINGLE_COLUMN : PSM.AUTO;
  const recognizeWith = (image: Buffer, wanted: readonly Language[]) => recognizeIn(image, wanted, psm);
  if (settings.languages === 'english') return recognizeWith(prepared, ['en']);
  if (settings.languages === 'all') return recognizeWith(prepared, languages);
  const english = await recognizeWith(prepared, ['en']);
  // A large photo read twice can take a while: each pass is progress, so the decoder's time budget (isolation/pool.ts) restarts.
  reportDecodeProgress();
  const language = detectLanguage(english.text);
  return language === 'en' ? english : recognizeWith(prepared, [language, 'en']);
}

/** Each worker's page segmentation mode, and the job that last used it: a mode is set and a page read as one step. */
const segmentationOf = new WeakMap<Worker, PSM>();
const lastJob = new WeakMap<Worker, Promise<unknown>>();

async function recognizeIn(image: Buffer, wanted: readonly Language[], psm: PSM): Promise<OcrText> {
  const worker = await ocrWorker(wanted);
  const job = (lastJob.get(worker) ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      if (segmentationOf.get(worker) !== psm) {
        await worker.setParameters({ tessedit_pageseg_mode: psm });
        segmentationOf.set(worker, psm);
      }
      return worker.recognize(image, {}, { blocks: true, text: false });
    });
  lastJob.set(worker, job);
  const result = await job;
  return laidOut((result.data.blocks ?? []).flatMap((block) => block.paragraphs.flatMap((paragraph) => paragraph.lines)));
}

/** Frees the OCR workers (their threads and WASM memory); the next OCR starts new ones. */
export async function terminateOcr(): Promise<void> {
  const running = [...workers.values()];
  workers.clear();
  await Promise.all(running.map(async (worker) => (await worker.catch(() => undefined))?.terminate()));
}
