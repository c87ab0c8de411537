import type { Invoice, InvoiceLineItem } from '../schemas/invoice';
import { all, at, attribute, decimal, text, type XmlNode } from './xml';

/**
 * An OASIS UBL 2.1 Invoice or CreditNote (Peppol BIS, XRechnung UBL syntax). Amounts come from
 * cac:LegalMonetaryTotal: net = TaxExclusiveAmount, total = TaxInclusiveAmount; tax is the
 * cac:TaxTotal in the document currency (a second TaxTotal may state it in the tax currency).
 */
export function readUbl(root: XmlNode, rootName: 'Invoice' | 'CreditNote'): Invoice {
  const credit = rootName === 'CreditNote';
  const totals = at(root, 'LegalMonetaryTotal');
  if (totals === undefined) throw new Error('no cac:LegalMonetaryTotal: not a complete UBL invoice');
  const currency = text(at(root, 'DocumentCurrencyCode'));
  const taxTotals = all(root, 'TaxTotal').map((total) => at(total, 'TaxAmount'));
  const tax = taxTotals.find((amount) => attribute(amount, 'currencyID') === currency) ?? taxTotals[0];

  const lineItems = all(root, credit ? 'CreditNoteLine' : 'InvoiceLine').map((line, index): InvoiceLineItem => ({
    description: text(at(line, 'Item', 'Name')) ?? text(at(line, 'Item', 'Description')) ?? `line ${index + 1}`,
    quantity: decimal(at(line, credit ? 'CreditedQuantity' : 'InvoicedQuantity'), 'quantity'),
    unitPrice: decimal(at(line, 'Price', 'PriceAmount'), 'PriceAmount'),
    amount: decimal(at(line, 'LineExtensionAmount'), 'LineExtensionAmount'),
  }));

  return {
    invoiceNumber: text(at(root, 'ID')),
    issueDate: isoDate(at(root, 'IssueDate')),
    // UBL 2.1 Invoice has cbc:DueDate; a CreditNote (and UBL 2.0) states it under PaymentMeans.
    dueDate: isoDate(at(root, 'DueDate')) ?? isoDate(at(root, 'PaymentMeans', 'PaymentDueDate')),
    issuer: partyName(at(root, 'AccountingSupplierParty', 'Party')),
    buyer: partyName(at(root, 'AccountingCustomerParty', 'Party')),
    currency,
    subtotal: decimal(at(totals, 'TaxExclusiveAmount'), 'TaxExclusiveAmount'),
    tax: decimal(tax, 'TaxAmount'),
    total: decimal(at(totals, 'TaxInclusiveAmount'), 'TaxInclusiveAmount') ?? decimal(at(totals, 'PayableAmount'), 'PayableAmount'),
    lineItems,
  };
}

/** The party's legal (registration) name, else its trading name. */
function partyName(party: XmlNode | undefined): string | null {
  return text(at(party, 'PartyLegalEntity', 'RegistrationName')) ?? text(at(party, 'PartyName', 'Name'));
}

function isoDate(node: XmlNode | undefined): string | null {
  const value = text(node);
  if (value === null) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`date "${value}" is not YYYY-MM-DD`);
  return value;
}
