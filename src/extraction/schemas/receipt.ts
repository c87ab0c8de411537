import { z } from 'zod';
import { invoiceAmountFields, lineAmounts, lineItemsSum, oneCurrency, plausibleAmounts, totalsAddUp, type AmountFields } from './checks';
import type { SchemaDefinition } from './definition';
import { currencyCode, isoDate, money } from './fields';

export const receiptItemSchema = z.object({
  description: z.string().min(1).describe('the item as printed'),
  quantity: z.number().finite().nullable(),
  unitPrice: money.nullable(),
  amount: money.nullable().describe('the line total as printed'),
});

/** A till or card receipt: who was paid, when, how much and how. */
export const receiptSchema = z.object({
  merchant: z.string().min(1).nullable().describe('the shop, restaurant or business that issued the receipt'),
  date: isoDate.nullable().describe('the date of the purchase'),
  time: z
    .string()
    .regex(/^\d{2}:\d{2}(:\d{2})?$/, 'expected a 24-hour time HH:MM or HH:MM:SS')
    .nullable()
    .describe('the time of the purchase, 24-hour'),
  currency: currencyCode.nullable(),
  subtotal: money.nullable().describe('the amount before tax, when printed'),
  tax: money.nullable().describe('the tax (VAT, sales tax) charged or included, summed over the tax lines'),
  total: money.nullable().describe('the amount paid'),
  paymentMethod: z.string().min(1).nullable().describe('how it was paid: cash, card (with the scheme, e.g. "VISA"), voucher...'),
  items: z.array(receiptItemSchema),
});
export type Receipt = z.infer<typeof receiptSchema>;

const fields: AmountFields = { ...invoiceAmountFields, items: 'items' };

export const receipt: SchemaDefinition = {
  name: 'receipt',
  description: 'a receipt from a shop, restaurant or service: merchant, date and time, currency, total, tax, payment method and items',
  schema: receiptSchema,
  rules: [
    'The merchant is the trading name printed at the top (or on the card slip), without address, phone or tax number.',
    'Times are 24-hour HH:MM (or HH:MM:SS when seconds are printed): "2:05 PM" is 14:05.',
    'Totals: total is the amount paid. Many receipts include the tax in the prices ("incl. VAT"): then tax is the included tax printed and subtotal is null unless an amount before tax is printed. Change given and amounts tendered are not totals.',
    'The payment method is as printed ("VISA", "Mastercard", "cash", "gift card"); card numbers, approval codes and terminal ids are not part of it.',
    'Items are the purchased lines in the order printed; discounts printed as their own lines are items with a negative amount.',
  ],
  checks: [lineItemsSum(fields), lineAmounts(fields), totalsAddUp(fields), plausibleAmounts(fields), oneCurrency(fields)],
  // The local extractor reads receipts too (src/extraction/local/receipt.ts).
  extractors: ['local', 'anthropic'],
};
