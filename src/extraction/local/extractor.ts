import { DocumentError } from '../errors';
import type { Extraction, ExtractionRequest, Extractor } from '../extractor';
import { weightForBytes } from '../document-slots';
import { isolatedDecoding, sharedDecoderPool } from '../isolation';
import { zeroUsage } from '../usage';
import { locallyReadSchemas, readLocally } from './readers';
import { issuerOfDocument } from '../examples/issuer-match';
import type { IssuerExamples, SeedExamples } from '../examples/example';
import { applyLayoutHints, issuerLayoutHints, type LayoutHint } from './layout-hints';
import { schemaIssues } from '../../batch/issues';

/** Each issuer's hints, learned once per snapshot (the examples objects live as long as the batch's snapshot is cached). */
const learnedHints = new WeakMap<IssuerExamples, LayoutHint[]>();

/**
 * The data with the fields a known issuer's corrections taught read by their labels (layout-hints.ts):
 * a person's correction of this issuer's layout outranks the general rules.
 */
function withIssuerHints(text: string, data: Record<string, unknown>, examples: SeedExamples | undefined): { data: Record<string, unknown>; hinted: string[] } {
  if (!examples || examples.issuers.length === 0) return { data, hinted: [] };
  const issuer = issuerOfDocument(text, data, examples.issuers);
  if (!issuer) return { data, hinted: [] };
  let hints = learnedHints.get(issuer);
  if (!hints) {
    hints = issuerLayoutHints(issuer.examples);
    learnedHints.set(issuer, hints);
  }
  const applied = applyLayoutHints(text, data, hints);
  // Known by the name its text prints: the issuer is that name, as the person wrote it.
  const named = issuerFieldOf(issuer, applied.data);
  if (named !== null && applied.data[named] !== issuer.issuer) return { data: { ...applied.data, [named]: issuer.issuer }, hinted: [...applied.fields, named] };
  return { data: applied.data, hinted: applied.fields };
}

/** The field the issuer's examples name it in ("issuer", "merchant" …), when the data has it as text or null. */
function issuerFieldOf(issuer: IssuerExamples, data: Record<string, unknown>): string | null {
  const example = issuer.examples[0]?.data ?? {};
  const field = Object.keys(example).find((key) => example[key] === issuer.issuer);
  return field !== undefined && (typeof data[field] === 'string' || data[field] === null) ? field : null;
}

/** Documents one worker works on at once offline, and the bytes they may hold between them (a 32 MB document takes half). */
const LOCAL_DOCUMENTS_IN_FLIGHT = 64;
const LOCAL_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

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
    // The version of the rules: a cached result of older rules is not reused. v2: scans prepared and
    // read in the document's language, fields weighed by OCR confidence; v3: printed e-invoice layouts;
    // v4: till receipts (item lines, VAT tables, payment, tips), photos upright and cut out of their background;
    // v5: German summary layouts (rate columns, tax per rate with its base, sum rows, due dates in payment terms), GLN lines under
    // party labels; photos flattened (divided by their background) before OCR.
    settingsKey: 'local:v5',
    // Text, XML and HTML need no decoder; PDFs and images queue at the decoder pool (one a process).
    // Enough in flight that plain text never waits behind a decode, bounded by weight so that the
    // bytes of large documents waiting for a decoder stay within LOCAL_BYTES_IN_FLIGHT.
    documentsInFlight: () => Math.max(LOCAL_DOCUMENTS_IN_FLIGHT, sharedDecoderPool().size),
    documentWeight: (sizeBytes) => weightForBytes(sizeBytes, LOCAL_DOCUMENTS_IN_FLIGHT, LOCAL_BYTES_IN_FLIGHT),
    async extract({ document, schemaName, schema, examples }: ExtractionRequest): Promise<Extraction> {
      if (!locallyReadSchemas.includes(String(schemaName))) {
        throw new DocumentError(
          'validation_failed',
          `${document.path}: the local extractor reads ${locallyReadSchemas.join(' and ')}, not "${String(schemaName)}": use the anthropic extractor for it`,
        );
      }
      const documentText = await isolatedDecoding.readDocumentText(document);
      const read = readLocally(String(schemaName), documentText)!;
      const { data, hinted } = withIssuerHints(documentText.text, read.data as Record<string, unknown>, examples);
      const { doubtful, signals } = read;
      if (!read.found && hinted.length === 0) {
        // A scan or photo OCR could hardly read says so, rather than passing for a document of another kind.
        const words = documentText.text.match(/\p{L}{2,}/gu)?.length ?? 0;
        const little = words < 10 ? `; its text has ${words === 0 ? 'no words' : `only ${words} word${words === 1 ? '' : 's'}`} (an unreadable scan or photo?)` : '';
        throw new DocumentError(
          'validation_failed',
          `${document.path}: no ${String(schemaName)} fields found (${signals}${little}): check that it is a ${String(schemaName)}, or extract it with the anthropic extractor`,
        );
      }
      const result = schema.safeParse(data);
      if (!result.success) {
        throw new DocumentError('validation_failed', `${document.path}: extracted data does not match the ${String(schemaName)} schema: ${schemaIssues(result.error).join('; ')}`);
      }
      // A field read by a correction's label replaced the rules' reading: their doubt about it no longer applies.
      const unsure = doubtful.filter((field) => !hinted.includes(field));
      if (unsure.length === 0) return { data: result.data, usage: zeroUsage, model: 'local', calls: 1 };
      return {
        data: result.data,
        usage: zeroUsage,
        model: 'local',
        calls: 1,
        warnings: [`read from words OCR was unsure of: ${unsure.join(', ')}`],
        needsReview: true,
      };
    },
  };
}
