import { z } from 'zod';
import { datesInOrder, lineAmounts, lineItemsSum, oneCurrency, plausibleAmounts, totalsAddUp } from './checks';
import type { SchemaDefinition } from './definition';
import { currencyCode, isoDate, money } from './fields';

export const invoiceLineItemSchema = z.object({
  description: z.string().min(1),
  quantity: z.number().finite().nullable(),
  unitPrice: money.nullable(),
  amount: money.nullable(),
});

/**
 * The invoice contract. A field the extractor cannot find is null, never invented.
 */
export const invoiceSchema = z.object({
  invoiceNumber: z.string().min(1).nullable(),
  issueDate: isoDate.nullable(),
  dueDate: isoDate.nullable(),
  issuer: z.string().min(1).nullable(),
  buyer: z.string().min(1).nullable(),
  currency: currencyCode.nullable(),
  subtotal: money.nullable(),
  tax: money.nullable(),
  total: money.nullable(),
  lineItems: z.array(invoiceLineItemSchema),
});

export type Invoice = z.infer<typeof invoiceSchema>;
export type InvoiceLineItem = z.infer<typeof invoiceLineItemSchema>;

export const invoice: SchemaDefinition = {
  name: 'invoice',
  description: 'an invoice: number, dates, issuer, buyer, currency, amounts and line items',
  schema: invoiceSchema,
  rules: [
    'Parties are the legal or trading names as printed, without addresses, VAT numbers or contact lines. The issuer is who sends the document and is paid; the buyer (bill-to, customer, client) is who pays.',
    'Identifiers (invoice numbers and the like) are copied character for character, including prefixes, dashes and leading zeros, but without labels such as "Invoice No." or "#".',
    'Totals: subtotal is the amount before tax, tax the total tax charged (sum several tax lines), total the amount due including tax. If only one grand total is printed, it is the total and the others are null unless printed.',
    'Line items are the billed lines in the order printed: description as printed (one line, whitespace collapsed), quantity, unit price and line amount as numbers, each null when the line does not print it. Do not turn subtotal, tax, discount summary, shipping summary or payment lines into items unless they are billed as lines. A document without item lines has an empty list.',
  ],
  checks: [lineItemsSum(), lineAmounts(), totalsAddUp(), plausibleAmounts(), datesInOrder(), oneCurrency()],
  extractors: ['local', 'anthropic'],
};
