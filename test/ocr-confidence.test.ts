import { describe, expect, it } from 'vitest';
import { weighByConfidence } from '../src/extraction/local/confidence';
import { readLocally } from '../src/extraction/local/readers';

describe('weighByConfidence', () => {
  const all: Record<string, unknown> = { invoiceNumber: 'INV-42', total: 181.5, issueDate: '2024-03-14', lineItems: [{ description: 'Paint' }], dueDate: null };

  it('trusts every field without a sure reading (no OCR)', () => {
    expect(weighByConfidence(all, undefined)).toEqual({ data: all, doubtful: [] });
  });

  it('marks a field found only in doubtful words, and keeps it', () => {
    const sure = { ...all, total: null, lineItems: [] };
    const { data, doubtful } = weighByConfidence(all, sure);
    expect(data).toEqual(all);
    expect(doubtful).toEqual(['total', 'lineItems']);
  });

  it('marks a field the sure words give otherwise, and keeps the full reading', () => {
    const { data, doubtful } = weighByConfidence(all, { ...all, total: 131.5 });
    expect(data.total).toBe(181.5);
    expect(doubtful).toEqual(['total']);
  });

  it('leaves fields neither reading found alone', () => {
    expect(weighByConfidence(all, { ...all, issueDate: null }).doubtful).toEqual(['issueDate']);
    expect(weighByConfidence(all, all).doubtful).toEqual([]);
  });
});

describe('readLocally on OCR text', () => {
  const text = 'ACME Ltd\nInvoice no. INV-0042\nDate: 14/03/2024\n\nTotal                 181.50';

  it('names the fields that rest on words OCR was unsure of', () => {
    const sureText = text.replace('181.50', '      ');
    const read = readLocally('invoice', { text, sureText })!;
    expect(read.doubtful).toEqual(['total']);
    expect(read.data).toMatchObject({ invoiceNumber: 'INV-0042', total: 181.5 });
  });

  it('has no doubt about a text layer', () => {
    expect(readLocally('invoice', { text })!.doubtful).toEqual([]);
  });
});
