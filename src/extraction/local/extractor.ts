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
/** Documents one worker works on at once offline, and the bytes they may hold between them (a 32 MB document takes half). */
const LOCAL_DOCUMENTS_IN_FLIGHT = 64;
const LOCAL_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

export function createLocalExtractor(): Extractor {
  return {
    name: 'local',
    // v2: scans prepared and read in the document's language, fields weighed by OCR confidence.
    settingsKey: 'local:v2',
    // Text, XML and HTML need no decoder; PDFs and images queue at the decoder pool (one a process).
    // Enough in flight that plain text never waits behind a decode, bounded by weight so that the
    // bytes of large documents waiting for a decoder stay within LOCAL_BYTES_IN_FLIGHT.
    documentsInFlight: () => Math.max(LOCAL_DOCUMENTS_IN_FLIGHT, sharedDecoderPool().size),
    documentWeight: (sizeBytes) => 1 + Math.floor((sizeBytes * LOCAL_DOCUMENTS_IN_FLIGHT) / LOCAL_BYTES_IN_FLIGHT),
    async extract({ document, schemaName, schema }: ExtractionRequest): Promise<Extraction> {
      if (!locallyReadSchemas.includes(String(schemaName))) {
        throw new DocumentError(
          'validation_failed',
          `${document.path}: the local extractor reads ${locallyReadSchemas.join(' and ')}, not "${String(schemaName)}": use the anthropic extractor for it`,
        );
      }
      const { data, doubtful, found, signals } = readLocally(String(schemaName), await isolatedDecoding.readDocumentText(document))!;
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
      if (doubtful.length === 0) return { data: result.data, usage: zeroUsage, model: 'local', calls: 1 };
      return {
        data: result.data,
        usage: zeroUsage,
        model: 'local',
        calls: 1,
        warnings: [`read from words OCR was unsure of: ${doubtful.join(', ')}`],
        needsReview: true,
      };
    },
  };
}
