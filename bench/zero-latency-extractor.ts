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
 * not a model's latency.
 */
export function createZeroLatencyExtractor(): Extractor {
  return {
    name: 'local',
    settingsKey: 'bench-zero-latency:v1',
    async extract() {
      return { data: { ...fixedInvoice }, usage: zeroUsage, model: 'bench-zero-latency', calls: 1 };
    },
  };
}
