import { unzipSync } from 'fflate';
import mammoth from 'mammoth';
import { DocumentError } from '../errors';
import type { DocumentFormat } from './format';
import { htmlText } from './html';
import { startsWith } from './image';
import { textualFormat } from './textual';

/** True for a ZIP container holding a Word main document part (reads the ZIP directory only). */
export function isWordDocument(bytes: Buffer): boolean {
  if (!startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return false;
  let found = false;
  try {
    unzipSync(bytes, {
      filter: (entry) => {
        if (entry.name === 'word/document.xml') found = true;
        return false; // list only, inflate nothing
      },
    });
  } catch {
    return false; // a damaged ZIP is not something Word wrote
  }
  return found;
}

/**
 * Word (.docx): converted with mammoth to HTML, then to text like HTML is, so tables keep their
 * rows. Legacy binary .doc (OLE2) is not read (document.ts names it).
 */
export const docxFormat: DocumentFormat = textualFormat({
  mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  label: 'Word (DOCX)',
  detection: 'magic',
  extensions: ['.docx'],
  matches: (bytes) => isWordDocument(bytes),
  text: async (document) => {
    try {
      const { value } = await mammoth.convertToHtml({ buffer: document.bytes });
      return htmlText(value);
    } catch (error) {
      throw new DocumentError(
        'corrupt',
        `${document.path} is a damaged Word document (${error instanceof Error ? error.message : String(error)}): open and re-save it, or export it as PDF`,
      );
    }
  },
});
