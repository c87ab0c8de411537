import { decodeUtf8 } from '../encoding';
import { textualFormat } from './textual';

/** Root elements of the e-invoice syntaxes docbatch reads (einvoice/): UN/CEFACT CII (and ZUGFeRD 1.0's), UBL 2.1. */
export const eInvoiceRoots = ['CrossIndustryInvoice', 'CrossIndustryDocument', 'Invoice', 'CreditNote'] as const;

/** The local name of an XML document's root element ("rsm:CrossIndustryInvoice" → "CrossIndustryInvoice"). */
export function xmlRootName(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 8192).toString('utf8').replace(/^\uFEFF/, '');
  // Skip the declaration, processing instructions, comments and a doctype to the first element.
  const match = /^\s*(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(head);
  return match?.[2];
}

/**
 * A standalone e-invoice XML file (XRechnung, Factur-X/ZUGFeRD XML, Peppol UBL). Read exactly by
 * the e-invoice reader before any extractor; when that fails (damaged XML), the extractors get
 * the XML text itself, which a model reads well.
 */
export const xmlInvoiceFormat = textualFormat({
  mediaType: 'application/xml',
  label: 'e-invoice XML (CII or UBL)',
  extensions: ['.xml'],
  matches: (bytes) => (eInvoiceRoots as readonly string[]).includes(xmlRootName(bytes) ?? ''),
  text: async (document) => decodeUtf8(document),
});
