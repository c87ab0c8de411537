import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { greyHistogram, type GrayImage } from '../src/extraction/ocr-input/gray';
import { inkAndPaper, otsuThreshold } from '../src/extraction/ocr-input/otsu';
import { dividedByBackground, faintInkLevels } from '../src/extraction/ocr-input/flat-field';
import { findPaper } from '../src/extraction/ocr-input/paper';
import { prepareForOcr } from '../src/extraction/ocr-input/prepare';
import { skewAngle } from '../src/extraction/ocr-input/skew';
import { noOcrPreparation } from '../src/extraction/ocr-input/steps';
import { readableLineHeight, smallLineHeight, typicalLineHeight, upscaleFactor } from '../src/extraction/ocr-input/text-height';

/** A white page with dark bars for text lines (`lineHeight` high, every `pitch` rows), tilted by `degrees` (clockwise). */
function page({ width = 600, height = 400, lineHeight = 10, pitch = 30, degrees = 0, paper = 255, ink = 0 } = {}): GrayImage {
  const data = new Uint8Array(width * height).fill(paper);
  const tan = Math.tan((degrees * Math.PI) / 180);
  for (let top = 20; top + lineHeight < height - 20; top += pitch) {
    for (let x = 40; x < width - 40; x++) {
      // Words: ink in runs of 30 pixels with 10-pixel gaps.
      if (x % 40 >= 30) continue;
      for (let y = top; y < top + lineHeight; y++) {
        const tilted = Math.round(y + (x - width / 2) * tan);
        if (tilted >= 0 && tilted < height) data[tilted * width + x] = ink;
      }
    }
  }
  return { width, height, data };
}

describe('otsuThreshold', () => {
  it('splits ink from paper between their grey levels', () => {
    const histogram = new Array<number>(256).fill(0);
    histogram[60] = 100;
    histogram[200] = 900;
    const threshold = otsuThreshold(histogram);
    expect(threshold).toBeGreaterThanOrEqual(60);
    expect(threshold).toBeLessThan(200);
  });

  it('finds faded ink on grey paper', () => {
    const threshold = otsuThreshold(greyHistogram(page({ paper: 210, ink: 150 })));
    expect(threshold).toBeGreaterThanOrEqual(150);
    expect(threshold).toBeLessThan(210);
  });
});

describe('inkAndPaper', () => {
  it('finds the grey of faded ink and of grey paper, even when ink is under 1% of the page', () => {
    const histogram = new Array<number>(256).fill(0);
    for (let level = 236; level <= 255; level++) histogram[level] = 5000 - Math.abs(level - 245) * 400;
    for (let level = 120; level <= 160; level++) histogram[level] = 20 - Math.abs(level - 140);
    expect(inkAndPaper(histogram)).toEqual({ ink: 140, paper: 245 });
  });
});

/** `sheet` under uneven light: full brightness at its left edge, `dimmest` of it at its right (a shadow). */
function shaded(sheet: GrayImage, dimmest: number): GrayImage {
  const data = sheet.data.map((value, i) => Math.round(value * (1 - ((1 - dimmest) * (i % sheet.width)) / sheet.width)));
  return { ...sheet, data };
}

describe('dividedByBackground', () => {
  it('makes paper one grey under uneven light, and ink the same share of it everywhere', () => {
    const lit = page({ paper: 200, ink: 140 });
    const dim = shaded(lit, 0.5);
    const background = shaded(page({ paper: 200, ink: 200 }), 0.5);
    const flat = dividedByBackground(dim, background);
    // Paper at both edges of line 1's gap row, ink in the first word and the last.
    const at = (image: GrayImage, x: number, y: number) => image.data[y * image.width + x]!;
    expect([at(flat, 45, 15), at(flat, 550, 15)]).toEqual([255, 255]);
    expect(Math.abs(at(flat, 45, 25) - at(flat, 545, 25))).toBeLessThanOrEqual(2);
    expect(at(flat, 545, 25)).toBeCloseTo((140 * 255) / 200, -1);
  });

  it('clips what is brighter than its background to paper, and wants the page size', () => {
    const one = (value: number): GrayImage => ({ width: 1, height: 1, data: Uint8Array.of(value) });
    expect(dividedByBackground(one(250), one(200)).data[0]).toBe(255);
    expect(dividedByBackground(one(100), one(0)).data[0]).toBe(255);
    expect(() => dividedByBackground(page(), one(200))).toThrow();
  });
});

describe('faintInkLevels', () => {
  it('finds faint ink that is a few percent of a page of noisy paper', () => {
    const histogram = new Array<number>(256).fill(0);
    for (let level = 240; level <= 255; level++) histogram[level] = 600;
    for (let level = 195; level <= 215; level++) histogram[level] = 10;
    expect(faintInkLevels(histogram, 0.01)).toEqual({ ink: 204, paper: 247 });
  });

  it('leaves print alone whose darkest pixels are already dark (not faded)', () => {
    const histogram = new Array<number>(256).fill(0);
    for (let level = 240; level <= 255; level++) histogram[level] = 600;
    for (let level = 195; level <= 215; level++) histogram[level] = 10;
    for (let level = 30; level <= 50; level++) histogram[level] = 5;
    expect(faintInkLevels(histogram, 0.01)).toBeNull();
  });

  it('leaves blank paper alone', () => {
    const histogram = new Array<number>(256).fill(0);
    for (let level = 248; level <= 255; level++) histogram[level] = 1000;
    expect(faintInkLevels(histogram, 0.01)).toBeNull();
  });
});

describe('skewAngle', () => {
  it.each([0, 1.5, -2, 4])('measures text lines tilted by %d°', (degrees) => {
    expect(skewAngle(page({ degrees }), 128)).toBeCloseTo(degrees, 0);
  });

  it('is 0 on a blank page', () => {
    expect(skewAngle(page({ ink: 255 }), 128)).toBe(0);
  });
});

/** A photo: the page laid on a darker table (`background`), at (`left`, `top`) of a larger frame. */
function onTable(sheet: GrayImage, { width = 1200, height = 1600, left = 300, top = 500, background = 90 } = {}): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = background + ((x * 7 + y * 13) % 23) - 11;
  for (let y = 0; y < sheet.height; y++) data.set(sheet.data.subarray(y * sheet.width, (y + 1) * sheet.width), (top + y) * width + left);
  return { width, height, data };
}

describe('findPaper', () => {
  it('finds a receipt lying on a darker table, with its print', () => {
    const found = findPaper(onTable(page({ width: 300, height: 500, paper: 225, ink: 40 }), { width: 1200, height: 1600, left: 300, top: 500 }));
    expect(found).toMatchObject({ left: 300, top: 500, width: 300, height: 500 });
    expect(found!.paper).toBeGreaterThan(200);
    expect(found!.mask.every((inside) => inside === 1)).toBe(true);
  });

  it('leaves a scan alone: its paper fills the frame, or is not lighter than its surroundings', () => {
    expect(findPaper(page())).toBeNull();
    expect(findPaper(onTable(page({ width: 300, height: 500, paper: 236, ink: 40 }), { background: 246 }))).toBeNull();
  });
});

describe('typicalLineHeight and upscaleFactor', () => {
  it('measures the height of text lines', () => {
    expect(typicalLineHeight(page({ lineHeight: 12 }), 128)).toBe(12);
    expect(typicalLineHeight(page({ ink: 255 }), 128)).toBeNull();
  });

  it('enlarges small text to a readable height, within 3× and the pixel budget', () => {
    expect(upscaleFactor(readableLineHeight, 1000, 1000, 40e6)).toBe(1);
    expect(upscaleFactor(smallLineHeight, 1000, 1000, 40e6)).toBe(1);
    expect(upscaleFactor(null, 1000, 1000, 40e6)).toBe(1);
    expect(upscaleFactor(16, 1000, 1000, 40e6)).toBe(readableLineHeight / 16);
    expect(upscaleFactor(5, 1000, 1000, 40e6)).toBe(3);
    expect(upscaleFactor(16, 4000, 5000, 40e6)).toBeCloseTo(1.41, 2);
  });
});

describe('prepareForOcr', () => {
  const png = (image: GrayImage) => sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 1 } }).png().toBuffer();
  const pixels = async (bytes: Buffer) => {
    const { channels } = await sharp(bytes).metadata();
    const { data, info } = await sharp(bytes).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels, levels: new Set(data) };
  };

  it('hands the image over untouched with no step', async () => {
    const image = await png(page());
    expect((await prepareForOcr(image, noOcrPreparation)).image).toBe(image);
  });

  it('turns a photo upright by its EXIF orientation, with or without preparation', async () => {
    // Stored as the sensor saw it (landscape), orientation 6: a viewer turns it a quarter clockwise.
    const upright = page({ width: 300, height: 500 });
    const stored = await sharp(Buffer.from(upright.data), { raw: { width: 300, height: 500, channels: 1 } }).rotate(270).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    for (const steps of [noOcrPreparation, { ...noOcrPreparation, grayscale: true }]) {
      const { width, height } = await sharp((await prepareForOcr(stored, steps)).image).metadata();
      expect([width, height]).toEqual([300, 500]);
    }
  });

  it('cuts the paper out of a photo, painting the table around it paper-grey', async () => {
    const photo = onTable(page({ width: 300, height: 500, paper: 225, ink: 40 }));
    const prepared = await prepareForOcr(await png(photo), { ...noOcrPreparation, grayscale: true, crop: true });
    expect(prepared.paper).not.toBeNull();
    const { width, height } = await sharp(prepared.image).metadata();
    expect(width).toBeLessThan(400);
    expect(height).toBeLessThan(600);
  });

  it('evens out uneven light: paper white and faint ink darker than it under a shadow and beside it', async () => {
    const photo = shaded(page({ width: 600, height: 400, paper: 210, ink: 170 }), 0.45);
    const prepared = await prepareForOcr(await png(photo), { ...noOcrPreparation, grayscale: true, flatten: true });
    const { data, info } = await sharp(prepared.image).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[y * info.width + x]!;
    // Paper between lines (row 35) and ink in a word (row 25), in the light and in the shadow.
    expect(Math.min(at(100, 35), at(520, 35))).toBeGreaterThan(230);
    expect(Math.max(at(45, 25), at(525, 25))).toBeLessThan(120);
  });

  it('levels a tilted page, enlarges small text and binarises', async () => {
    const prepared = await prepareForOcr(await png(page({ degrees: 2, lineHeight: 10, paper: 220, ink: 90 })), {
      grayscale: true,
      crop: true,
      flatten: false,
      contrast: true,
      deskew: true,
      upscale: true,
      binarize: true,
    });
    expect(prepared.skewDegrees).toBeCloseTo(2, 0);
    expect(prepared.scale).toBeGreaterThan(2);
    const result = await pixels(prepared.image);
    expect(result.channels).toBe(1);
    expect(result.width).toBeGreaterThan(600 * 2);
    expect([...result.levels].sort((a, b) => a - b)).toEqual([0, 255]);
  });
});
