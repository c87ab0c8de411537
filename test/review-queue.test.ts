import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCorrection } from '../src/review/check-correction';
import type { ReviewItem } from '../src/batch/review';
import { ReviewQueue, reviewDetailsMarkdown } from '../src/batch/review-queue';
import type { ReviewStateFile } from '../src/review/batch-outputs';
import { changedFieldsOf } from '../src/review/check-correction';
import { withReviewSection } from '../src/review/report-section';
import { reviewedResult } from '../src/review/reviewed-outputs';
import type { DocumentResult } from '../src/store/document-result';

/** The review's pure parts: the queue's rules, changed fields, the reviewed line, report.html's section. */
const items: ReviewItem[] = [
  { index: 2, path: '/in/b.pdf', kind: 'needs_review', checks: ['totals add up'], issuer: 'Northwind', status: 'pending', revision: 0 },
  { index: 5, path: '/in/e.pdf', kind: 'failed', checks: [], failureType: 'corrupt', issuer: null, status: 'pending', revision: 0 },
];

describe('ReviewQueue', () => {
  it('allows each decision only from the state it belongs to, and says why not', () => {
    const queue = new ReviewQueue('batch-1', items);
    expect(queue.refusal('approve', 7)).toBe("document 7 is not in the review of batch batch-1: it reviews documents 2, 5 (the index is the document's position in the batch, as review.jsonl lists it)");
    expect(queue.refusal('reopen', 2)).toBe('document 2 (/in/b.pdf) is pending already: nothing to reopen');
    expect(queue.refusal('approve', 5)).toBe('document 5 (/in/e.pdf) failed (corrupt) and has no extracted data to approve: correct it with its values, or reject it');
    expect(queue.refusal('correct', 5)).toBeNull();

    expect(queue.decide(2, { action: 'approve' }, 'alice', '2026-01-01T00:00:00.000Z')).toMatchObject({ status: 'approved', by: 'alice', revision: 1 });
    expect(queue.refusal('approve', 2)).toBe('document 2 (/in/b.pdf) is already approved by alice at 2026-01-01T00:00:00.000Z: reopen it first to decide again');
    expect(queue.refusal('reject', 2)).toMatch(/already approved/);
    expect(() => queue.decide(2, { action: 'approve' }, 'bob', 'later')).toThrow(/already approved by alice/);
    expect(queue.decide(2, { action: 'reopen' }, 'bob', 'later')).toEqual({ index: 2, path: '/in/b.pdf', kind: 'needs_review', checks: ['totals add up'], issuer: 'Northwind', status: 'pending', revision: 2 });
    queue.decide(5, { action: 'reject', reason: 'not an invoice' }, 'bob', 'later');
    expect(queue.counts()).toEqual({ total: 2, pending: 1, approved: 0, corrected: 0, rejected: 1 });
    expect(reviewDetailsMarkdown('batch-1', queue.counts(), 'open')).toContain('50% decided — 1 of 2 documents');
  });
});

describe('changedFieldsOf', () => {
  it('compares fields by value (key order inside objects aside); a document without data changed every filled field', () => {
    expect(changedFieldsOf({ total: 1, lineItems: [{ a: 1, b: 2 }], issuer: 'X' }, { total: 2, lineItems: [{ b: 2, a: 1 }], issuer: 'X' })).toEqual(['total']);
    expect(changedFieldsOf({ total: 1, buyer: null }, { total: 1 })).toEqual([]);
    expect(changedFieldsOf(null, { total: 1, buyer: null, lineItems: [] })).toEqual(['total']);
  });
});

describe('reviewedResult', () => {
  const result: DocumentResult = { index: 2, path: '/in/b.pdf', status: 'succeeded', cached: false, data: { total: 10 }, error: null, attempts: 1, durationMs: 5, model: 'local', usage: null, warnings: ['totals add up: …'], needsReview: true };
  it('puts the corrected data in place and keeps the extracted data beside it; a missing correction stays pending and says so', () => {
    const corrected: ReviewItem = { ...items[0]!, status: 'corrected', by: 'alice', at: 't', changedFields: ['total'], correctionId: 'c1', revision: 1 };
    const corrections = new Map([['c1', { id: 'c1', document: 2, by: 'alice', at: 't', data: { total: 12 }, changedFields: ['total'], warnings: [] }]]);
    expect(reviewedResult(result, corrected, corrections)).toMatchObject({ data: { total: 12 }, needsReview: false, warnings: [], review: { status: 'corrected', by: 'alice', at: 't', changedFields: ['total'], extracted: { total: 10 } } });
    expect(reviewedResult(result, corrected, new Map()).review).toEqual({ status: 'pending', by: 'alice', at: 't', reason: 'correction c1 not found in review/corrections' });
    expect(reviewedResult(result, undefined, corrections)).toBe(result);
  });
});

describe("report.html's review section", () => {
  it('goes before </main> once, then is replaced in place', () => {
    const state: ReviewStateFile = { batchId: 'b', state: 'open', openedAt: 't0', writtenAt: 't1', counts: { total: 2, pending: 1, approved: 1, corrected: 0, rejected: 0 }, items: [{ ...items[0]!, status: 'approved', by: 'a<b>', at: 't1', revision: 1 }, items[1]!] };
    const once = withReviewSection('<main><p>report</p></main>', state);
    expect(once).toMatch(/^<main><p>report<\/p><!-- docbatch-review -->[\s\S]*<!-- \/docbatch-review -->\n<\/main>$/);
    expect(once).toContain('a&lt;b&gt;');
    const twice = withReviewSection(once, { ...state, counts: { ...state.counts, pending: 0, approved: 2 } });
    expect(twice.match(/docbatch-review -->/g)).toHaveLength(2);
    expect(twice).toContain('2 of 2 decided (100%)');
  });
});

describe('checkCorrection with a schema file (what the validator cannot load)', () => {
  it('refuses data that does not parse, then failing checks unless accepted, and records what it accepts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-check-correction-'));
    const schemaFile = path.join(dir, 'bill.json');
    await writeFile(schemaFile, JSON.stringify({ type: 'object', properties: { subtotal: { type: 'number' }, tax: { type: 'number' }, total: { type: 'number' } }, required: ['subtotal', 'tax', 'total'], 'x-docbatch-checks': ['totalsAddUp'] }));
    await writeFile(path.join(dir, 'results.jsonl'), JSON.stringify({ index: 0, path: '/in/a.txt', status: 'succeeded', data: { subtotal: 10, tax: 2, total: 13 }, attempts: 1, durationMs: 1 }) + '\n');
    const request = { batchLocation: dir, schema: { file: schemaFile }, document: 0, correctionId: '0-1-x', by: 'alice', at: 't', acceptWarnings: false };
    expect(await checkCorrection({ ...request, data: { subtotal: 10, tax: 2, total: 'twelve' } })).toEqual({ outcome: 'invalid', problems: [expect.stringMatching(/^total: /)] });
    expect(await checkCorrection({ ...request, data: { subtotal: 10, tax: 2, total: 14 } })).toEqual({ outcome: 'fails_checks', warnings: ['totals add up: subtotal 10 + tax 2 is 12, not the total 14'] });
    expect(await checkCorrection({ ...request, data: { subtotal: 10, tax: 2, total: 12 } })).toEqual({ outcome: 'recorded', changedFields: ['total'], warnings: [] });
    expect(JSON.parse(await readFile(path.join(dir, 'review/corrections'), 'utf8'))).toMatchObject({ id: '0-1-x', document: 0, data: { total: 12 }, changedFields: ['total'] });
  });
});
