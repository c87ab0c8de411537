import type { SourceDocument } from '../extractor';
import { withPdf } from '../pdf';

/** A file embedded in a PDF, as pdfjs gives it. */
export interface PdfAttachment {
  filename: string;
  content: Uint8Array;
}

/**
 * The .xml files embedded in a PDF (where Factur-X, ZUGFeRD and XRechnung put the invoice XML),
 * read with pdfjs. It parses the PDF, so it runs in a decoder process (isolation/), like every
 * other reading of a document's bytes; only these few KB of XML come back to the worker.
 */
export async function pdfXmlAttachments(document: SourceDocument): Promise<PdfAttachment[]> {
  const attachments = await withPdf(document, async (pdf) => (await pdf.getAttachments()) as Record<string, PdfAttachment> | null);
  return Object.values(attachments ?? {})
    .filter((file) => file.filename.toLowerCase().endsWith('.xml'))
    .map((file) => ({ filename: file.filename, content: file.content }));
}
