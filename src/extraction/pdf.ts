import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { RenderParameters, TextItem } from 'pdfjs-dist/types/src/display/api';
import { DocumentError } from './errors';
import { renderScaleWithinLimit } from './limits';
import type { SourceDocument } from './extractor';

/**
 * Standard-14 font metrics shipped inside pdfjs-dist, so rendering a page that uses Helvetica and
 * friends never fetches anything.
 */
const standardFontDataUrl = `${pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')).href}/`;

/**
 * pdfjs is loaded on the first PDF, not at import: its legacy build costs ~150 MB of RSS and
 * installs core-js polyfills, among them a JSON.stringify about 13x slower than Node 20's, for the
 * whole process. A worker that only sees text documents never pays for it.
 */
let pdfjs: Promise<typeof import('pdfjs-dist/legacy/build/pdf.mjs')> | undefined;
function loadPdfjs() {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

/**
 * Opens a PDF with pdfjs, fully offline (no font fetching, no eval, the in-process "fake" worker),
 * runs `use` on it and always frees it. pdfjs's failures become DocumentErrors that name the
 * document: a password-protected PDF is `encrypted`, anything pdfjs cannot parse is `corrupt`.
 */
export async function withPdf<T>(doc: SourceDocument, use: (pdf: PDFDocumentProxy) => Promise<T>): Promise<T> {
  const { getDocument } = await loadPdfjs();
  const task = getDocument({
    // A copy: pdfjs may take ownership of (detach) the buffer it is given.
    data: new Uint8Array(doc.bytes),
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    standardFontDataUrl,
    stopAtErrors: false,
    verbosity: 0,
  });
  let pdf: PDFDocumentProxy;
  try {
    pdf = await task.promise;
  } catch (error) {
    await task.destroy();
    throw pdfOpenError(doc, error);
  }
  try {
    return await use(pdf);
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw new DocumentError('corrupt', `${doc.path} is a damaged PDF (${describe(error)}): re-export or re-scan it`);
  } finally {
    await pdf.destroy();
  }
}

/** The number of pages of a PDF document; other media count as one page. */
export async function pageCount(doc: SourceDocument): Promise<number> {
  if (doc.mediaType !== 'application/pdf') return 1;
  return withPdf(doc, async (pdf) => pdf.numPages);
}

/**
 * The text layer of one page as lines in reading order: text items are grouped into lines by
 * their baseline, each line sorted left to right, and horizontal gaps kept as runs of spaces so
 * table columns and two-column layouts stay apart ("Total      1,234.56").
 */
export async function pageTextLayer(page: PDFPageProxy): Promise<string> {
  const content = await page.getTextContent();
  const items = content.items.filter((item): item is TextItem => 'str' in item && item.str.trim() !== '');
  return layoutLines(
    items.map((item) => {
      // pdfjs declares the text matrix as any[]; it is six numbers [a, b, c, d, e, f].
      const transform = item.transform as number[];
      return {
        text: item.str,
        x: transform[4] ?? 0,
        y: transform[5] ?? 0,
        width: item.width,
        fontSize: Math.hypot(transform[2] ?? 0, transform[3] ?? 0) || item.height || 10,
      };
    }),
  );
}

export interface PositionedText {
  text: string;
  x: number;
  /** Baseline, PDF user space (grows upwards). */
  y: number;
  width: number;
  fontSize: number;
}

/** Rebuilds lines from positioned text; exported for unit tests of the layout rules. */
export function layoutLines(items: PositionedText[]): string {
  const lines: PositionedText[][] = [];
  const byBaseline = [...items].sort((a, b) => b.y - a.y || a.x - b.x);
  for (const item of byBaseline) {
    const line = lines.at(-1);
    const lineY = line?.[0]?.y;
    // Items on one visual line share a baseline within a fraction of the font size.
    if (line !== undefined && lineY !== undefined && Math.abs(lineY - item.y) <= item.fontSize * 0.4) {
      line.push(item);
    } else {
      lines.push([item]);
    }
  }
  return lines.map(joinLine).join('\n');
}

/** Page width, in points, of one character column of the rebuilt text (about half an em at 10 pt). */
const columnWidth = 5;

function joinLine(items: PositionedText[]): string {
  const sorted = [...items].sort((a, b) => a.x - b.x);
  let text = '';
  let end: number | undefined;
  for (const item of sorted) {
    // Like `pdftotext -layout`: text starts at the column its x position maps to, so a value sits
    // under its label in every line; words closer than that are joined by what their gap says.
    const column = Math.round(item.x / columnWidth);
    if (end === undefined) {
      text = ' '.repeat(Math.max(0, column));
    } else {
      const gap = item.x - end;
      let spaces = gap > item.fontSize * 0.15 ? 1 : 0;
      if (gap > item.fontSize) spaces = 2; // a column gap: keep the cells apart
      text += ' '.repeat(Math.max(spaces, column - text.length));
    }
    text += item.text;
    end = item.x + item.width;
  }
  return text.trimEnd();
}

/** Renders one page to a PNG image for OCR (pdfjs draws through @napi-rs/canvas in Node). */
export async function renderPagePng(pdf: PDFDocumentProxy, page: PDFPageProxy, scale = 2): Promise<Buffer> {
  // A page can declare any size: a huge one is rendered smaller rather than allocating gigabytes.
  const pageSize = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: renderScaleWithinLimit(pageSize.width, pageSize.height, scale) });
  const factory = pdf.canvasFactory as {
    create(width: number, height: number): { canvas: { toBuffer(mime: 'image/png'): Buffer }; context: unknown };
    destroy(target: unknown): void;
  };
  const target = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
  try {
    await page.render({
      canvas: null,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- pdfjs types this as the DOM's CanvasRenderingContext2D, absent from our Node lib.
      canvasContext: target.context as RenderParameters['canvasContext'],
      viewport,
      background: 'white',
    }).promise;
    return target.canvas.toBuffer('image/png');
  } finally {
    factory.destroy(target);
  }
}

function pdfOpenError(doc: SourceDocument, error: unknown): DocumentError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'PasswordException') {
    return new DocumentError(
      'encrypted',
      `${doc.path} is a password-protected PDF: remove the password (e.g. print to PDF) and add it again`,
    );
  }
  return new DocumentError('corrupt', `${doc.path} is not a readable PDF (${describe(error)}): re-export or re-scan it`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
