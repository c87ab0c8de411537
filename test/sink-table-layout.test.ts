import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invoice } from '../src/extraction/schemas/invoice';
import { receipt } from '../src/extraction/schemas/receipt';
import { redactSinkUrl, connectionStringFor, isUnavailable } from '../src/sink/postgres';
import { fieldValue, tableLayout } from '../src/sink/table-layout';

describe('the sink table of a schema', () => {
  it('types one column per top-level field of the invoice: scalars typed, lists as jsonb', () => {
    const layout = tableLayout(invoice);
    expect(layout.table).toBe('docbatch_invoice');
    expect(layout.historyTable).toBe('docbatch_invoice_history');
    expect(Object.fromEntries(layout.fieldColumns.map((column) => [column.name, column.type]))).toEqual({
      invoice_number: 'text',
      issue_date: 'date',
      due_date: 'date',
      issuer: 'text',
      buyer: 'text',
      currency: 'text',
      subtotal: 'numeric',
      tax: 'numeric',
      total: 'numeric',
      line_items: 'jsonb',
    });
    expect(tableLayout(receipt).table).toBe('docbatch_receipt');
  });

  it('keeps a field named like a fixed column beside it, and names odd schemas safely', () => {
    const layout = tableLayout({ name: 'Purchase Order (v2)', schema: z.object({ status: z.string(), count: z.number().int(), paid: z.boolean(), meta: z.object({ a: z.string() }) }) });
    expect(layout.table).toBe('docbatch_purchase_order_v2');
    expect(layout.fieldColumns.map((column) => [column.name, column.type])).toEqual([
      ['field_status', 'text'],
      ['count', 'bigint'],
      ['paid', 'boolean'],
      ['meta', 'jsonb'],
    ]);
  });

  it('writes null for a value its column cannot hold', () => {
    expect(fieldValue('date', '2026-13-45')).toBeNull();
    expect(fieldValue('date', '2026-12-07')).toBe('2026-12-07');
    expect(fieldValue('numeric', '12')).toBeNull();
    expect(fieldValue('bigint', 1.5)).toBeNull();
    expect(fieldValue('jsonb', [{ a: 1 }])).toEqual([{ a: 1 }]);
  });
});

describe('the sink URL', () => {
  it('goes into the batch input without its password; a worker adds it from its own DOCBATCH_DATABASE_URL', () => {
    expect(redactSinkUrl('postgres://docbatch:s3cret@db:5432/results')).toEqual({ reference: 'postgres://docbatch@db:5432/results', hadPassword: true });
    const env = { DOCBATCH_DATABASE_URL: 'postgres://docbatch:s3cret@db:5432/results' };
    expect(connectionStringFor('postgres://docbatch@db:5432/results', env)).toBe(env.DOCBATCH_DATABASE_URL);
    expect(connectionStringFor('postgres://docbatch@db/results', env)).toBe(env.DOCBATCH_DATABASE_URL);
    expect(connectionStringFor('postgres://docbatch@other:5432/results', env)).toBe('postgres://docbatch@other:5432/results');
    expect(connectionStringFor('postgres://someone@db:5432/results', env)).toBe('postgres://someone@db:5432/results');
  });

  it('tells the database away from a refusal', () => {
    expect(isUnavailable({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isUnavailable({ code: '57P01' })).toBe(true);
    expect(isUnavailable({ message: 'Connection terminated unexpectedly' })).toBe(true);
    expect(isUnavailable({ code: '28P01' })).toBe(false);
  });
});
