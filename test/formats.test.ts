import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator';
import { createAnthropicExtractor } from '../src/extraction/anthropic';
import { documentContent } from '../src/extraction/anthropic/content';
import { profileDocument } from '../src/extraction/anthropic/profile';
import { loadDocument } from '../src/extraction/document';
import { DocumentError } from '../src/extraction/errors';
import { apiImageLimits, type RgbaImage, pageImageBlock } from '../src/extraction/formats/raster';
import { decodeTiff } from '../src/extraction/formats/tiff';
import { createLocalExtractor } from '../src/extraction/local/extractor';
import { invoiceSchema, type Invoice } from '../src/extraction/schemas/invoice';
import { documentText } from '../src/extraction/text';
import type { DocumentResult } from '../src/store/document-result';
import { tempDir } from './helpers/batch';
import { bmpBomb, heicBomb, tiffPages } from './helpers/bad-documents';

const formatsDir = path.resolve('samples/formats');
const sample = (name: string) => loadDocument(path.join(formatsDir, name));
const models = { simple: 'claude-haiku-4-5', complex: 'claude-sonnet-4-5', escalation: 'claude-opus-4-5' };
let expected: Record<string, Invoice>;

beforeAll(async () => {
  expected = JSON.parse(await readFile(path.join(formatsDir, 'expected.json'), 'utf8')) as Record<string, Invoice>;
});

const converted = ['scan-two-pages.tiff', 'scan-receipt.bmp', 'photo-receipt.heic'];
const textual = ['email-invoice.html', 'word-invoice.docx'];

describe('format detection', () => {
  it.each([
    ['scan-two-pages.tiff', 'image/tiff'],
    ['scan-receipt.bmp', 'image/bmp'],
    ['photo-receipt.heic', 'image/heic'],
    ['email-invoice.html', 'text/html'],
    ['word-invoice.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xrechnung-cii.xml', 'application/xml'],
    ['peppol-ubl-credit-note.xml', 'application/xml'],
    ['factur-x.pdf', 'application/pdf'],
  ])('%s is %s, from its bytes', async (name, mediaType) => {
    expect((await sample(name)).mediaType).toBe(mediaType);
  });

  it('knows HTML without its extension, and a TIFF named .jpg as misnamed', async () => {
    const dir = await tempDir('docbatch-formats-');
    await writeFile(path.join(dir, 'mail-body'), await readFile(path.join(formatsDir, 'email-invoice.html')));
    expect((await loadDocument(path.join(dir, 'mail-body'))).mediaType).toBe('text/html');
    await writeFile(path.join(dir, 'scan.jpg'), await readFile(path.join(formatsDir, 'scan-two-pages.tiff')));
    await expect(loadDocument(path.join(dir, 'scan.jpg'))).rejects.toMatchObject({ type: 'corrupt', message: expect.stringMatching(/content is image\/tiff, not image\/jpeg/) });
  });

  it('refuses a legacy .doc, a ZIP that is not Word, and XML that is no invoice, naming each', async () => {
    const dir = await tempDir('docbatch-formats-');
    await writeFile(path.join(dir, 'old.doc'), Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
    await writeFile(path.join(dir, 'sheet.xlsx'), Buffer.from(zipSync({ 'xl/workbook.xml': strToU8('<workbook/>') })));
    await writeFile(path.join(dir, 'order.xml'), '<?xml version="1.0"?>\n<Order><ID>1</ID></Order>\n');
    const failure = (name: string) => loadDocument(path.join(dir, name)).then(() => undefined, (error: unknown) => error as DocumentError);
    expect(await failure('old.doc')).toMatchObject({ type: 'unsupported_type', message: expect.stringMatching(/OLE2 file \(legacy \.doc/) });
    expect(await failure('sheet.xlsx')).toMatchObject({ type: 'unsupported_type', message: expect.stringMatching(/ZIP container that is not a Word document/) });
    expect(await failure('order.xml')).toMatchObject({ type: 'unsupported_type', message: expect.stringMatching(/XML file that is not a UN\/CEFACT CII or UBL invoice/) });
  });

  it('fails a damaged TIFF as corrupt, naming the file', async () => {
    const dir = await tempDir('docbatch-formats-');
    const bytes = await readFile(path.join(formatsDir, 'scan-two-pages.tiff'));
    await writeFile(path.join(dir, 'cut.tiff'), bytes.subarray(0, 400));
    const document = await loadDocument(path.join(dir, 'cut.tiff'));
    await expect(documentText(document)).rejects.toMatchObject({ type: 'corrupt', message: expect.stringContaining('cut.tiff is a damaged TIFF image') });
  });
});

describe('TIFF, BMP and HEIC bombs are refused from their headers, before decoding', () => {
  async function bomb(name: string, bytes: Buffer) {
    const dir = await tempDir('docbatch-bombs-');
    await writeFile(path.join(dir, name), bytes);
    return loadDocument(path.join(dir, name));
  }
  // Decoding any of these would fail as corrupt (16 bytes of pixels) or need gigabytes: too_large
  // with the header's size says the limit was applied first.
  const refusal = (what: string) => ({ type: 'too_large', message: expect.stringMatching(new RegExp(`${what} is a 30000 x 30000 image \\(900 MP\\), above the 40 MP docbatch decodes: scale it down`)) });

  it.each([
    ['bomb.tiff', () => tiffPages([{ width: 30_000, height: 30_000 }])],
    ['bomb.bmp', () => bmpBomb()],
    ['bomb.heic', () => heicBomb()],
  ])('%s, offline and for Claude', async (name, bytes) => {
    const document = await bomb(name, bytes());
    await expect(documentText(document)).rejects.toMatchObject(refusal(`/${name}`));
    await expect(documentContent(document)).rejects.toMatchObject(refusal(`/${name}`));
  });

  it('checks every page of a TIFF, naming the page', async () => {
    const document = await bomb('pages.tiff', tiffPages([{ width: 8, height: 8 }, { width: 30_000, height: 30_000 }]));
    await expect(documentText(document)).rejects.toMatchObject(refusal('/pages.tiff page 2'));
  });

  it('lets a TIFF of pages within the limit through to the decoder', async () => {
    const document = await bomb('small.tiff', tiffPages([{ width: 4, height: 4 }]));
    expect((await documentContent(document)).map((block) => block.type)).toEqual(['image']);
  });
});

describe('converted images reach Claude as images the API takes', () => {
  it('decodes every page of a multi-page TIFF', async () => {
    const pages = decodeTiff(await readFile(path.join(formatsDir, 'scan-two-pages.tiff')));
    expect(pages.map((page) => [page.width, page.height])).toEqual([
      [1653, 2339],
      [1653, 2339],
    ]);
  });

  it('sends each page as PNG within the API limits, and profiles a TIFF as a multi-page scan', async () => {
    const document = await sample('scan-two-pages.tiff');
    const blocks = await documentContent(document);
    expect(blocks.map((block) => block.type === 'image' && block.source.type === 'base64' && block.source.media_type)).toEqual(['image/png', 'image/png']);
    for (const block of blocks) {
      if (block.type !== 'image' || block.source.type !== 'base64') throw new Error('expected a base64 image');
      expect(block.source.data.length).toBeLessThanOrEqual(apiImageLimits.maxImageBytes);
    }
    expect(await profileDocument(document, 4)).toMatchObject({ mediaType: 'image/tiff', pages: 2, scannedPages: 2, textChars: 0 });
  });

  it('keeps even an incompressible page under the 5 MB image limit, scaled as the API scales', async () => {
    // Pure noise does not compress: at full size (3000x4000) it would be a ~36 MB PNG.
    let seed = 7;
    const data = new Uint8Array(3000 * 4000 * 4).map((_, i) => (i % 4 === 3 ? 255 : ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff));
    const block = pageImageBlock({ width: 3000, height: 4000, data } satisfies RgbaImage);
    if (block.type !== 'image' || block.source.type !== 'base64') throw new Error('expected a base64 image');
    expect(block.source.media_type).toBe('image/png');
    expect(block.source.data.length).toBeLessThanOrEqual(apiImageLimits.maxImageBytes);
    const { width, height } = (await import('../src/extraction/formats/image')).imageSize('image/png', Buffer.from(block.source.data, 'base64'))!;
    expect([width, height]).toEqual([928, 1238]);
    expect(width * height).toBeLessThanOrEqual(apiImageLimits.maxPixels);
  }, 60_000);
});

describe('new formats through the local extractor', () => {
  it.each([...converted, ...textual])('reads %s exactly', async (name) => {
    const extraction = await createLocalExtractor().extract({ document: await sample(name), schemaName: 'invoice', schema: invoiceSchema });
    expect(extraction.data).toEqual(expected[name]);
  }, 120_000);

  it('drops an HTML invoice\'s scripts and styles', async () => {
    const text = await documentText(await sample('email-invoice.html'));
    expect(text).not.toMatch(/analytics|999999|font-family|display: none|Enable JavaScript/);
    expect(text).toMatch(/Invoice Number:\s+2024-3972/);
  });
});

describe('new formats through the anthropic extractor (emulator)', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('rejects media types the real API rejects with 400 invalid_request_error', async () => {
    const client = new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries: 0 });
    const tiff = await readFile(path.join(formatsDir, 'scan-two-pages.tiff'));
    const error = await client.messages
      .create({
        model: models.complex,
        max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/tiff' as 'image/png', data: tiff.toString('base64') } }] }],
      })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect(JSON.stringify((error as APIError).error)).toMatch(/invalid_request_error.*media_type.*image\/jpeg/);
  });

  it.each(converted)('sends %s as PNG pages and gets its fields', async (name) => {
    const before = emulator.log.length;
    const extractor = createAnthropicExtractor({ apiKey: 'test-key', baseURL: emulator.url, models, rateLimiter: false });
    const extraction = await extractor.extract({ document: await sample(name), schemaName: 'invoice', schema: invoiceSchema });
    const calls = emulator.log.slice(before);
    expect(calls.map((call) => call.status)).toEqual([200]);
    expect(calls[0]!.mediaTypes).toEqual(name.endsWith('.tiff') ? ['image/png', 'image/png'] : ['image/png']);
    expect(extraction.model).toBe(models.complex); // an image needs vision
    const data = invoiceSchema.parse(extraction.data);
    expect([data.invoiceNumber, data.total]).toEqual([expected[name]!.invoiceNumber, expected[name]!.total]);
  }, 120_000);

  it.each(textual)('sends %s as its text', async (name) => {
    const before = emulator.log.length;
    const extractor = createAnthropicExtractor({ apiKey: 'test-key', baseURL: emulator.url, models, rateLimiter: false });
    const extraction = await extractor.extract({ document: await sample(name), schemaName: 'invoice', schema: invoiceSchema });
    const calls = emulator.log.slice(before);
    expect(calls.map((call) => [call.status, call.mediaTypes])).toEqual([[200, []]]);
    expect(extraction.model).toBe(models.simple);
    expect(extraction.data).toEqual(expected[name]);
  }, 60_000);
});

describe('a batch over the format samples', () => {
  it('extracts every format; e-invoices are marked, free and exact; the damaged one warns', async () => {
    const { readJsonLines, startBatch, startTestWorker, testClient, uniqueId } = await import('./helpers/batch');
    const taskQueue = uniqueId('formats-batch');
    const { stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } });
    try {
      const handle = await startBatch(await testClient(), taskQueue, uniqueId('formats'), {
        source: { dir: formatsDir, exclude: ['expected.json'] },
        outputDir: await tempDir('docbatch-formats-batch-'),
        chunkSize: 4,
        extractor: 'local',
      });
      const summary = await handle.result();
      const results = await readJsonLines<DocumentResult>(summary.files.results);
      const byName = new Map(results.map((result) => [path.basename(result.path), result]));
      expect([...byName.keys()].sort()).toEqual(Object.keys(expected).sort());
      for (const [name, result] of byName) {
        expect({ name, status: result.status, error: result.error }).toEqual({ name, status: 'succeeded', error: null });
      }
      const eInvoices = ['factur-x.pdf', 'zugferd-1.0.pdf', 'xrechnung-cii.xml', 'peppol-ubl-invoice.xml', 'peppol-ubl-credit-note.xml'];
      for (const name of eInvoices) {
        expect(byName.get(name)).toMatchObject({ source: 'e-invoice', model: 'e-invoice', data: expected[name], usage: { costUsd: 0 } });
      }
      const damaged = byName.get('factur-x-damaged-xml.pdf')!;
      expect(damaged.source).toBeUndefined();
      expect(damaged.warnings).toEqual([expect.stringContaining('e-invoice XML not used')]);
      expect(damaged.data).toMatchObject({ invoiceNumber: expected['factur-x-damaged-xml.pdf']!.invoiceNumber, total: expected['factur-x-damaged-xml.pdf']!.total });
    } finally {
      await stop();
    }
  }, 300_000);
});

describe('e-invoices from the result cache', () => {
  it('keep their e-invoice mark when served from the cache', async () => {
    const { readJsonLines, startBatch, startTestWorker, testClient, uniqueId } = await import('./helpers/batch');
    const { createFileResultCache } = await import('../src/store/result-cache');
    const taskQueue = uniqueId('formats-cache');
    const { stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: createFileResultCache(await tempDir('docbatch-formats-cache-')) } });
    try {
      const run = async () => {
        const handle = await startBatch(await testClient(), taskQueue, uniqueId('formats-cache'), {
          source: { dir: formatsDir, include: ['*.xml'] },
          outputDir: await tempDir('docbatch-formats-cache-out-'),
          extractor: 'local',
        });
        return readJsonLines<DocumentResult>((await handle.result()).files.results);
      };
      const first = await run();
      const second = await run();
      expect(first.map((result) => [result.cached, result.source])).toEqual(first.map(() => [false, 'e-invoice']));
      expect(second.map((result) => [result.cached, result.source, result.data])).toEqual(first.map((result) => [true, 'e-invoice', result.data]));
    } finally {
      await stop();
    }
  }, 300_000);
});
