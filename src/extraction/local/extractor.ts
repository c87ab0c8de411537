import { DocumentError } from '../errors';
import type { Extraction, ExtractionRequest, Extractor } from '../extractor';
import { isolatedDecoding, sharedDecoderPool } from '../isolation';
import { zeroUsage } from '../usage';
import { locallyReadSchemas, readLocally } from './readers';
import { schemaIssues } from '../../batch/issues';

/**
 * The offline extractor: the document's text (text layer or OCR) parsed by the rules of its
 * schema (readers.ts: invoices and receipts), validated with the batch's zod schema. No model, no
 * cost: usage is zero and every extraction is one "call".
 *
 * A document in which not a single field of its kind is recognisable (for an invoice: no number,
 * no date, no amount, no line item) fails as validation_failed rather than succeeding as a row of
 * nulls: such a row is almost always a wrong file or an unreadable scan, and a batch owner wants it
 * in failures.jsonl.
 */
export function createLocalExtractor(): Extractor {
  return {
    name: 'local',
    settingsKey: 'local:v1',
    // CPU-bound: one document per decoder process, so every core is busy and none is queued twice.
    documentsInFlight: () => sharedDecoderPool().size,
    async extract({ document, schemaName, schema }: ExtractionRequest): Promise<Extraction> {
      if (!locallyReadSchemas.includes(String(schemaName))) {
        throw new DocumentError(
          'validation_failed',
          `${document.path}: the local extractor reads ${locallyReadSchemas.join(' and ')}, not "${String(schemaName)}": use the anthropic extractor for it`,
        );
      }
      const { data, found, signals } = readLocally(String(schemaName), await isolatedDecoding.documentText(document))!;
      if (!found) {
        throw new DocumentError(
          'validation_failed',
          `${document.path}: no ${String(schemaName)} fields found (${signals}): check that it is a ${String(schemaName)}, or extract it with the anthropic extractor`,
        );
      }
      const result = schema.safeParse(data);
      if (!result.success) {
        throw new DocumentError('validation_failed', `${document.path}: extracted data does not match the ${String(schemaName)} schema: ${schemaIssues(result.error).join('; ')}`);
      }
      return { data: result.data, usage: zeroUsage, model: 'local', calls: 1 };
    },
  };
}
