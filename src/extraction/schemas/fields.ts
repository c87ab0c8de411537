import { z } from 'zod';

/** Field types the built-in schemas share. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');
export const money = z.number().finite();
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code like EUR');
