/**
 * How the e-invoice benches (printed-einvoices.ts, hybrid-einvoices.ts) score a reading: the
 * fields compared, each compared with what the e-invoice reader takes from the XML by the corpus
 * test's rule (`fieldMatches`: amounts to the cent, names normalised, the rest equal; see
 * matchesTruth for party names), and the percentages of their tables.
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
    .map((field) => ({ field, right: matchesTruth(field, actual[field], truth[field] ?? null), read: actual[field], truth: truth[field] ?? null }));
}

/**
 * By the corpus rule; a party's name also as the page names it where the XML's name field carries
 * more than the name: lines that are not the name (a salutation, a GLN or a supplier or customer
 * number: `Herrn\nMax Mustermann`, `GLN 4333741000005\nLief-Nr: 549910\nMUSTERLIEFERANT GMBH`), or
 * the name without the legal form the page prints after it (`Au bon moulin` for `Au bon moulin
 * SARL`). A name split over two lines still needs both.
 */
function matchesTruth(field: ScoredField, read: unknown, truth: unknown): boolean {
  if (fieldMatches(field, read, truth)) return true;
  if ((field !== 'issuer' && field !== 'buyer') || typeof read !== 'string' || typeof truth !== 'string') return false;
  const nameLines = truth
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !notANameLine.test(line))
    .join(' ');
  return [read, read.replace(trailingLegalForm, '')].some((name) => fieldMatches(field, name, nameLines));
}

const notANameLine = /^(?:herrn?|frau|firma|monsieur|madame|m\.|mme\.?|mr\.?|mrs\.?|ms\.?|gln\b.*|(?:lief|kunden|liefer?anten|customer|supplier)[-\s]?(?:nr|no|nummer|number)\b.*)$/i;
const trailingLegalForm = /[\s,]+(?:sarl|sas|sa|gmbh|ag|kg|ltd|limited|llc|inc|bv|nv|srl|spa|sl)\.?$/i;

export const percent = (right: number, total: number) => (total === 0 ? '–' : `${((100 * right) / total).toFixed(1)}%`);
