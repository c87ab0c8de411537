import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');
const money = z.number().finite();

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
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code like EUR').nullable(),
  subtotal: money.nullable(),
  tax: money.nullable(),
  total: money.nullable(),
  lineItems: z.array(invoiceLineItemSchema),
});

export type Invoice = z.infer<typeof invoiceSchema>;
export type InvoiceLineItem = z.infer<typeof invoiceLineItemSchema>;
