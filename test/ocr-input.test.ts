import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { greyHistogram, type GrayImage } from '../src/extraction/ocr-input/gray';
import { inkAndPaper, otsuThreshold } from '../src/extraction/ocr-input/otsu';
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

  it('levels a tilted page, enlarges small text and binarises', async () => {
    const prepared = await prepareForOcr(await png(page({ degrees: 2, lineHeight: 10, paper: 220, ink: 90 })), {
      grayscale: true,
      crop: true,
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
