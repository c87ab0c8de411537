/**
 * How the e-invoice benches (printed-einvoices.ts, hybrid-einvoices.ts) score a reading: the
 * fields compared, each compared with what the e-invoice reader takes from the XML by the corpus
 * test's rule (`fieldMatches`: amounts to the cent, names normalised, the rest equal), and the
 * percentages of their tables.
 */
import type { Invoice } from '../src/extraction/schemas/invoice';
import { fieldMatches } from '../test/corpus/invoices/corpus';

export const scoredFields = ['invoiceNumber', 'issueDate', 'dueDate', 'issuer', 'buyer', 'currency', 'subtotal', 'tax', 'total'] as const satisfies readonly (keyof Invoice)[];
export type ScoredField = (typeof scoredFields)[number];

export interface FieldScore {
  field: ScoredField;
  right: boolean;
  read: unknown;
  truth: unknown;
}

/**
 * Each field of `actual` against `truth` (the XML's reading). `onlyWhereTruthHas` leaves out the
 * fields the XML does not state (a MINIMUM profile has no due date), rather than counting a
 * reading of the printed page as wrong there.
 */
export function scoreFields(actual: Invoice, truth: Record<string, unknown>, onlyWhereTruthHas: readonly ScoredField[] = []): FieldScore[] {
  return scoredFields
    .filter((field) => !(onlyWhereTruthHas.includes(field) && (truth[field] ?? null) === null))
    .map((field) => ({ field, right: fieldMatches(field, actual[field], truth[field] ?? null), read: actual[field], truth: truth[field] ?? null }));
}

export const percent = (right: number, total: number) => (total === 0 ? '–' : `${((100 * right) / total).toFixed(1)}%`);
