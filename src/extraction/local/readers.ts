import type { SchemaName } from '../schemas';
import type { Invoice } from '../schemas/invoice';
import type { Receipt } from '../schemas/receipt';
import type { DocumentText } from '../formats/text-block';
import { weighByConfidence } from './confidence';
import { parseInvoiceText } from './fields';
import { parseReceiptText } from './receipt';

/**
 * What the offline extractor reads, per built-in schema: the rules that fill it from a document's
 * text, and whether what they found is enough to call the document one of these. A schema without
 * a reader here is one the local extractor cannot fill (its definition's `extractors` says so).
 */
export interface LocalReader<T> {
  parse(text: string): T;
  /** Not a single field of its kind recognised: a wrong file or an unreadable scan, not a row of nulls. */
  hasSignal(data: T): boolean;
  /** What it looked for, for the failure message. */
  signals: string;
}

const invoiceReader: LocalReader<Invoice> = {
  parse: parseInvoiceText,
  hasSignal: (invoice) =>
    invoice.invoiceNumber !== null || invoice.issueDate !== null || invoice.dueDate !== null || invoice.total !== null || invoice.subtotal !== null || invoice.lineItems.length > 0,
  signals: 'no invoice number, date, amount or line item',
};

const receiptReader: LocalReader<Receipt> = {
  parse: parseReceiptText,
  hasSignal: (receipt) => receipt.total !== null || receipt.date !== null || receipt.items.length > 0,
  signals: 'no total, date or purchased item',
};

const localReaders = { invoice: invoiceReader, receipt: receiptReader } satisfies Partial<Record<SchemaName, unknown>>;

/** The schemas the local extractor fills. */
export const locallyReadSchemas = Object.keys(localReaders);

/**
 * A document's text read for a schema: its data (weighed by OCR confidence, confidence.ts), the
 * fields that rest on doubtful OCR, and whether any field of its kind was found; null for a schema
 * the local extractor does not read.
 */
export function readLocally(schemaName: string, text: DocumentText): { data: unknown; doubtful: string[]; found: boolean; signals: string } | null {
  if (!Object.hasOwn(localReaders, schemaName)) return null;
  return schemaName === 'invoice' ? read(invoiceReader, text) : read(receiptReader, text);
}

function read<T extends Record<string, unknown>>(reader: LocalReader<T>, { text, sureText }: DocumentText) {
  const { data, doubtful } = weighByConfidence(reader.parse(text), sureText === undefined ? undefined : reader.parse(sureText));
  return { data, doubtful, found: reader.hasSignal(data), signals: reader.signals };
}
