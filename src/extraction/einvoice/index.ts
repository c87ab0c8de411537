import type { z } from 'zod';
import type { SourceDocument } from '../extractor';
import { xmlRootName } from '../formats/xml-invoice';
import { isolatedDecoding, type DecoderPool } from '../isolation';
import { schemaIssues } from '../../batch/issues';
import { decodeUtf8 } from '../encoding';
import { readCii } from './cii';
import { readUbl } from './ubl';
import { parseXml, type XmlNode } from './xml';

/**
 * What the e-invoice reader found in a document:
 * - `none`: no e-invoice (not a PDF with an invoice XML attachment, not an invoice XML file);
 * - `read`: the invoice, exactly as its XML states it, already valid against the schema;
 * - `invalid`: an e-invoice is there but cannot be used (damaged XML, unreadable values, or data
 *   the schema refuses): the document goes the normal way, with this reason as a warning.
 */
export type EInvoiceReading =
  | { status: 'none' }
  | { status: 'read'; data: Record<string, unknown>; syntax: EInvoiceSyntax; file: string }
  | { status: 'invalid'; reason: string };

export type EInvoiceSyntax = 'CII' | 'ZUGFeRD 1.0 CII' | 'UBL Invoice' | 'UBL CreditNote';

/**
 * Attachment names the standards give the invoice XML: Factur-X and ZUGFeRD 2.1+, ZUGFeRD 2.0,
 * ZUGFeRD 1.0, and XRechnung carried in a ZUGFeRD PDF. Any other .xml attachment counts only if
 * its root element is an invoice.
 */
const standardAttachmentNames = ['factur-x.xml', 'zugferd-invoice.xml', 'xrechnung.xml'];

/**
 * Reads the invoice of an e-invoice document (see EInvoiceReading); never calls a model. A PDF's
 * attachments are read in a decoder process (`pool`, the shared one by default); a PDF that
 * breaks the reader there fails with a DocumentError, the worker untouched.
 */
export async function readEInvoice(document: SourceDocument, schema: z.ZodObject, pool?: DecoderPool): Promise<EInvoiceReading> {
  const source = await eInvoiceXml(document, pool);
  if (source === undefined) return { status: 'none' };
  let data: Record<string, unknown>;
  let syntax: EInvoiceSyntax;
  try {
    ({ data, syntax } = readInvoiceXml(source.xml));
  } catch (error) {
    return { status: 'invalid', reason: `${source.file}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const checked = schema.safeParse(data);
  if (!checked.success) return { status: 'invalid', reason: `${source.file}: does not match the invoice schema: ${schemaIssues(checked.error).join('; ')}` };
  return { status: 'read', data: checked.data, syntax, file: source.file };
}

/** The invoice in a CII or UBL XML string; throws an Error saying what is wrong with it. */
export function readInvoiceXml(xml: string): { data: Record<string, unknown>; syntax: EInvoiceSyntax } {
  const parsed = parseXml(xml);
  const rootName = Object.keys(parsed).find((key) => !key.startsWith('?') && !key.startsWith('#'));
  const root = (rootName === undefined ? undefined : parsed[rootName]) as XmlNode | undefined;
  if (root === undefined || typeof root !== 'object') throw new Error('no root element');
  switch (rootName) {
    case 'CrossIndustryInvoice':
      return { data: readCii(root, rootName), syntax: 'CII' };
    case 'CrossIndustryDocument':
      return { data: readCii(root, rootName), syntax: 'ZUGFeRD 1.0 CII' };
    case 'Invoice':
      return { data: readUbl(root, rootName), syntax: 'UBL Invoice' };
    case 'CreditNote':
      return { data: readUbl(root, rootName), syntax: 'UBL CreditNote' };
    default:
      throw new Error(`root element ${rootName} is not a CII or UBL invoice`);
  }
}

/** The invoice XML a document carries: the file itself, or a PDF's invoice attachment. */
async function eInvoiceXml(document: SourceDocument, pool?: DecoderPool): Promise<{ xml: string; file: string } | undefined> {
  if (document.mediaType === 'application/xml') return { xml: decodeUtf8(document), file: document.path };
  if (document.mediaType !== 'application/pdf') return undefined;
  const files = await isolatedDecoding.pdfXmlAttachments(document, pool);
  const chosen =
    files.find((file) => standardAttachmentNames.includes(file.filename.toLowerCase())) ??
    files.find((file) => xmlRootName(Buffer.from(file.content)) !== undefined && isInvoiceRoot(xmlRootName(Buffer.from(file.content))!));
  if (chosen === undefined) return undefined;
  return { xml: Buffer.from(chosen.content).toString('utf8').replace(/^\uFEFF/, ''), file: `${document.path} (attachment ${chosen.filename})` };
}

function isInvoiceRoot(name: string): boolean {
  return ['CrossIndustryInvoice', 'CrossIndustryDocument', 'Invoice', 'CreditNote'].includes(name);
}
