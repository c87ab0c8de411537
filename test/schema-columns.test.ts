import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { columnValue, isFilled, schemaColumns } from '../src/extraction/schemas/columns';
import { invoiceSchema } from '../src/extraction/schemas/invoice';

describe('CSV columns derived from a schema', () => {
  it('flattens nested objects into dotted columns and keeps lists as one JSON column', () => {
    const schema = z.object({
      contractNumber: z.string().nullable(),
      parties: z.object({
        seller: z.object({ name: z.string(), vatId: z.string().nullable() }),
        buyer: z.object({ name: z.string(), address: z.object({ city: z.string(), country: z.string() }).nullable() }),
      }),
      value: z.number().nullable(),
      signed: z.boolean(),
      tags: z.array(z.string()),
      milestones: z.array(z.object({ date: z.string(), amount: z.number() })),
      kind: z.enum(['service', 'supply']).nullable(),
    });
    const columns = schemaColumns(schema);
    expect(columns.map((column) => column.name)).toEqual([
      'contractNumber',
      'parties.seller.name',
      'parties.seller.vatId',
      'parties.buyer.name',
      'parties.buyer.address.city',
      'parties.buyer.address.country',
      'value',
      'signed',
      'tags',
      'milestones',
      'kind',
    ]);
    const data = {
      contractNumber: 'C-7',
      parties: { seller: { name: 'Acme', vatId: null }, buyer: { name: 'Globex', address: null } },
      value: 1200.5,
      signed: false,
      tags: ['a', 'b'],
      milestones: [{ date: '2025-01-01', amount: 600 }],
      kind: 'service',
    };
    expect(columns.map((column) => columnValue(data, column))).toEqual(['C-7', 'Acme', '', 'Globex', '', '', 1200.5, false, '["a","b"]', '[{"date":"2025-01-01","amount":600}]', 'service']);
    expect(columns.filter((column) => isFilled(data, column)).map((column) => column.name)).toEqual([
      'contractNumber',
      'parties.seller.name',
      'parties.buyer.name',
      'value',
      'signed',
      'tags',
      'milestones',
      'kind',
    ]);
  });

  it('gives the invoice its fields as before, line items as JSON', () => {
    expect(schemaColumns(invoiceSchema).map((column) => [column.name, column.json])).toEqual([
      ['invoiceNumber', false],
      ['issueDate', false],
      ['dueDate', false],
      ['issuer', false],
      ['buyer', false],
      ['currency', false],
      ['subtotal', false],
      ['tax', false],
      ['total', false],
      ['lineItems', true],
    ]);
  });
});
