import { decodeDocumentText } from '../encoding';
import { textualFormat } from './textual';

/** Plain text (.txt, .text, .md, .csv): no magic number, known by its extension. */
export const plainTextFormat = textualFormat({
  mediaType: 'text/plain',
  label: 'plain text',
  extensions: ['.txt', '.text', '.md', '.csv'],
  matches: (_bytes, extension) => ['.txt', '.text', '.md', '.csv'].includes(extension),
  text: async (document) => decodeDocumentText(document),
});
