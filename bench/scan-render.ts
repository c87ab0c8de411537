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

/** Thermal till rolls: paper width, printable width and columns of the printer's standard font (Font A, 12 × 24 dots at 203 dpi). */
const tillRolls = [
  { paperMm: 58, printMm: 48, columns: 32 },
  { paperMm: 80, printMm: 72, columns: 48 },
] as const;

/**
 * A receipt as a till prints it: on the narrowest roll its longest line fits, monospaced (DejaVu Sans
 * Mono, through sharp's SVG renderer), 3.75 mm a line, white paper and black ink, at `pxPerMm(roll width)`.
 */
export async function thermalSlip(text: string, pxPerMm: (paperMm: number) => number): Promise<Gray & { paperMm: number }> {
  const lines = text.replace(/\s+$/, '').split('\n');
  const longest = Math.max(...lines.map((line) => [...line].length));
  const roll = tillRolls.find((candidate) => longest <= candidate.columns) ?? tillRolls[1];
  return printedSlip(lines, roll, longest, pxPerMm(roll.paperMm));
}

async function printedSlip(lines: string[], roll: (typeof tillRolls)[number], longest: number, pxPerMm: number): Promise<Gray & { paperMm: number }> {
  // DejaVu Sans Mono advances 0.602 em a character; a line longer than the roll's columns is printed narrower.
  const pitchMm = roll.printMm / Math.max(roll.columns, longest);
  const fontPx = (pitchMm / 0.602) * pxPerMm;
  const lineMm = 3.75;
  const width = Math.round(roll.paperMm * pxPerMm);
  const height = Math.round((lines.length * lineMm + 16) * pxPerMm);
  const left = ((roll.paperMm - roll.printMm) / 2) * pxPerMm;
  const escape = (line: string) => line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>`,
    ...lines.map((line, i) => `<text x="${left}" y="${(8 + (i + 0.8) * lineMm) * pxPerMm}" font-family="DejaVu Sans Mono" font-size="${fontPx}" xml:space="preserve">${escape(line)}</text>`),
    '</svg>',
  ].join('');
  const { data, info } = await sharp(Buffer.from(svg)).greyscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data), paperMm: roll.paperMm };
}

/** How a phone or a scanner takes a till receipt: where the paper lies in the frame and what happens to its pixels. */
export interface ReceiptPhoto {
  /** The image's size, as its viewer shows it (a 12 MP phone: 3000 × 4000). */
  frame: { width: number; height: number };
  /** The paper's width as a share of the frame's (its length follows, within the frame). */
  fill: number;
  /** Rotation of the paper in the frame. */
  degrees: number;
  /** Perspective: the paper's far (top) edge this much narrower than its near edge. */
  keystone: number;
  /** Grey of what the paper lies on, and how much it varies (wood, cloth). */
  background: number;
  texture: number;
  /** Grey of the paper and of the ink; faded thermal print is a light ink, unevenly. */
  paper: number;
  ink: number;
  fade?: boolean;
  /** Uneven light: a shadow across the paper and darker corners, 0 (none) to 1. */
  light: number;
  /** The roll's curl: text lines bent by this share of the paper's width, shaded across it. */
  curl: number;
  /** Gaussian blur (camera shake, focus) in frame pixels. */
  blur: number;
  /** Sensor noise amplitude (grey levels). */
  noise: number;
  jpegQuality?: number;
  /** A phone that stores its sensor's landscape pixels with EXIF orientation 6 (viewers turn them upright). */
  exifRotated?: boolean;
}

/** The homography that maps (x, y) to (X, Y): X = (a x + b y + c) / (g x + h y + 1), Y = (d x + e y + f) / (g x + h y + 1). */
export function homography(from: [number, number][], to: [number, number][]): number[] {
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [X, Y] = to[i]!;
    rows.push([x, y, 1, 0, 0, 0, -x * X, -y * X, X]);
    rows.push([0, 0, 0, x, y, 1, -x * Y, -y * Y, Y]);
  }
  // Gaussian elimination with partial pivoting on the 8 × 9 augmented matrix.
  for (let col = 0; col < 8; col++) {
    const pivot = rows.slice(col).reduce((best, row, i) => (Math.abs(row[col]!) > Math.abs(rows[best]![col]!) ? col + i : best), col);
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const factor = rows[r]![col]! / rows[col]![col]!;
      for (let c = col; c < 9; c++) rows[r]![c]! -= factor * rows[col]![c]!;
    }
  }
  return rows.map((row, i) => row[8]! / row[i]!);
}

/**
 * A till receipt photographed or scanned (`slip` from thermalSlip at about the resolution it has
 * in the frame): the paper laid on a textured background in part of the frame, turned and seen in
 * perspective, its lines bent by the roll's curl, lit unevenly, faded, blurred, noisy, then saved
 * as the camera saves it (JPEG, EXIF orientation). Deterministic for a seed.
 */
export async function photographedReceipt(slip: Gray, photo: ReceiptPhoto, seed: number): Promise<Buffer> {
  const { width, height } = photo.frame;
  const next = random(seed);
  // The paper's corners in the frame: centred a little off the middle, its length within 92% of the frame.
  let paperWidth = photo.fill * width;
  let paperHeight = (paperWidth * slip.height) / slip.width;
  if (paperHeight > 0.92 * height) [paperWidth, paperHeight] = [(paperWidth * 0.92 * height) / paperHeight, 0.92 * height];
  const [cx, cy] = [width * (0.46 + 0.08 * next()), height * (0.48 + 0.04 * next())];
  const top = (paperWidth / 2) * (1 - photo.keystone);
  const corners: [number, number][] = [
    [-top, -paperHeight / 2],
    [top, -paperHeight / 2],
    [paperWidth / 2, paperHeight / 2],
    [-paperWidth / 2, paperHeight / 2],
  ].map(([x, y]) => {
    const radians = (photo.degrees * Math.PI) / 180;
    return [cx + x! * Math.cos(radians) - y! * Math.sin(radians), cy + x! * Math.sin(radians) + y! * Math.cos(radians)];
  });
  const toSlip = homography(corners, [
    [0, 0],
    [slip.width, 0],
    [slip.width, slip.height],
    [0, slip.height],
  ]);
  const [a, b, c, d, e, f, g, h] = toSlip as [number, number, number, number, number, number, number, number];
  // Low-frequency fields for the table's texture and the print's fading: a few waves with random phases.
  const waves = (count: number, scale: number) =>
    Array.from({ length: count }, () => ({ fx: ((next() - 0.5) * 2 * Math.PI) / scale, fy: ((next() - 0.5) * 2 * Math.PI) / scale, phase: next() * 2 * Math.PI }));
  const wood = waves(4, width / 6);
  const grain = waves(3, width / 80);
  const fading = waves(3, slip.width / 1.5);
  const field = (list: { fx: number; fy: number; phase: number }[], x: number, y: number) => list.reduce((sum, w) => sum + Math.sin(w.fx * x + w.fy * y + w.phase), 0) / list.length;
  const shadowAngle = next() * Math.PI;
  const [sx, sy] = [Math.cos(shadowAngle), Math.sin(shadowAngle)];
  const shadowOffset = (next() - 0.5) * 0.5 * width;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = g * x + h * y + 1;
      const u = (a * x + b * y + c) / w;
      const across = slip.width > 0 ? (2 * u) / slip.width - 1 : 0;
      // Curl bends every line into an arc: the slip is sampled higher towards its edges.
      const v = (d * x + e * y + f) / w - photo.curl * slip.width * across * across;
      // Light: a soft shadow band and darker corners, on the paper and the table alike.
      const band = Math.exp(-(((x - width / 2) * sx + (y - height / 2) * sy - shadowOffset) ** 2) / (2 * (0.12 * width) ** 2));
      const corner = ((x / width - 0.5) ** 2 + (y / height - 0.5) ** 2) * 1.2;
      const light = 1 - photo.light * (0.45 * band + 0.35 * corner);
      let shade: number;
      if (u >= 0 && v >= 0 && u < slip.width - 1 && v < slip.height - 1) {
        const [x0, y0] = [Math.floor(u), Math.floor(v)];
        const [fx, fy] = [u - x0, v - y0];
        const i = y0 * slip.width + x0;
        const grey = (slip.data[i]! * (1 - fx) + slip.data[i + 1]! * fx) * (1 - fy) + (slip.data[i + slip.width]! * (1 - fx) + slip.data[i + slip.width + 1]! * fx) * fy;
        let darkness = 1 - grey / 255;
        if (photo.fade) darkness *= 0.75 + 0.25 * field(fading, u, v);
        shade = (photo.paper - darkness * (photo.paper - photo.ink)) * light * (1 - 0.12 * photo.curl * 20 * across * across);
      } else {
        shade = (photo.background + photo.texture * (0.7 * field(wood, x, y) + 0.3 * field(grain, x, y))) * light;
      }
      out[y * width + x] = Math.max(0, Math.min(255, Math.round(shade)));
    }
  }
  let pixels = sharp(Buffer.from(out), { raw: { width, height, channels: 1 } });
  if (photo.blur > 0.3) pixels = pixels.blur(photo.blur);
  const blurred = new Uint8Array(await pixels.extractChannel(0).raw().toBuffer());
  for (let i = 0; i < blurred.length; i++) blurred[i] = Math.max(0, Math.min(255, Math.round(blurred[i]! + (next() + next() + next() - 1.5) * photo.noise * 2)));
  const image = { width, height, data: blurred };
  if (!photo.exifRotated) return encodedScan(image, photo.jpegQuality);
  // The sensor's pixels are the upright picture turned a quarter anticlockwise; orientation 6 tells viewers to turn it back.
  return sharp(Buffer.from(image.data), { raw: { width, height, channels: 1 } })
    .rotate(270)
    .jpeg({ quality: photo.jpegQuality ?? 90 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}
