import { describe, expect, it } from 'vitest';
import { runChecks } from '../src/extraction/schemas';
import { datesInOrder, lineAmounts, lineItemsSum, oneCurrency, plausibleAmounts, totalsAddUp } from '../src/extraction/schemas/checks';
import { invoice, type Invoice } from '../src/extraction/schemas/invoice';
import { receipt, type Receipt } from '../src/extraction/schemas/receipt';

const consistent: Invoice = {
  invoiceNumber: 'A-1',
  issueDate: '2025-03-01',
  dueDate: '2025-03-31',
  issuer: 'Acme GmbH',
  buyer: 'Globex',
  currency: 'EUR',
  subtotal: 300,
  tax: 57,
  total: 357,
  lineItems: [
    { description: 'Consulting', quantity: 2, unitPrice: 100, amount: 200 },
    { description: 'Licence', quantity: 1, unitPrice: 100, amount: 100 },
  ],
};

function with_(patch: Partial<Invoice>): Record<string, unknown> {
  return { ...consistent, ...patch };
}

describe('consistency checks', () => {
  it('pass a consistent invoice', () => {
    expect(runChecks(invoice, consistent)).toEqual([]);
  });

  it('line items sum: to the subtotal, within a cent per line; without a subtotal, to the total with or without tax', () => {
    const check = lineItemsSum();
    expect(check.check(with_({ subtotal: 310, total: 367 }))).toEqual(['the 2 line item amounts sum to 300, not the subtotal 310 (a difference of -10)']);
    expect(check.check(with_({ subtotal: 300.02 }))).toEqual([]);
    expect(check.check(with_({ subtotal: null }))).toEqual([]); // 357 - 57 = 300
    expect(check.check(with_({ subtotal: null, tax: null, total: 300 }))).toEqual([]); // tax included
    expect(check.check(with_({ subtotal: null, tax: null, total: 400 }))).toHaveLength(1);
    // A line without an amount, or no lines: nothing to compare.
    expect(check.check(with_({ subtotal: 999, lineItems: [{ description: 'x', quantity: null, unitPrice: null, amount: null }] }))).toEqual([]);
    expect(check.check(with_({ subtotal: 999, lineItems: [] }))).toEqual([]);
  });

  it('line amounts: quantity x unit price is the amount, allowing for rounded unit prices', () => {
    const check = lineAmounts();
    expect(check.check(with_({ lineItems: [{ description: 'x', quantity: 3, unitPrice: 33.33, amount: 100 }] }))).toEqual([]);
    expect(check.check(with_({ lineItems: [{ description: 'x', quantity: 3, unitPrice: 30, amount: 100 }] }))).toEqual(['line 1: 3 x 30 is 90, not the amount 100']);
  });

  it('totals add up: subtotal + tax = total', () => {
    const check = totalsAddUp();
    expect(check.check(with_({ total: 357.01 }))).toEqual([]);
    expect(check.check(with_({ total: 457 }))).toEqual(['subtotal 300 + tax 57 is 357, not the total 457']);
    expect(check.check(with_({ tax: null }))).toEqual([]);
  });

  it('plausible amounts: tax rate between 0 and 30%, signs agree, no absurd amounts', () => {
    const check = plausibleAmounts();
    expect(check.check(with_({ tax: 150, total: 450 }))).toEqual(['the tax 150 is 50.0% of 300, above the plausible 30%']);
    expect(check.check(with_({ tax: -57, total: 243 }))).toEqual(['the tax -57 and the amount before tax 300 differ in sign']);
    expect(check.check(with_({ subtotal: -300, tax: -57, total: -357 }))).toEqual([]); // a credit note
    expect(check.check(with_({ total: 2e9 }))).toContain('the total 2000000000 is implausibly large');
  });

  it('dates in order: the due date is not before the issue date', () => {
    const check = datesInOrder();
    expect(check.check(with_({ dueDate: '2025-02-28' }))).toEqual(['the dueDate 2025-02-28 is before the issueDate 2025-03-01']);
    expect(check.check(with_({ dueDate: '2025-03-01' }))).toEqual([]);
    expect(check.check(with_({ dueDate: null }))).toEqual([]);
  });

  it('one currency: every currency field agrees, and amounts come with one', () => {
    const check = oneCurrency();
    const mixed = with_({ lineItems: [{ description: 'x', quantity: 1, unitPrice: 300, amount: 300, currency: 'USD' } as Invoice['lineItems'][number]] });
    expect(check.check(mixed)).toEqual(['the document mixes currencies (EUR, USD)']);
    expect(check.check(with_({ currency: null }))).toEqual(['a total is given but no currency']);
    expect(check.check(with_({ currency: null, total: null }))).toEqual([]);
  });

  it('names the check in each warning, and a custom check that throws is reported rather than thrown', () => {
    const warnings = runChecks(invoice, with_({ total: 457, dueDate: '2025-01-01' }));
    expect(warnings).toEqual([
      'totals add up: subtotal 300 + tax 57 is 357, not the total 457',
      'dates in order: the dueDate 2025-01-01 is before the issueDate 2025-03-01',
    ]);
    const broken = { checks: [{ name: 'mine', check: () => { throw new Error('boom'); } }] };
    expect(runChecks(broken, {})).toEqual(['mine: the check itself failed (boom)']);
  });

  it('apply to receipts with their field names (items, tax included in the total)', () => {
    const data: Receipt = {
      merchant: 'Café Central',
      date: '2025-05-04',
      time: '13:05',
      currency: 'EUR',
      subtotal: null,
      tax: 1.5,
      total: 9.8,
      paymentMethod: 'VISA',
      items: [
        { description: 'Melange', quantity: 2, unitPrice: 3.9, amount: 7.8 },
        { description: 'Croissant', quantity: 1, unitPrice: 2, amount: 2 },
      ],
    };
    expect(receipt.schema.parse(data)).toEqual(data);
    expect(runChecks(receipt, data)).toEqual([]);
    expect(runChecks(receipt, { ...data, total: 12 })).toEqual([expect.stringMatching(/^line items sum: the 2 line item amounts sum to 9.8, not the total 12/)]);
  });
});
