/**
 * Field accuracy of the local extractor on scans it has to OCR: every document of the invoice
 * corpus (test/corpus/invoices/<set>) printed to a page in a monospaced font, rendered to pixels,
 * then photograph-degraded (a slight skew, blur, sensor noise, a lower resolution), read through
 * the same OCR and rules as a batch. Prints per-variant field accuracy, so an OCR change is
 * measured, not assumed.
 *
 *   node --import tsx bench/scans.ts [--set dev] [--limit n]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { parseInvoiceText } from '../src/extraction/local/fields';
import { recognizeText, terminateOcr } from '../src/extraction/ocr';
import { renderPagePng, withPdf } from '../src/extraction/pdf';
import { corpusDocuments, fieldMatches, scoredFields } from '../test/corpus/invoices/corpus';

const { values: options } = parseArgs({ options: { set: { type: 'string', default: 'dev' }, limit: { type: 'string' } } });

interface Gray {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The text printed on A4 in Courier, as a PDF; characters the standard font cannot encode become '?'. */
async function printed(text: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Courier);
  const lines = text.split('\n').map((line) => [...line].map((ch) => (font.getCharacterSet().includes(ch.codePointAt(0)!) ? ch : '?')).join(''));
  const longest = Math.max(60, ...lines.map((line) => line.length));
  const size = Math.min(10, 540 / (longest * 0.6));
  const perPage = Math.floor(780 / (size * 1.3));
  for (let start = 0; start < lines.length; start += perPage) {
    const page = pdf.addPage([595, 842]);
    lines.slice(start, start + perPage).forEach((line, i) => page.drawText(line, { x: 28, y: 842 - 40 - i * size * 1.3, size, font }));
  }
  return pdf.save();
}

async function renderGray(pdfBytes: Uint8Array, scale: number): Promise<Gray[]> {
  const pngs = await withPdf({ path: 'page.pdf', mediaType: 'application/pdf', bytes: Buffer.from(pdfBytes) }, async (pdf) => {
    const out: Buffer[] = [];
    for (let n = 1; n <= pdf.numPages; n++) out.push(await renderPagePng(pdf, await pdf.getPage(n), scale));
    return out;
  });
  return pngs.map((png) => {
    const image = decodePng(png);
    const c = image.channels;
    const data = new Uint8Array(image.width * image.height);
    for (let i = 0; i < data.length; i++) data[i] = Math.round((image.data[i * c]! * 299 + image.data[i * c + 1]! * 587 + image.data[i * c + 2]! * 114) / 1000);
    return { width: image.width, height: image.height, data };
  });
}

/** A deterministic pseudo-random sequence, so every run degrades the same way. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A phone photo of a print: rotated by `degrees`, box-blurred, noisy, downscaled by `shrink`, on a grey-ish paper. */
function photographed(page: Gray, { degrees, blur, noise, shrink }: { degrees: number; blur: number; noise: number; shrink: number }, seed: number): Gray {
  const width = Math.round(page.width * shrink);
  const height = Math.round(page.height * shrink);
  const out = new Uint8Array(width * height);
  const [sin, cos] = [Math.sin((degrees * Math.PI) / 180), Math.cos((degrees * Math.PI) / 180)];
  const next = random(seed);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Rotate about the centre, sample the source with a box of `blur` pixels.
      const cx = x / shrink - page.width / 2;
      const cy = y / shrink - page.height / 2;
      const sx = cx * cos - cy * sin + page.width / 2;
      const sy = cx * sin + cy * cos + page.height / 2;
      let sum = 0;
      let n = 0;
      for (let dy = -blur; dy <= blur; dy++) {
        for (let dx = -blur; dx <= blur; dx++) {
          const px = Math.round(sx + dx);
          const py = Math.round(sy + dy);
          sum += px >= 0 && py >= 0 && px < page.width && py < page.height ? page.data[py * page.width + px]! : 255;
          n++;
        }
      }
      // Paper is not white in a photo, ink not black; then sensor noise.
      const shade = 40 + (sum / n) * 0.7 + (next() + next() + next() - 1.5) * noise * 2;
      out[y * width + x] = Math.max(0, Math.min(255, Math.round(shade)));
    }
  }
  return { width, height, data: out };
}

const variants = {
  'clean scan (144 dpi)': null,
  'photo (1.5° skew, blur, noise, 0.8x)': { degrees: 1.5, blur: 1, noise: 10, shrink: 0.8 },
} as const;

const documents = (await corpusDocuments(options.set)).slice(0, options.limit ? Number(options.limit) : undefined);
const tally = new Map<string, { right: number; total: number }>();
for (const document of documents) {
  const text = await readFile(document.file, 'utf8').catch(() => null);
  if (text === null || !document.file.endsWith('.txt')) continue;
  const pages = await renderGray(await printed(text), 2);
  for (const [name, degradation] of Object.entries(variants)) {
    const images = pages.map((page, i) => (degradation ? photographed(page, degradation, i + 1) : page));
    const ocr: string[] = [];
    for (const image of images) ocr.push(await recognizeText(Buffer.from(encodePng({ width: image.width, height: image.height, data: image.data, channels: 1, depth: 8 }))));
    const actual = parseInvoiceText(ocr.join('\f'));
    for (const field of scoredFields(document.expected)) {
      const ok = fieldMatches(field, actual[field], document.expected[field]);
      const entry = tally.get(name) ?? { right: 0, total: 0 };
      tally.set(name, { right: entry.right + (ok ? 1 : 0), total: entry.total + 1 });
    }
  }
  process.stderr.write('.');
}
await terminateOcr();
process.stderr.write('\n');
for (const [name, { right, total }] of tally) console.log(`${name.padEnd(40)} ${right}/${total} fields (${((100 * right) / total).toFixed(1)}%)`);
