import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtractorFor } from '../src/activities/extractor-for';
import { batchInputFromOptions } from '../src/client/batch-input';
import { startEmulator, type Emulator } from '../src/emulator';
import { documentIdentity } from '../src/emulator/request';
import { resolveSchemaArgument } from '../src/extraction/schemas/load';
import type { DocumentResult } from '../src/store/document-result';
import type { BatchSummary } from '../src/batch/summary';
import { failureTypes } from '../src/batch/failures';
import * as messages from '../src/batch/messages';
import { readJsonLines, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';
import { reviewInvoiceText } from './helpers/review-batch';

/**
 * Schemas from the user and consistency checks, end to end: the real workflow on the dev server,
 * the real SDK against the emulator, which answers whatever JSON Schema it is sent.
 */
const fixtures = path.resolve('test/fixtures/schemas');
const taskQueue = uniqueId('schemas');
let emulator: Emulator;
let client: Client;
let stop: () => Promise<void>;

beforeAll(async () => {
  emulator = await startEmulator({ validKeys: ['test-key'], latency: { minMs: 5, maxMs: 20 } });
  const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: emulator.url };
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: createExtractorFor(env), hasAnthropicKey: () => true, resultCache: null } }));
  client = await testClient();
});
afterAll(async () => {
  await stop?.();
  await emulator?.stop();
});

async function documents(prefix: string, texts: Record<string, string>): Promise<string> {
  const dir = await tempDir(prefix);
  for (const [name, text] of Object.entries(texts)) await writeFile(path.join(dir, name), text);
  return dir;
}

function batch(dir: string, extra: Record<string, unknown>) {
  return startBatch(client, taskQueue, uniqueId('schema'), {
    source: { dir },
    outputDir: path.join(dir, 'out'),
    extractor: 'anthropic',
    chunkSize: 2,
    concurrency: 2,
    cache: false,
    retry: { initialInterval: '100ms', maximumInterval: '2s' },
    ...extra,
  });
}

async function resultsByName(summary: BatchSummary): Promise<Map<string, DocumentResult>> {
  const results = await readJsonLines<DocumentResult>(summary.files.results);
  return new Map(results.map((result) => [path.basename(result.path), result]));
}

async function callsFor(file: string): Promise<string[]> {
  const id = documentIdentity(await readFile(file));
  return emulator.log.filter((entry) => entry.documentId === id && entry.status === 200).map((entry) => entry.turn);
}

describe('schemas from the user, end to end', () => {
  it('extracts with a custom JSON Schema file: nested fields as dotted CSV columns, the fingerprint in the summary', async () => {
    const dir = await documents('po', {
      'po-1.txt': 'Acme Tools GmbH\nPURCHASE ORDER\nPurchase order number: PO-1001\nBuyer: Globex Corporation\nCountry: DE\nCurrency: EUR\nTotal: 120.00\n',
      'po-2.txt': 'Umbrella Supplies\nPURCHASE ORDER\nPurchase order number: PO-1002\nBuyer: Initech\nCountry: FR\n',
    });
    const { reference } = await resolveSchemaArgument(path.join(fixtures, 'purchase-order.schema.json'));
    const summary = await (await batch(dir, { schema: reference })).result();
    expect(summary).toMatchObject({ state: 'completed', succeeded: 2, failed: 0, needsReview: 0 });
    expect(summary.schema).toEqual({ name: 'purchase-order.schema', fingerprint: typeof reference === 'object' ? reference.fingerprint : '', source: path.join(fixtures, 'purchase-order.schema.json') });

    const results = await resultsByName(summary);
    expect(results.get('po-1.txt')!.data).toEqual({
      orderNumber: 'PO-1001',
      buyer: 'Globex Corporation',
      supplier: { name: 'Acme Tools GmbH', country: 'DE' },
      currency: 'EUR',
      subtotal: null,
      tax: null,
      total: 120,
      lineItems: [],
    });
    expect(results.get('po-2.txt')!.data).toMatchObject({ orderNumber: 'PO-1002', supplier: { name: 'Umbrella Supplies', country: 'FR' }, currency: null, total: null });

    const rows = parse<Record<string, string>>(await readFile(summary.files.resultsCsv, 'utf8'), { columns: true });
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['orderNumber', 'supplier.name', 'supplier.country', 'lineItems']));
    expect(rows.map((row) => row['supplier.country'])).toEqual(['DE', 'FR']);
    expect(summary.fieldFillRates).toMatchObject({ orderNumber: 1, 'supplier.name': 1, currency: 0.5, subtotal: 0, lineItems: 0 });
  });

  it('extracts with a zod module; its check flags a document for review after one repair turn that could not fix it', async () => {
    const dir = await documents('delivery', {
      'dn-1.txt': 'DELIVERY NOTE\nDelivery note number: DN-42\nShipper: Acme Logistics\nName: Globex\nCity: Lyon\nNumber of packages: 3\nGross weight in kg: 12.5\n',
      'dn-2.txt': 'DELIVERY NOTE\nDelivery note number: DN-43\nShipper: Acme Logistics\nName: Initech\nCity: Porto\nNumber of packages: 2\nGross weight in kg: 5000\n',
    });
    const { reference } = await resolveSchemaArgument(path.join(fixtures, 'delivery-note.ts'));
    const summary = await (await batch(dir, { schema: reference })).result();
    expect(summary).toMatchObject({ state: 'completed', succeeded: 2, failed: 0, needsReview: 1, warningsByCheck: { 'weight per package': 1 } });

    const results = await resultsByName(summary);
    expect(results.get('dn-1.txt')).toMatchObject({
      data: { deliveryNumber: 'DN-42', shipper: 'Acme Logistics', recipient: { name: 'Globex', city: 'Lyon' }, packages: 3, weightKg: 12.5 },
    });
    expect(results.get('dn-1.txt')).not.toHaveProperty('needsReview');
    expect(results.get('dn-2.txt')).toMatchObject({ status: 'succeeded', needsReview: true, warnings: ['weight per package: 5000 kg over 2 packages is more than a tonne each'] });
    expect(await callsFor(path.join(dir, 'dn-1.txt'))).toEqual(['first']);
    expect(await callsFor(path.join(dir, 'dn-2.txt'))).toEqual(['first', 'repair']);

    const review = await readJsonLines<{ path: string; reasons: string[] }>(summary.files.review!);
    expect(review).toEqual([expect.objectContaining({ path: path.join(dir, 'dn-2.txt'), reasons: results.get('dn-2.txt')!.warnings })]);
  });
});

describe('consistency checks with Claude: one repair turn names the failed check', () => {
  /** For each check, an answer patch that breaks it and only it. */
  const breaks: Record<string, (n: number) => Record<string, unknown>> = {
    'line items sum': (n) => {
      const { subtotal, total } = amounts(n);
      return { subtotal: subtotal + 50, total: total + 50 };
    },
    'line amounts': (n) => ({ lineItems: [{ ...amounts(n).lines[0]!, unitPrice: 1 }, amounts(n).lines[1]!] }),
    'totals add up': (n) => ({ total: amounts(n).total + 100 }),
    'plausible amounts': (n) => ({ tax: amounts(n).subtotal * 0.5, total: amounts(n).subtotal * 1.5 }),
    'dates in order': () => ({ dueDate: '2025-01-15' }),
    'one currency': () => ({ currency: null }),
  };

  it('keeps the repaired answer when it passes, and flags the document for review when the repair does not fix it', async () => {
    const names = Object.keys(breaks);
    const texts: Record<string, string> = { 'invoice-00.txt': reviewInvoiceText(0) };
    names.forEach((_, index) => {
      texts[`invoice-${index + 1}-fixed.txt`] = reviewInvoiceText(index + 1);
      texts[`invoice-${index + 1}-kept.txt`] = reviewInvoiceText(index + 11);
    });
    const dir = await documents('checks', texts);
    for (const [index, name] of names.entries()) {
      const fixed = documentIdentity(Buffer.from(texts[`invoice-${index + 1}-fixed.txt`]!));
      const kept = documentIdentity(Buffer.from(texts[`invoice-${index + 1}-kept.txt`]!));
      emulator.addFault({ kind: 'inconsistent_output', documentId: fixed, count: 1, patch: breaks[name]!(index + 1) });
      emulator.addFault({ kind: 'inconsistent_output', documentId: kept, count: 2, patch: breaks[name]!(index + 11) });
    }
    const summary = await (await batch(dir, { schema: 'invoice' })).result();
    emulator.setFault(null);
    expect(summary).toMatchObject({ state: 'completed', succeeded: 13, failed: 0, needsReview: names.length });
    expect(summary.warningsByCheck).toEqual(Object.fromEntries(names.map((name) => [name, 1])));

    const results = await resultsByName(summary);
    expect(results.get('invoice-00.txt')).not.toHaveProperty('warnings');
    expect(results.get('invoice-00.txt')).not.toHaveProperty('needsReview');
    expect(await callsFor(path.join(dir, 'invoice-00.txt'))).toEqual(['first']);
    for (const [index, name] of names.entries()) {
      const fixed = results.get(`invoice-${index + 1}-fixed.txt`)!;
      expect(fixed, name).toMatchObject({ data: { total: amounts(index + 1).total, dueDate: '2025-03-31', currency: 'EUR' } });
      // A result line carries warnings and needsReview only when there is something to review.
      expect(fixed, name).not.toHaveProperty('warnings');
      expect(fixed, name).not.toHaveProperty('needsReview');
      expect(await callsFor(fixed.path)).toEqual(['first', 'repair']);
      const kept = results.get(`invoice-${index + 1}-kept.txt`)!;
      expect(kept.needsReview, name).toBe(true);
      expect(kept.warnings, name).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
      expect(await callsFor(kept.path)).toEqual(['first', 'repair']);
    }
    const review = await readJsonLines<{ path: string; reasons: string[] }>(summary.files.review!);
    expect(review.map((line) => path.basename(line.path)).sort()).toEqual(names.map((_, index) => `invoice-${index + 1}-kept.txt`).sort());
    const rows = parse<Record<string, string>>(await readFile(summary.files.resultsCsv, 'utf8'), { columns: true });
    expect(rows.filter((row) => row.needs_review === '1')).toHaveLength(names.length);
  });
});

describe('refusals', () => {
  it('refuses, when the batch starts, a schema the chosen extractor cannot fill: one message, no document touched', async () => {
    const dir = await documents('mismatch', { 'a.txt': reviewInvoiceText(1), 'b.txt': reviewInvoiceText(2) });
    const { reference } = await resolveSchemaArgument(path.join(fixtures, 'purchase-order.schema.json'));
    for (const schema of [reference]) {
      const handle = await batch(dir, { schema, extractor: 'local' });
      const error = await handle.result().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ActivityFailure);
      const refusal = (cause as ActivityFailure).cause;
      expect(refusal).toBeInstanceOf(ApplicationFailure);
      expect((refusal as ApplicationFailure).type).toBe(failureTypes.invalidInput);
      expect(refusal?.message).toMatch(/^the schema .* cannot be filled by the local extractor, only by the anthropic extractor\. To extract it, set ANTHROPIC_API_KEY/);
      const history = await handle.fetchHistory();
      const scheduled = (history.events ?? []).map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
      expect(scheduled).toEqual(['planBatch']);
    }
    // The CLI refuses before anything starts when --extractor local is asked for.
    await expect(batchInputFromOptions({ dir, schema: path.join(fixtures, 'purchase-order.schema.json'), extractor: 'local' })).rejects.toThrow(/the schema .*purchase-order\.schema\.json cannot be filled by the local extractor/);
  });

  it('pauses a batch whose schema file changed under it with one message, and completes once the file is put back', async () => {
    const dir = await documents('changed', Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`po-${n}.txt`, `Purchase order number: PO-${n}\nBuyer: Globex\n`])));
    const file = path.join(await tempDir('changed-schema'), 'purchase-order.schema.json');
    await copyFile(path.join(fixtures, 'purchase-order.schema.json'), file);
    const original = await readFile(file, 'utf8');
    const { reference } = await resolveSchemaArgument(file);
    emulator.setLatency({ minMs: 400, maxMs: 400 });
    const handle = await batch(dir, { schema: reference, chunkSize: 1, concurrency: 1 });
    try {
      await eventually(async () => expect((await handle.query(messages.progressQuery)).processed).toBeGreaterThanOrEqual(1));
      await writeFile(file, original.replace('purchase order number', 'the PO number'));
      const paused = await eventually(async () => {
        const progress = await handle.query(messages.progressQuery);
        expect(progress.state).toBe('paused');
        return progress;
      });
      expect(paused.pauseReason).toMatch(/^the schema file .*purchase-order\.schema\.json changed after the batch started .*Put the file back as it was and `docbatch resume <id>`/);
    } finally {
      emulator.setLatency({ minMs: 5, maxMs: 20 });
    }
    await writeFile(file, original);
    await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
    const summary = await handle.result();
    expect(summary).toMatchObject({ state: 'completed', succeeded: 6, failed: 0 });
    expect((await readdir(path.dirname(summary.files.results))).sort()).toEqual(expect.arrayContaining(['report.html', 'review.jsonl', 'summary.json']));
  });
});

function amounts(number: number) {
  const quantity = 2 + (number % 5);
  const unit = 40 + number;
  const second = 100 + number * 3;
  const subtotal = quantity * unit + second;
  const tax = Math.round(subtotal * 0.2 * 100) / 100;
  return {
    subtotal,
    tax,
    total: Math.round((subtotal + tax) * 100) / 100,
    lines: [
      { description: 'Consulting services', quantity, unitPrice: unit, amount: quantity * unit },
      { description: 'Annual software licence', quantity: 1, unitPrice: second, amount: second },
    ],
  };
}
