/**
 * Scans made from text for bench/scans.ts: a document printed on A4 in Courier, rendered to grey
 * pixels, then degraded the way phones and scanners degrade paper (skew, blur, noise, grey paper,
 * a lower resolution, JPEG artefacts, faded thermal print). Deterministic: every run makes the same
 * pixels.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { decode as decodePng } from 'fast-png';
import { renderPagePng, withPdf } from '../src/extraction/pdf';

export interface Gray {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The text printed on A4 in Courier, as a PDF; characters the standard font cannot encode become '?'. */
export async function printed(text: string): Promise<Uint8Array> {
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

/** Every page of a PDF rendered at `scale` (1 = 72 dpi), in grey. */
export async function renderGray(pdfBytes: Uint8Array, scale: number): Promise<Gray[]> {
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

export interface Degradation {
  /** Rotation of the paper. */
  degrees: number;
  /** Box blur radius in source pixels. */
  blur: number;
  /** Sensor noise amplitude (grey levels). */
  noise: number;
  /** Resolution relative to the clean render. */
  shrink: number;
  /** Grey of the paper and of the ink (a photo's paper is not white, its ink not black; thermal print fades). */
  paper: number;
  ink: number;
  /** Horizontal streaks of lighter print, as a thermal head with weak dots leaves. */
  streaks?: boolean;
  /** JPEG quality the photo is saved at; absent: lossless. */
  jpegQuality?: number;
}

/** A photo of a print: rotated, blurred, on grey paper with faded ink, noisy, downscaled. */
export function photographed(page: Gray, { degrees, blur, noise, shrink, paper, ink, streaks }: Degradation, seed: number): Gray {
  const width = Math.round(page.width * shrink);
  const height = Math.round(page.height * shrink);
  const out = new Uint8Array(width * height);
  const [sin, cos] = [Math.sin((degrees * Math.PI) / 180), Math.cos((degrees * Math.PI) / 180)];
  const next = random(seed);
  const streak = Array.from({ length: width }, () => (streaks && next() < 0.04 ? 0.45 : 1));
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
      const darkness = (1 - sum / n / 255) * streak[x]!;
      const shade = paper - darkness * (paper - ink) + (next() + next() + next() - 1.5) * noise * 2;
      out[y * width + x] = Math.max(0, Math.min(255, Math.round(shade)));
    }
  }
  return { width, height, data: out };
}

/** The image file a camera or scanner would hand over: PNG, or JPEG at the degradation's quality. */
export async function encodedScan(image: Gray, jpegQuality?: number): Promise<Buffer> {
  const input = sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 1 } });
  return jpegQuality === undefined ? input.png().toBuffer() : input.jpeg({ quality: jpegQuality }).toBuffer();
}
