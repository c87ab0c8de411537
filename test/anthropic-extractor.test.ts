import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentIdentity, startEmulator, type Emulator } from '../src/emulator';
import {
  createAnthropicExtractor,
  mergePartData,
  retryAfterMs,
  routeModel,
  type AnthropicExtractorOptions,
  type DocumentProfile,
} from '../src/extraction/anthropic';
import { loadDocument } from '../src/extraction/document';
import { BatchFault, DocumentError, TransientError } from '../src/extraction/errors';
import type { SourceDocument } from '../src/extraction/extractor';
import { estimateBatch } from '../src/extraction/estimate';
import { costOf, modelPrices } from '../src/extraction/pricing';
import { DecoderPool, isolatedDecoding } from '../src/extraction/isolation';
import { createRateLimiter, type RateLimiter } from '../src/extraction/rate-limit';
import { FaultGate } from '../src/extraction/anthropic/fault-gate';
import { invoiceSchema } from '../src/extraction/schemas/invoice';

const samples = path.resolve('samples/invoices');
const models = { simple: 'claude-haiku-4-5', complex: 'claude-sonnet-4-5', escalation: 'claude-opus-4-5' };
const sample = (name: string) => loadDocument(path.join(samples, name));

describe('model routing', () => {
  const profile = (overrides: Partial<DocumentProfile>): DocumentProfile => ({
    mediaType: 'application/pdf',
    bytes: 40_000,
    pages: 1,
    textChars: 1500,
    scannedPages: 0,
    tokens: 1925,
    ...overrides,
  });

  it('sends short text-layer documents to the simple model', () => {
    expect(routeModel(profile({}), models).model).toBe(models.simple);
    expect(routeModel(profile({ mediaType: 'text/plain', pages: 1 }), models).tier).toBe('simple');
  });

  it('sends images, scans, long, large or wordy documents to the complex model', () => {
    expect(routeModel(profile({ mediaType: 'image/png', scannedPages: 1, textChars: 0 }), models).model).toBe(models.complex);
    expect(routeModel(profile({ scannedPages: 1 }), models).tier).toBe('complex');
    expect(routeModel(profile({ pages: 4 }), models).tier).toBe('complex');
    expect(routeModel(profile({ bytes: 3 * 1024 * 1024 }), models).tier).toBe('complex');
    expect(routeModel(profile({ textChars: 50_000 }), models).tier).toBe('complex');
  });

  it('honours configured thresholds', () => {
    expect(routeModel(profile({ pages: 8 }), models, { maxSimplePages: 10, maxSimpleBytes: 1e9, maxSimpleTextChars: 1e9 }).tier).toBe('simple');
  });
});

describe('merging the parts of a split document', () => {
  it('takes each scalar from the first part that has it and concatenates line items', () => {
    const item = (description: string) => ({ description, quantity: 1, unitPrice: 1, amount: 1 });
    const merged = mergePartData([
      { invoiceNumber: 'A-1', total: null, dueDate: null, lineItems: [item('a'), item('b')] },
      { invoiceNumber: 'ignored', total: null, dueDate: '2025-01-31', lineItems: [item('c')] },
      { invoiceNumber: null, total: 99.5, dueDate: '2099-01-01', lineItems: [] },
    ]);
    expect(merged).toEqual({ invoiceNumber: 'A-1', total: 99.5, dueDate: '2025-01-31', lineItems: [item('a'), item('b'), item('c')] });
  });
});

describe('pricing', () => {
  it('prices input, output, cache writes (1.25x) and cache reads (0.1x) per model', () => {
    const tokens = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheWriteTokens: 1_000_000, cacheReadTokens: 1_000_000 };
    expect(costOf('claude-haiku-4-5', tokens)).toBeCloseTo(1 + 5 + 1.25 + 0.1, 6);
    expect(costOf('claude-sonnet-4-5-20250929', tokens)).toBeCloseTo(3 + 15 + 3.75 + 0.3, 6);
    expect(() => costOf('claude-unknown-1', tokens)).toThrow(/no price/);
  });
});

describe('retry-after', () => {
  it('reads retry-after-ms, retry-after seconds, and exhausted rate-limit resets', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '7' }), now)).toBe(7000);
    const resets = new Headers({
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2025-01-01T00:00:12Z',
      'anthropic-ratelimit-input-tokens-remaining': '500',
      'anthropic-ratelimit-input-tokens-reset': '2025-01-01T00:00:30Z',
    });
    expect(retryAfterMs(resets, now)).toBe(12_000);
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe('adaptive rate limiter', () => {
  const headers = (limit: number, remaining: number) =>
    new Headers({ 'anthropic-ratelimit-requests-limit': String(limit), 'anthropic-ratelimit-requests-remaining': String(remaining) });

  it('starts at the whole limit when the shared bucket is full, backs off when it sinks into the reserve', () => {
    let now = 0;
    const limiter = createRateLimiter({ now: () => now });
    limiter.observe(headers(600, 600));
    expect(limiter.snapshot().requestsPerMinute).toBe(600);
    now += 1000;
    limiter.observe(headers(600, 20));
    const lowered = limiter.snapshot().requestsPerMinute;
    expect(lowered).toBeLessThan(600);
    now += 1000;
    limiter.observe(headers(600, 200));
    expect(limiter.snapshot().requestsPerMinute).toBe(lowered);
    now += 1000;
    limiter.observe(headers(600, 400));
    expect(limiter.snapshot().requestsPerMinute).toBeGreaterThan(lowered);
  });

  it('pauses every request of the process after a 429', () => {
    let now = 0;
    const limiter = createRateLimiter({ now: () => now });
    limiter.pause(3000);
    expect(limiter.snapshot().pausedForMs).toBe(3000);
    now += 3000;
    expect(limiter.snapshot().pausedForMs).toBe(0);
  });
});

describe('fault gate', () => {
  const rejected = new BatchFault('credentials_rejected', 'ANTHROPIC_API_KEY rejected (401)');

  it('lets one probe out while a fault stands; a probe that ends undecided hands its turn to the next', async () => {
    const gate = new FaultGate();
    gate.failed(rejected);
    const mark = gate.mark();
    expect(await gate.enter(mark)).toEqual({ probe: true });
    let second: { probe: boolean } | undefined;
    const waiting = gate.enter(mark).then((ticket) => (second = ticket));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBeUndefined();
    gate.undecided({ probe: true });
    expect(await waiting).toEqual({ probe: true });
    gate.answered();
    expect(await gate.enter(mark)).toEqual({ probe: false });
  });

  it('fails a call of an extraction that began before the fault, but not once the fault is over', async () => {
    const gate = new FaultGate();
    const before = gate.mark();
    gate.failed(rejected);
    await expect(gate.enter(before)).rejects.toBe(rejected);
    gate.answered();
    expect(await gate.enter(before)).toEqual({ probe: false });
  });
});

describe('anthropic extractor against the emulator', () => {
  let emulator: Emulator;
  const extractor = (overrides: Partial<AnthropicExtractorOptions> = {}) =>
    createAnthropicExtractor({ apiKey: 'test-key', baseURL: emulator.url, models, rateLimiter: false, ...overrides });
  const extract = (document: SourceDocument, overrides: Partial<AnthropicExtractorOptions> = {}) =>
    extractor(overrides).extract({ document, schemaName: 'invoice', schema: invoiceSchema });
  const extractError = async (document: SourceDocument, overrides: Partial<AnthropicExtractorOptions> = {}) => {
    const error = await extract(document, overrides).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeDefined();
    return error;
  };

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => {
    emulator.setFault(null);
    emulator.setValidKeys(['test-key']);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('extracts a text invoice with the simple model in one call', async () => {
    const document = await sample('invoice-02-two-column.txt');
    const extraction = await extract(document);
    expect(invoiceSchema.parse(extraction.data).invoiceNumber).toBeTruthy();
    expect(extraction).toMatchObject({ model: models.simple, calls: 1 });
    expect(emulator.callsFor(documentIdentity(document.bytes))).toHaveLength(1);
  });

  it('extracts a PDF sent as a document block', async () => {
    const document = await sample('invoice-01-classic.pdf');
    const extraction = await extract(document);
    expect(invoiceSchema.parse(extraction.data).total).not.toBeNull();
    expect(extraction.model).toBe(models.simple);
  });

  it('extracts an image sent as an image block, on the complex model', async () => {
    const document = await sample('scan-01.png');
    const extraction = await extract(document);
    expect(invoiceSchema.parse(extraction.data).invoiceNumber).toBeTruthy();
    expect(extraction.model).toBe(models.complex);
  });

  it('reports usage and cost per document exactly as the pricing table prices the calls', async () => {
    const document = await sample('invoice-06-classic.txt');
    emulator.setFault({ kind: 'invalid_output', count: 1 });
    const extraction = await extract(document);
    const calls = emulator.callsFor(documentIdentity(document.bytes)).slice(-2);
    expect(calls.map((call) => call.turn)).toEqual(['first', 'repair']);
    const tokens = calls.map((call) => ({
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      cacheReadTokens: call.cacheReadTokens,
      cacheWriteTokens: call.cacheWriteTokens,
    }));
    const sum = (key: keyof (typeof tokens)[number]) => tokens.reduce((total, call) => total + call[key], 0);
    expect(extraction.usage).toMatchObject({
      inputTokens: sum('inputTokens'),
      outputTokens: sum('outputTokens'),
      cacheReadTokens: sum('cacheReadTokens'),
      cacheWriteTokens: sum('cacheWriteTokens'),
    });
    const price = modelPrices['claude-haiku-4-5'];
    const expected = tokens.reduce(
      (total, call) =>
        total +
        (call.inputTokens * price.inputPerMTok +
          call.cacheWriteTokens * price.inputPerMTok * 1.25 +
          call.cacheReadTokens * price.inputPerMTok * 0.1 +
          call.outputTokens * price.outputPerMTok) /
          1e6,
      0,
    );
    expect(extraction.usage.costUsd).toBeCloseTo(expected, 6);
  });

  it('reads the cached prefix on the second request, where the prefix reaches the model minimum', async () => {
    const sonnetOnly = { simple: 'claude-sonnet-4-5', complex: 'claude-sonnet-4-5', escalation: 'claude-sonnet-4-5' };
    const first = await extract(await sample('invoice-08-minimal.txt'), { models: sonnetOnly });
    const second = await extract(await sample('invoice-12-two-column.txt'), { models: sonnetOnly });
    expect(first.usage.cacheWriteTokens + first.usage.cacheReadTokens).toBeGreaterThan(0);
    expect(second.usage.cacheReadTokens).toBeGreaterThan(0);
    expect(second.usage.cacheWriteTokens).toBe(0);
  });

  it('caches nothing on Haiku 4.5, whose 4,096-token minimum is above the prefix', async () => {
    const extraction = await extract(await sample('invoice-16-classic.txt'));
    expect(extraction.model).toBe('claude-haiku-4-5');
    expect(extraction.usage.cacheReadTokens + extraction.usage.cacheWriteTokens).toBe(0);
  });

  it('repairs malformed output in one repair turn', async () => {
    const document = await sample('invoice-18-minimal.txt');
    emulator.setFault({ kind: 'malformed_output', count: 1, documentId: documentIdentity(document.bytes) });
    const extraction = await extract(document);
    expect(extraction).toMatchObject({ calls: 2, model: models.simple });
    expect(emulator.callsFor(documentIdentity(document.bytes)).map((call) => [call.turn, call.model, call.fault])).toEqual([
      ['first', models.simple, 'malformed_output'],
      ['repair', models.simple, undefined],
    ]);
  });

  it('tries the escalation model once when the repair fails, then fails the document with the errors', async () => {
    const document = await sample('invoice-20-statement.txt');
    const id = documentIdentity(document.bytes);
    emulator.setFault({ kind: 'invalid_output', count: 3, documentId: id });
    const error = await extractError(document);
    expect(error).toBeInstanceOf(DocumentError);
    expect(error).toMatchObject({ type: 'validation_failed' });
    expect((error as DocumentError).message).toMatch(/issueDate: expected an ISO date/);
    expect((error as DocumentError).usage?.costUsd).toBeGreaterThan(0);
    expect(emulator.callsFor(id).map((call) => [call.turn, call.model])).toEqual([
      ['first', models.simple],
      ['repair', models.simple],
      ['first', models.escalation],
    ]);
  });

  it('succeeds on the escalation model when it answers validly', async () => {
    const document = await sample('invoice-22-two-column.txt');
    emulator.setFault({ kind: 'invalid_output', count: 2, documentId: documentIdentity(document.bytes) });
    const extraction = await extract(document);
    expect(extraction).toMatchObject({ calls: 3, model: models.escalation });
  });

  it('splits a PDF beyond the page limit into parts and merges their results', async () => {
    const first = await sample('invoice-01-classic.pdf');
    const second = await sample('invoice-03-minimal.pdf');
    const combined = await PDFDocument.create();
    for (const bytes of [first.bytes, second.bytes]) {
      const source = await PDFDocument.load(bytes);
      for (const page of await combined.copyPages(source, source.getPageIndices())) combined.addPage(page);
    }
    const document: SourceDocument = { path: 'two-invoices.pdf', mediaType: 'application/pdf', bytes: Buffer.from(await combined.save()) };
    const before = emulator.log.length;

    const merged = invoiceSchema.parse((await extract(document, { limits: { maxPdfPages: 1 } })).data);
    const parts = [invoiceSchema.parse((await extract(first)).data), invoiceSchema.parse((await extract(second)).data)];

    const partCalls = emulator.log.slice(before, before + 2);
    expect(partCalls).toHaveLength(2);
    expect(new Set(partCalls.map((call) => call.documentId)).size).toBe(2);
    expect(merged.lineItems).toEqual([...parts[0]!.lineItems, ...parts[1]!.lineItems]);
    for (const field of ['invoiceNumber', 'issueDate', 'dueDate', 'issuer', 'buyer', 'currency', 'subtotal', 'tax', 'total'] as const) {
      expect(merged[field]).toEqual(parts[0]![field] ?? parts[1]![field]);
    }
  });

  it('fails a document whose single page is beyond the request size as too_large', async () => {
    const error = await extractError(await sample('invoice-01-classic.pdf'), { limits: { maxPdfPages: 100, maxRequestBytes: 65 * 1024 } });
    expect(error).toMatchObject({ type: 'too_large' });
  });

  it('maps a 429 to a retryable rate_limited error with the server retry-after', async () => {
    const limited = await startEmulator({ requestsPerMinute: 1 });
    try {
      const options = { baseURL: limited.url };
      await extract(await sample('invoice-24-continental.txt'), options);
      const error = await extractError(await sample('invoice-26-classic.txt'), options);
      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ type: 'rate_limited' });
      expect((error as TransientError).retryAfterMs).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it('maps 529 and 500 to retryable overloaded and server_error', async () => {
    const document = await sample('invoice-28-minimal.txt');
    emulator.setFault({ kind: 'overloaded', count: 1 });
    expect(await extractError(document)).toMatchObject({ name: 'TransientError', type: 'overloaded' });
    emulator.setFault({ kind: 'server_error', count: 1 });
    expect(await extractError(document)).toMatchObject({ name: 'TransientError', type: 'server_error' });
  });

  it('maps a request that hangs past the timeout to a retryable timeout', async () => {
    emulator.setFault({ kind: 'hang', count: 1 });
    expect(await extractError(await sample('invoice-30-statement.txt'), { requestTimeoutMs: 300 })).toMatchObject({
      name: 'TransientError',
      type: 'timeout',
    });
  });

  it('maps a 401 to a BatchFault that names the fix, and works once the key is fixed', async () => {
    const document = await sample('invoice-34-continental.txt');
    emulator.setValidKeys(['the-new-key']);
    const error = await extractError(document);
    expect(error).toBeInstanceOf(BatchFault);
    expect(error).toMatchObject({ type: 'credentials_rejected' });
    expect((error as BatchFault).message).toBe('ANTHROPIC_API_KEY rejected (401): set a valid key, then `docbatch resume <id>`');
    emulator.setValidKeys(['test-key']);
    expect((await extract(document)).calls).toBe(1);
  });

  it('after a rejected key, documents under way fail with it unsent, later ones send one probe, and a fixed key goes through without a restart', async () => {
    const documents = await Promise.all(
      ['02-two-column', '04-continental', '06-classic', '08-minimal', '10-statement', '12-two-column', '16-classic', '18-minimal'].map((name) => sample(`invoice-${name}.txt`)),
    );
    // A rate limiter that lets the first call out at once and holds the others until released: documents paced behind it.
    let paced = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const limiter: RateLimiter = { ...createRateLimiter(), acquire: async () => (paced++ === 0 ? undefined : held) };
    const claude = extractor({ rateLimiter: limiter });
    const outcomes = (batch: SourceDocument[]) =>
      batch.map((document) => claude.extract({ document, schemaName: 'invoice', schema: invoiceSchema }).then(() => 'extracted' as const, (error: unknown) => error));
    const since = emulator.log.length;
    const rejected = () => emulator.log.slice(since).filter((entry) => entry.status === 401).length;
    emulator.setValidKeys(['the-new-key']);

    // Eight documents under way, one call in flight: the other seven never send.
    const underWay = outcomes(documents);
    expect(await Promise.race(underWay)).toBeInstanceOf(BatchFault);
    release();
    for (const outcome of await Promise.all(underWay)) expect(outcome).toMatchObject({ name: 'BatchFault', type: 'credentials_rejected' });
    expect(rejected()).toBe(1);

    // Documents that begin while the fault stands (the rest of a chunk, another chunk): one probe, rejected, fails them all.
    for (const outcome of await Promise.all(outcomes(documents.slice(0, 4)))) expect(outcome).toMatchObject({ name: 'BatchFault', type: 'credentials_rejected' });
    expect(rejected()).toBe(2);

    // The key is fixed and the batch resumed: the same extractor goes through.
    emulator.setValidKeys(['test-key']);
    expect(await Promise.all(outcomes(documents.slice(0, 4)))).toEqual(['extracted', 'extracted', 'extracted', 'extracted']);
    expect(rejected()).toBe(2);
  });

  it('maps an exhausted credit balance and a 403 to BatchFaults', async () => {
    const document = await sample('invoice-36-classic.txt');
    emulator.setFault({ kind: 'billing', count: 1 });
    expect(await extractError(document)).toMatchObject({ name: 'BatchFault', type: 'spend_limit_reached' });
    emulator.setFault({ kind: 'permission_denied', count: 1 });
    expect(await extractError(document)).toMatchObject({ name: 'BatchFault', type: 'permission_denied' });
  });

  it('puts models, routing and the extractor version in its settingsKey', () => {
    const key = extractor().settingsKey;
    expect(key).toContain(models.simple);
    expect(key).toContain(models.escalation);
    expect(extractor({ models: { ...models, complex: 'claude-opus-4-6' } }).settingsKey).not.toBe(key);
  });
});

describe('batch estimate', () => {
  it('routes, counts and prices the documents of a batch without calling the API', async () => {
    const paths = ['invoice-02-two-column.txt', 'invoice-01-classic.pdf', 'scan-01.png', 'broken-empty.txt'].map((name) => path.join(samples, name));
    const estimate = await estimateBatch(paths, { models });
    expect(estimate).toMatchObject({ documents: 4, unreadable: 1 });
    expect(estimate.byModel.map((entry) => [entry.model, entry.documents])).toEqual([
      [models.simple, 2],
      [models.complex, 1],
    ]);
    for (const entry of estimate.byModel) expect(entry.costUsd).toBe(costOf(entry.model, entry));
    expect(estimate.inputTokens).toBeGreaterThan(1550 + 1000);
  });
});

describe('content for Claude is converted in the decoder pool', () => {
  const formats = path.resolve('samples/formats');
  const formatSample = (name: string) => loadDocument(path.join(formats, name));
  let emulator: Emulator;
  const pools: DecoderPool[] = [];
  // A decoder that misbehaves by the document's name (test/fixtures/misbehaving-decoder.ts).
  const misbehavingPool = (timeoutMs = 60_000) => {
    const pool = new DecoderPool({ entry: fileURLToPath(new URL('./fixtures/misbehaving-decoder.ts', import.meta.url)), size: 1, timeoutMs });
    pools.push(pool);
    return pool;
  };
  const extract = (document: SourceDocument, decoderPool?: DecoderPool) =>
    createAnthropicExtractor({ apiKey: 'test-key', baseURL: emulator.url, models, rateLimiter: false, ...(decoderPool ? { decoderPool } : {}) }).extract({ document, schemaName: 'invoice', schema: invoiceSchema });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DocumentError);
    return error as DocumentError;
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setValidKeys(['test-key']);
  });
  afterAll(async () => {
    for (const pool of pools) await pool.close();
    await emulator.stop();
  });

  it('converts TIFF, BMP and HEIC pages to PNG image blocks and DOCX/HTML to text in a decoder process', async () => {
    for (const name of ['scan-two-pages.tiff', 'scan-receipt.bmp', 'photo-receipt.heic']) {
      const blocks = await isolatedDecoding.documentContent(await formatSample(name));
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) expect(block).toMatchObject({ type: 'image', source: { type: 'base64', media_type: expect.stringMatching(/^image\/(png|jpeg)$/) as unknown } });
    }
    expect(await isolatedDecoding.documentContent(await formatSample('scan-two-pages.tiff'))).toHaveLength(2);
    for (const name of ['word-invoice.docx', 'email-invoice.html']) {
      const [block, ...rest] = await isolatedDecoding.documentContent(await formatSample(name));
      expect(rest).toEqual([]);
      expect(block).toMatchObject({ type: 'text', text: expect.stringMatching(/\d/) as unknown });
    }
  }, 120_000);

  it('fails a document whose conversion crashes the decoder as corrupt, and the pool and the extractor go on', async () => {
    const pool = misbehavingPool();
    // A BMP is profiled from its header in the worker, so the first thing the decoder sees is the content conversion.
    const bmp = await formatSample('scan-receipt.bmp');
    const error = await failure(extract({ ...bmp, path: '/in/crash' }, pool));
    expect(error.type).toBe('corrupt');
    expect(error.message).toContain('/in/crash');
    expect(await pool.run({ name: 'content', document: { ...bmp, path: '/in/next' } })).toMatch(/^\/in\/next on \d+$/);
    const text = await loadDocument(path.join(samples, 'invoice-02-two-column.txt'));
    expect((await extract(text, pool)).calls).toBe(1);
  }, 120_000);

  it('fails a document whose conversion hangs as timeout, and the pool goes on', async () => {
    const pool = misbehavingPool(2_000);
    const bmp = await formatSample('scan-receipt.bmp');
    const error = await failure(extract({ ...bmp, path: '/in/hang' }, pool));
    expect(error.type).toBe('timeout');
    expect(await pool.run({ name: 'content', document: { ...bmp, path: '/in/next' } })).toMatch(/^\/in\/next on \d+$/);
  }, 120_000);
});
