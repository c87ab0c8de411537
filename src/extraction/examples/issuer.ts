import { fold } from '../local/fold';
import { companySuffix } from '../local/labels';

/** The fields that name a document's issuer, in the order they are looked for. */
const issuerFields = ['issuer', 'merchant', 'vendor', 'supplier', 'seller'];

/** The document's issuer: `issuer` (invoices), `merchant` (receipts), `vendor`, `supplier`, `seller`, a string or an object's `name`. */
export function issuerOf(data: Record<string, unknown> | null): string | null {
  if (!data) return null;
  for (const field of issuerFields) {
    const value = data[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).name === 'string') return (value as { name: string }).name;
  }
  return null;
}

/**
 * The key an issuer's examples are kept under: its name folded (case, accents), without its legal
 * form and punctuation, so "NORTHWIND TRADERS LTD.", "Northwind Traders Ltd" and "Northwind
 * Traders" are one issuer. Null for a name with nothing left.
 */
export function issuerKey(name: string): string | null {
  const folded = fold(name.normalize('NFC')).replace(/\s+/g, ' ').trim();
  const withoutForm = folded.replace(companySuffix, '').trim() || folded;
  const key = withoutForm
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return key === '' ? null : key;
}

/** A name as it is looked for in a document's text: folded, one space between words. */
export function searchableName(name: string): string {
  return fold(name).replace(/\s+/g, ' ').trim();
}
