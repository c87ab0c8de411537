import type { SourceDocument } from '../extractor';
import { formatOf, type DocumentProfile } from '../formats';

/**
 * The routing facts of a document, from its bytes (formats/): page count, text characters, pages
 * that need vision, and the tokens its content costs. PDF text layers are read only up to
 * `readPagesUpTo` pages — beyond that the document is long, and routing needs nothing more — and
 * nothing is OCR'd: a page without a text layer counts as scanned.
 */
export function profileDocument(document: SourceDocument, readPagesUpTo: number): Promise<DocumentProfile> {
  return formatOf(document.mediaType).profile(document, readPagesUpTo);
}
