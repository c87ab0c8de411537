import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { SourceDocument } from '../extractor';
import { formatOf } from '../formats';

/**
 * The document as Messages API content, in a form the API accepts (formats/): PDFs as base64
 * `document` blocks (Claude sees each page's image and text layer), png/jpeg/gif/webp as base64
 * `image` blocks, TIFF/BMP/HEIC converted to PNG (or JPEG) image blocks, one per page, and
 * textual formats (plain text, HTML, Word, XML) as their text in a `text` block. The document
 * comes before the instruction, as the vision and PDF guides recommend.
 */
export function documentContent(document: SourceDocument): Promise<ContentBlockParam[]> {
  return formatOf(document.mediaType).content(document);
}
