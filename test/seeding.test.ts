import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReview, openBatchReview } from '../src/client/batch-review';
import type { DocumentResult } from '../src/store/document-result';
import { readBatchSnapshot, readIssuerExamples } from '../src/store/example-store';
import { storageAt } from '../src/storage/location';
import { readJsonLines, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';
import { unfamiliarInvoiceText } from './helpers/seeding';

/**
 * Seeding end to end, offline: a correction in one batch's review becomes an example in the store
 * beside the batch, and the next batch of the same issuer, told to learn from that output, reads
 * the corrected fields by the labels the correction taught.
 */
const taskQueue = uniqueId('seeding');
let client: Client;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
  client = await testClient();
});
afterAll(async () => {
  await stop?.();
});

describe('seeding from corrections', () => {
  it('records a correction as its issuer\'s example, and a later batch that learns from the output reads that issuer\'s fields by its labels', async () => {
    const root = await tempDir('seeding');
    const output = path.join(root, 'out');
    const first = path.join(root, 'march');
    const next = path.join(root, 'april');
    await Promise.all([first, next].map((dir) => mkdir(dir)));
    await writeFile(path.join(first, 'kraemer-1.txt'), unfamiliarInvoiceText('RX-2211', 400, { extraLine: true }));
    await writeFile(path.join(next, 'kraemer-2.txt'), unfamiliarInvoiceText('RX-3399', 800));

    const firstId = uniqueId('seed-first');
    const summary = await (await startBatch(client, taskQueue, firstId, { source: { dir: first }, outputDir: output, extractor: 'local', cache: false })).result();
    expect(summary).toMatchObject({ needsReview: 1 });
    const [extracted] = await readJsonLines<DocumentResult>(summary.files.results);
    expect(extracted!.data).toMatchObject({ invoiceNumber: null, total: null });

    const { view } = await openBatchReview(client, firstId, { taskQueue });
    const corrected = { ...extracted!.data, invoiceNumber: 'RX-2211', total: 476, buyer: 'Contoso AG' };
    await decideReview(client, firstId, { action: 'correct', document: view.items[0]!.index, data: corrected, acceptWarnings: true, by: 'alice' });

    const stored = await eventually(async () => {
      const examples = await readIssuerExamples(storageAt(output), 'invoice', 'heizungsbau-kramer');
      if (!examples) throw new Error('no example yet');
      return examples;
    });
    expect(stored.examples).toHaveLength(1);
    expect(stored.examples[0]).toMatchObject({ issuer: 'Heizungsbau Krämer e.K.', batchId: firstId, changedFields: ['invoiceNumber', 'buyer', 'total'], data: corrected });
    expect(stored.examples[0]!.text).toContain('Beleg-Ref.: RX-2211');

    const run = async (examples: boolean) => {
      const id = uniqueId(examples ? 'seed-learned' : 'seed-baseline');
      const input = { source: { dir: next }, outputDir: output, extractor: 'local' as const, cache: false, ...(examples ? { examples: { from: output } } : {}) };
      const result = await (await startBatch(client, taskQueue, id, input)).result();
      return { id, data: (await readJsonLines<DocumentResult>(result.files.results))[0]!.data };
    };
    const [baseline, learned] = await Promise.all([run(false), run(true)]);
    expect(baseline.data).toMatchObject({ invoiceNumber: null, total: null });
    expect(learned.data).toMatchObject({ invoiceNumber: 'RX-3399', total: 952, buyer: 'Contoso AG' });
    // The batch keeps what it learned from.
    const snapshot = await readBatchSnapshot(storageAt(path.join(output, learned.id)));
    expect(snapshot?.issuers.map((issuer) => issuer.key)).toEqual(['heizungsbau-kramer']);
  });
});
