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

  it("takes a party's name as the page prints it where the XML's name field holds more than the name", () => {
    const issuer = (read: string, xml: string) => scoreFields({ ...truth, issuer: read } as unknown as Invoice, { ...truth, issuer: xml }).find((score) => score.field === 'issuer')!.right;
    expect(issuer('Max Mustermann', 'Herrn\nMax Mustermann')).toBe(true);
    expect(issuer('MUSTERLIEFERANT GMBH', 'GLN 4333741000005 \nLief-Nr: 549910\nMUSTERLIEFERANT GMBH')).toBe(true);
    expect(issuer('Au bon moulin SARL', 'Au bon moulin')).toBe(true);
    // Half a two-line name, another name, or a salutation alone are still wrong.
    expect(issuer('MVM Musterhafter', 'MVM Musterhafter\nVersicherungsverein Musterstadt a.G.')).toBe(false);
    expect(issuer('KOSTENLIEFERANT GMBH', 'MUSTERLIEFERANT GMBH')).toBe(false);
    expect(issuer('Herrn', 'Herrn\nMax Mustermann')).toBe(false);
  });
});
