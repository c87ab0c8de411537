import { DocumentError } from '../errors';
import type { Extraction, ExtractionRequest, Extractor } from '../extractor';
import type { DecoderPool } from '../isolation';
import { zeroUsage } from '../usage';
import { readEInvoice } from './index';

/** The `model` of a result read from e-invoice XML: no model was called. */
export const eInvoiceModel = 'e-invoice';

/**
 * Puts the e-invoice reader in front of an extractor (local or anthropic alike): an invoice whose
 * exact data is in e-invoice XML (Factur-X/ZUGFeRD/XRechnung attachment, CII or UBL file) is read
 * from it — no model call, no cost, `source: "e-invoice"` on its result line. An e-invoice that
 * cannot be used goes to the wrapped extractor with the reason as a warning. A PDF's attachments
 * are read in `pool` (the shared decoder pool by default).
 */
export function withEInvoiceReader(extractor: Extractor, pool?: DecoderPool): Extractor {
  return {
    name: extractor.name,
    settingsKey: `${extractor.settingsKey}+einvoice:v1`,
    ...(extractor.documentsInFlight ? { documentsInFlight: () => extractor.documentsInFlight!() } : {}),
    ...(extractor.documentWeight ? { documentWeight: (sizeBytes: number) => extractor.documentWeight!(sizeBytes) } : {}),
    async extract(request: ExtractionRequest): Promise<Extraction> {
      const reading = await eInvoiceFirst(request, pool);
      if ('extraction' in reading) return reading.extraction;
      if (reading.warning === undefined) return extractor.extract(request);
      const { warning } = reading;
      try {
        const extraction = await extractor.extract(request);
        return { ...extraction, warnings: [...(extraction.warnings ?? []), warning] };
      } catch (error) {
        if (error instanceof DocumentError) throw new DocumentError(error.type, `${error.message} (${warning})`, error.usage);
        throw error;
      }
    },
  };
}

/**
 * The e-invoice reader's part alone (batch mode sends the rest as Message Batches): the extraction
 * when the document is a usable e-invoice, else what the extractor must know, a warning when an
 * e-invoice is there but cannot be used.
 */
export async function eInvoiceFirst(request: ExtractionRequest, pool?: DecoderPool): Promise<{ extraction: Extraction } | { warning: string | undefined }> {
  if (request.schemaName !== 'invoice') return { warning: undefined };
  const reading = await readEInvoice(request.document, request.schema, pool).catch((error: unknown) => {
    if (error instanceof DocumentError) return { status: 'none' as const }; // the extractor names the damage
    throw error;
  });
  if (reading.status === 'read') return { extraction: { data: reading.data, usage: zeroUsage, model: eInvoiceModel, calls: 0, source: 'e-invoice' } };
  if (reading.status === 'none') return { warning: undefined };
  return { warning: `e-invoice XML not used, extracted from the document instead: ${reading.reason}` };
}
