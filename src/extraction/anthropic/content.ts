import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { SourceDocument } from '../extractor';
import { decodeText } from '../encoding';

/**
 * The document as Messages API content: PDFs as base64 `document` blocks (Claude sees each page's
 * image and text layer), images as base64 `image` blocks, plain text as a `text` block. The
 * document comes before the instruction, as the vision and PDF guides recommend.
 */
export function documentContent(document: SourceDocument): ContentBlockParam {
  switch (document.mediaType) {
    case 'application/pdf':
      return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: document.bytes.toString('base64') } };
    case 'image/png':
    case 'image/jpeg':
    case 'image/gif':
    case 'image/webp':
      return { type: 'image', source: { type: 'base64', media_type: document.mediaType, data: document.bytes.toString('base64') } };
    case 'text/plain':
      return { type: 'text', text: `<document>\n${decodeText(document.path, document.bytes).text}\n</document>` };
  }
}
