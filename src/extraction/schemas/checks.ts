import type { ConsistencyCheck } from './definition';

/**
 * The standard consistency checks, written over field names so invoices, receipts and custom
 * schemas (JSON Schema files name them in `x-docbatch-checks`) share them. Amounts compare with a
 * rounding tolerance: a cent, plus a cent per line item (each line may be rounded on its own).
 */

export interface AmountFields {
  /** The list of line items, and its amount / quantity / unit price fields. */
  items: string;
  amount: string;
  quantity: string;
  unitPrice: string;
  subtotal: string;
  tax: string;
  total: string;
}

export interface DateFields {
  issued: string;
  due: string;
}

export const invoiceAmountFields: AmountFields = {
  items: 'lineItems',
  amount: 'amount',
  quantity: 'quantity',
  unitPrice: 'unitPrice',
  subtotal: 'subtotal',
  tax: 'tax',
  total: 'total',
};

/** Tax above this share of the amount before tax is implausible (the highest VAT rate is 27%). */
export const maxTaxRate = 0.3;

const cent = 0.01;

/** The line items sum to the subtotal (or, without one, to the total with or without the tax). */
export function lineItemsSum(fields: AmountFields = invoiceAmountFields): ConsistencyCheck {
  return {
    name: 'line items sum',
    check(data) {
      const amounts = items(data, fields.items).map((item) => numberAt(item, fields.amount));
      if (amounts.length === 0 || amounts.some((amount) => amount === null)) return [];
      const sum = roundCents(amounts.reduce((total: number, amount) => total + amount!, 0));
      const subtotal = numberAt(data, fields.subtotal);
      const total = numberAt(data, fields.total);
      const tax = numberAt(data, fields.tax);
      const tolerance = cent * (1 + amounts.length);
      const targets: [string, number][] =
        subtotal !== null
          ? [[fields.subtotal, subtotal]]
          : [
              ...(total !== null ? [[fields.total, total] as [string, number]] : []),
              ...(total !== null && tax !== null ? [[`${fields.total} - ${fields.tax}`, roundCents(total - tax)] as [string, number]] : []),
            ];
      if (targets.length === 0 || targets.some(([, target]) => Math.abs(target - sum) <= tolerance)) return [];
      const [label, target] = targets[0]!;
      return [`the ${amounts.length} line item amounts sum to ${format(sum)}, not the ${label} ${format(target)} (a difference of ${format(roundCents(sum - target))})`];
    },
  };
}

/** Each line's quantity x unit price is its amount. */
export function lineAmounts(fields: AmountFields = invoiceAmountFields): ConsistencyCheck {
  return {
    name: 'line amounts',
    check(data) {
      return items(data, fields.items).flatMap((item, index) => {
        const quantity = numberAt(item, fields.quantity);
        const unitPrice = numberAt(item, fields.unitPrice);
        const amount = numberAt(item, fields.amount);
        if (quantity === null || unitPrice === null || amount === null) return [];
        const expected = roundCents(quantity * unitPrice);
        // Unit prices are often printed rounded: allow half a cent per unit.
        if (Math.abs(expected - amount) <= Math.max(cent, Math.abs(quantity) * cent * 0.5)) return [];
        return [`line ${index + 1}: ${format(quantity)} x ${format(unitPrice)} is ${format(expected)}, not the amount ${format(amount)}`];
      });
    },
  };
}

/** Subtotal + tax = total, when all three are given. */
export function totalsAddUp(fields: AmountFields = invoiceAmountFields): ConsistencyCheck {
  return {
    name: 'totals add up',
    check(data) {
      const subtotal = numberAt(data, fields.subtotal);
      const tax = numberAt(data, fields.tax);
      const total = numberAt(data, fields.total);
      if (subtotal === null || tax === null || total === null) return [];
      const expected = roundCents(subtotal + tax);
      if (Math.abs(expected - total) <= 2 * cent) return [];
      return [`${fields.subtotal} ${format(subtotal)} + ${fields.tax} ${format(tax)} is ${format(expected)}, not the ${fields.total} ${format(total)}`];
    },
  };
}

/** The tax rate is between 0 and 30%, tax and amounts agree in sign, and no amount is absurd. */
export function plausibleAmounts(fields: AmountFields = invoiceAmountFields, maxAmount = 1e9): ConsistencyCheck {
  return {
    name: 'plausible amounts',
    check(data) {
      const problems: string[] = [];
      const subtotal = numberAt(data, fields.subtotal);
      const tax = numberAt(data, fields.tax);
      const total = numberAt(data, fields.total);
      for (const [label, value] of [[fields.subtotal, subtotal], [fields.tax, tax], [fields.total, total]] as const) {
        if (value !== null && Math.abs(value) >= maxAmount) problems.push(`the ${label} ${format(value)} is implausibly large`);
      }
      const base = subtotal ?? (total !== null && tax !== null ? total - tax : null);
      if (base !== null && tax !== null && base !== 0 && tax !== 0) {
        const rate = tax / base;
        if (rate < 0) problems.push(`the ${fields.tax} ${format(tax)} and the amount before tax ${format(roundCents(base))} differ in sign`);
        else if (rate > maxTaxRate) problems.push(`the ${fields.tax} ${format(tax)} is ${(rate * 100).toFixed(1)}% of ${format(roundCents(base))}, above the plausible ${maxTaxRate * 100}%`);
      }
      if (subtotal !== null && total !== null && Math.sign(subtotal) * Math.sign(total) < 0) {
        problems.push(`the ${fields.subtotal} ${format(subtotal)} and the ${fields.total} ${format(total)} differ in sign`);
      }
      return problems;
    },
  };
}

/** The due date is not before the issue date (ISO dates compare as strings). */
export function datesInOrder(fields: DateFields = { issued: 'issueDate', due: 'dueDate' }): ConsistencyCheck {
  return {
    name: 'dates in order',
    check(data) {
      const issued = data[fields.issued];
      const due = data[fields.due];
      if (typeof issued !== 'string' || typeof due !== 'string' || due >= issued) return [];
      return [`the ${fields.due} ${due} is before the ${fields.issued} ${issued}`];
    },
  };
}

/**
 * One currency: every `currency` field (the document's and any per line) names the same code, and
 * a document with amounts names it at all.
 */
export function oneCurrency(fields: AmountFields = invoiceAmountFields, field = 'currency'): ConsistencyCheck {
  return {
    name: 'one currency',
    check(data) {
      const codes = new Set<string>();
      const top = data[field];
      if (typeof top === 'string') codes.add(top);
      for (const item of items(data, fields.items)) {
        const code = item[field];
        if (typeof code === 'string') codes.add(code);
      }
      if (codes.size > 1) return [`the document mixes currencies (${[...codes].join(', ')})`];
      if (codes.size === 0 && field in data && numberAt(data, fields.total) !== null) return [`a ${fields.total} is given but no ${field}`];
      return [];
    },
  };
}

/** The checks a JSON Schema file can name in `x-docbatch-checks` (applied with the invoice field names). */
export const namedChecks: Record<string, () => ConsistencyCheck> = {
  lineItemsSum: () => lineItemsSum(),
  lineAmounts: () => lineAmounts(),
  totalsAddUp: () => totalsAddUp(),
  plausibleAmounts: () => plausibleAmounts(),
  datesInOrder: () => datesInOrder(),
  oneCurrency: () => oneCurrency(),
};

function items(data: Record<string, unknown>, field: string): Record<string, unknown>[] {
  const value = data[field];
  return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : [];
}

function numberAt(data: Record<string, unknown>, field: string): number | null {
  const value = data[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : String(roundCents(value) === value ? value : Number(value.toFixed(4)));
}
