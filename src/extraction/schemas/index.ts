import type { z } from 'zod';
import { invoiceSchema } from './invoice';

/** The extraction schemas a batch can name. Add a schema here and every extractor can fill it. */
export const extractionSchemas = {
  invoice: {
    schema: invoiceSchema,
    description: 'an invoice: number, dates, issuer, buyer, currency, amounts and line items',
  },
} as const satisfies Record<string, { schema: z.ZodObject; description: string }>;

export type SchemaName = keyof typeof extractionSchemas;
export const schemaNames = Object.keys(extractionSchemas) as [SchemaName, ...SchemaName[]];
