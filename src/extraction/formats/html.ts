import { convert } from 'html-to-text';
import { decodeDocumentText } from '../encoding';
import { textualFormat } from './textual';

/**
 * The text a browser would show for an HTML document: scripts, styles and the head dropped,
 * tables laid out as columns (an invoice's line items stay one row a line), links without URLs.
 */
export function htmlText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'head', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'noscript', format: 'skip' },
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
      // Headings as written: an issuer's name in an <h1> is a name, not "ACME GMBH".
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false, maxColumnWidth: 60 } },
    ],
  });
}

/** HTML (invoices sent as e-mail, saved web pages): known by its extension or its opening tag. */
export const htmlFormat = textualFormat({
  mediaType: 'text/html',
  label: 'HTML',
  extensions: ['.html', '.htm', '.xhtml'],
  matches: (bytes, extension) =>
    ['.html', '.htm', '.xhtml'].includes(extension) || /^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html[\s>])/i.test(bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '')),
  text: async (document) => htmlText(decodeDocumentText(document)),
});
