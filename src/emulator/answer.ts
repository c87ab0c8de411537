import { joinPages } from '../extraction/formats/text-block';
import { pdfPageImageTokens } from '../extraction/anthropic/tokens';
import { DocumentError } from '../extraction/errors';
import type { SourceDocument } from '../extraction/extractor';
import { parseInvoiceText } from '../extraction/local/fields';
import { isolatedDecoding } from '../extraction/isolation';
import type { Invoice } from '../extraction/schemas/invoice';
import type { RequestDocument } from './request';

/** What the emulated model "reads" from a document: the answer it gives and the tokens it costs. */
export interface DocumentReading {
  /** The invoice the local parser reads (all nulls when there is no text): answers to any schema start from it. */
  invoice: Invoice;
  /** The document's text, for "Label: value" lines a custom schema asks for. */
  text: string;
  /** Input tokens of the document block itself. */
  tokens: number;
}

const emptyInvoice: Invoice = {
  invoiceNumber: null,
  issueDate: null,
  dueDate: null,
  issuer: null,
  buyer: null,
  currency: null,
  subtotal: null,
  tax: null,
  total: null,
  lineItems: [],
};

/**
 * Reads a document the way the local extractor does (text layer, OCR for images and scans, rule
 * based invoice parsing) and prices it with the same token heuristics docbatch's estimate uses
 * (a PDF page: its image plus its text; an image: width x height / 750). Readings are memoised per
 * document identity: a repair turn or a retry does not OCR again.
 */
export class DocumentReader {
  private readonly readings = new Map<string, Promise<DocumentReading>>();

  read(document: RequestDocument): Promise<DocumentReading> {
    let reading = this.readings.get(document.id);
    if (!reading) {
      reading = readDocument(document);
      this.readings.set(document.id, reading);
    }
    return reading;
  }
}

async function readDocument(document: RequestDocument): Promise<DocumentReading> {
  const texts: string[] = [];
  let tokens = 0;
  for (const [index, part] of document.parts.entries()) {
    const source: SourceDocument = { path: `emulated-${document.id.slice(0, 12)}-${index + 1}`, mediaType: part.mediaType, bytes: part.bytes };
    let text = '';
    try {
      text = await isolatedDecoding.documentText(source);
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
    }
    texts.push(text);
    tokens += await documentTokens(source);
  }
  const text = joinPages(texts.filter((entry) => entry !== ''));
  const invoice = text === '' ? emptyInvoice : parseInvoiceText(text);
  return { invoice, text, tokens };
}

/** The document's input tokens by its format's profile (decoded in the pool): the same figure `--estimate` predicts. */
async function documentTokens(document: SourceDocument): Promise<number> {
  try {
    return (await isolatedDecoding.profileDocument(document, Number.MAX_SAFE_INTEGER)).tokens;
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
    return pdfPageImageTokens; // unreadable: the API would still bill what it was sent, about a page
  }
}
