import { describe, expect, it } from 'vitest';
import { percent, scoredFields, scoreFields } from '../bench/einvoice-score';
import type { Invoice } from '../src/extraction/schemas/invoice';

const truth = { invoiceNumber: 'RK21012345', issueDate: '2013-09-16', dueDate: null, issuer: 'MUSTERLIEFERANT GMBH', buyer: 'MUSTER-KUNDE GMBH', currency: 'EUR', subtotal: -7.67, tax: -1.12, total: -8.79 };
const read = { ...truth, issueDate: '2013-08-05', issuer: 'Musterlieferant GmbH', buyer: null, tax: -1.1249, dueDate: '2013-10-16', lineItems: [] } as unknown as Invoice;

describe('the e-invoice benches’ field scoring', () => {
  it('compares every field by the corpus rule: names normalised, amounts to the cent', () => {
    const scores = scoreFields(read, truth);
    expect(scores.map((score) => score.field)).toEqual([...scoredFields]);
    expect(Object.fromEntries(scores.map((score) => [score.field, score.right]))).toEqual({
      invoiceNumber: true,
      issueDate: false,
      dueDate: false,
      issuer: true,
      buyer: false,
      currency: true,
      subtotal: true,
      tax: true,
      total: true,
    });
    expect(scores.find((score) => score.field === 'buyer')).toEqual({ field: 'buyer', right: false, read: null, truth: 'MUSTER-KUNDE GMBH' });
  });

  it('leaves out a field the XML does not state only when asked to', () => {
    expect(scoreFields(read, truth, ['dueDate']).map((score) => score.field)).not.toContain('dueDate');
    expect(scoreFields(read, { ...truth, dueDate: '2013-10-16' }, ['dueDate']).find((score) => score.field === 'dueDate')?.right).toBe(true);
  });

  it('prints a share with one decimal, a dash for nothing counted', () => {
    expect(percent(84, 155)).toBe('54.2%');
    expect(percent(0, 0)).toBe('–');
  });
});
