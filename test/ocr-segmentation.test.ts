import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { recognizeText, terminateOcr } from '../src/extraction/ocr';
import { defaultOcrSettings } from '../src/extraction/ocr-settings';

afterAll(async () => {
  await terminateOcr();
});

/** A restaurant's till slip from the receipt corpus: dashed rules around the items and the summary, amounts right-aligned. */
const slip = (await readFile(join(import.meta.dirname, 'corpus', 'receipts', 'dev', 'es-restaurante.txt'), 'utf8')).trimEnd().split('\n');

/** The slip as a 203 dpi thermal printer prints it (8 dots a millimetre, 80 mm paper, 48 columns of DejaVu Sans Mono). */
async function slipPng(lines: string[]): Promise<Buffer> {
  const [width, lineHeight, fontSize] = [640, 30, 19.9];
  const escape = (line: string) => line.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${lines.length * lineHeight + 128}"><rect width="100%" height="100%" fill="white"/>${lines
    .map((line, i) => `<text x="32" y="${64 + (i + 0.8) * lineHeight}" font-family="DejaVu Sans Mono" font-size="${fontSize}" xml:space="preserve">${escape(line)}</text>`)
    .join('')}</svg>`;
  return sharp(Buffer.from(svg)).greyscale().png().toBuffer();
}

describe('OCR page segmentation of a till slip', () => {
  it('reads the right-aligned amounts between dashed rules (automatic segmentation dropped them)', async () => {
    const { text } = await recognizeText(await slipPng(slip), defaultOcrSettings);
    for (const amount of ['27,00', '16,00', '2,60', '41,45', '4,15', '45,60', '50,00', '4,40']) expect(text).toContain(amount);
  });
});
