import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { layoutLines, type PositionedText } from './pdf';

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
      // Without a handler tesseract.js rethrows a failed job (a damaged image) from the thread's
      // message listener, uncaught, which ends the process; with one, only the job's promise rejects.
      errorHandler: () => undefined,
    });
    // Automatic page segmentation without orientation detection (that would need the osd model).
    // A fixed DPI keeps tesseract from estimating one (and printing that it did) for every image.
    await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, user_defined_dpi: '300' });
    return worker;
  })().catch((error: unknown) => {
    sharedWorker = undefined;
    throw error;
  });
  return sharedWorker;
}

/**
 * The text tesseract reads in an image (PNG, JPEG, GIF, WEBP bytes), laid out like a PDF's text
 * layer: tesseract reads a page block by block (a table's columns one after the other), so its
 * words are put back on their visual lines by position, with the same rules as pdf.ts.
 */
export async function recognizeText(image: Buffer): Promise<string> {
  const worker = await ocrWorker();
  const result = await worker.recognize(image, {}, { blocks: true, text: false });
  const lines = (result.data.blocks ?? []).flatMap((block) => block.paragraphs.flatMap((paragraph) => paragraph.lines));
  const heights = lines.map((line) => line.bbox.y1 - line.bbox.y0).sort((a, b) => a - b);
  const typicalHeight = Math.max(1, heights[Math.floor(heights.length / 2)] ?? 10);
  // Scale pixels so the typical line is a 10 pt font, whatever the scan's resolution.
  const scale = 10 / typicalHeight;
  const segments: PositionedText[] = [];
  for (const line of lines) {
    // The baseline, not the box: a line with descenders ("Quantity") has a lower box bottom than
    // its neighbours on the same visual line ("Rate").
    const baseline = (line.baseline.y0 + line.baseline.y1) / 2;
    let segment: PositionedText | undefined;
    let segmentEnd = 0;
    for (const word of line.words) {
      // Words of one phrase stay one piece; a gap wider than a line's height is a column break.
      if (segment !== undefined && word.bbox.x0 - segmentEnd < typicalHeight) {
        segment.text += ` ${word.text}`;
        segment.width = (word.bbox.x1 - segment.x / scale) * scale;
      } else {
        segment = { text: word.text, x: word.bbox.x0 * scale, y: -baseline * scale, width: (word.bbox.x1 - word.bbox.x0) * scale, fontSize: 10 };
        segments.push(segment);
      }
      segmentEnd = word.bbox.x1;
    }
  }
  return layoutLines(segments);
}

/** Frees the shared OCR worker (its thread and WASM memory); the next OCR starts a new one. */
export async function terminateOcr(): Promise<void> {
  const worker = sharedWorker;
  sharedWorker = undefined;
  if (worker !== undefined) await (await worker).terminate();
}
