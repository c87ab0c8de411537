import type { Extractor } from '../src/extraction/extractor';
import { invoiceSchema, type Invoice } from '../src/extraction/schemas/invoice';
import { zeroUsage } from '../src/extraction/usage';

/** The invoice every benchmark extraction returns: schema-valid, so it is a succeeded document. */
const fixedInvoice: Invoice = invoiceSchema.parse({
  invoiceNumber: 'BENCH-0001',
  issueDate: '2024-01-15',
  dueDate: '2024-02-14',
  issuer: 'Bench Supplies Ltd',
  buyer: 'Throughput GmbH',
  currency: 'EUR',
  subtotal: 100,
  tax: 19,
  total: 119,
  lineItems: [{ description: 'Benchmark widget', quantity: 1, unitPrice: 100, amount: 100 }],
});

/**
 * An extractor that costs nothing: it returns the fixed invoice at once, whatever the document.
 * With it a benchmark measures docbatch's own overhead (Temporal round trips, journals, report),
 * not a model's latency. It says how many documents a worker should work on at once, as real
 * extractors do (their limiter or decoder pool), so the worker is not held to the few it allows
 * an extractor that does not say; the baseline loop gets the same number.
 */
export function createZeroLatencyExtractor(documentsInFlight: number): Extractor {
  return {
    name: 'local',
    settingsKey: 'bench-zero-latency:v1',
    documentsInFlight: () => documentsInFlight,
    async extract() {
      return { data: { ...fixedInvoice }, usage: zeroUsage, model: 'bench-zero-latency', calls: 1 };
    },
  };
}
