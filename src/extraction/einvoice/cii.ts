import type { Invoice, InvoiceLineItem } from '../schemas/invoice';
import { all, at, attribute, decimal, text, type XmlNode } from './xml';

/**
 * A UN/CEFACT Cross Industry Invoice: CII D16B as Factur-X, ZUGFeRD 2.x and XRechnung (CII syntax)
 * write it (rsm:CrossIndustryInvoice), and ZUGFeRD 1.0's CII D13B variant (rsm:CrossIndustryDocument,
 * with HeaderExchangedDocument and ApplicableSupplyChainTrade… in place of ApplicableHeaderTrade…).
 * Amounts are the header's monetary summation: net = TaxBasisTotalAmount, tax = TaxTotalAmount (in
 * the invoice currency when it is given twice), total = GrandTotalAmount.
 */
export function readCii(root: XmlNode, rootName: 'CrossIndustryInvoice' | 'CrossIndustryDocument'): Invoice {
  const v1 = rootName === 'CrossIndustryDocument';
  const header = at(root, v1 ? 'HeaderExchangedDocument' : 'ExchangedDocument');
  const transaction = at(root, v1 ? 'SpecifiedSupplyChainTradeTransaction' : 'SupplyChainTradeTransaction');
  const agreement = at(transaction, v1 ? 'ApplicableSupplyChainTradeAgreement' : 'ApplicableHeaderTradeAgreement');
  const settlement = at(transaction, v1 ? 'ApplicableSupplyChainTradeSettlement' : 'ApplicableHeaderTradeSettlement');
  const totals = at(settlement, v1 ? 'SpecifiedTradeSettlementMonetarySummation' : 'SpecifiedTradeSettlementHeaderMonetarySummation');
  if (header === undefined || totals === undefined) throw new Error(`no ${v1 ? 'HeaderExchangedDocument' : 'ExchangedDocument'} or monetary summation: not a complete CII invoice`);
  const currency = text(at(settlement, 'InvoiceCurrencyCode'));

  const lineItems = all(transaction, 'IncludedSupplyChainTradeLineItem').map((line, index): InvoiceLineItem => {
    const lineAgreement = at(line, v1 ? 'SpecifiedSupplyChainTradeAgreement' : 'SpecifiedLineTradeAgreement');
    const lineDelivery = at(line, v1 ? 'SpecifiedSupplyChainTradeDelivery' : 'SpecifiedLineTradeDelivery');
    const lineSettlement = at(line, v1 ? 'SpecifiedSupplyChainTradeSettlement' : 'SpecifiedLineTradeSettlement');
    const lineTotals = at(lineSettlement, v1 ? 'SpecifiedTradeSettlementMonetarySummation' : 'SpecifiedTradeSettlementLineMonetarySummation');
    const product = at(line, 'SpecifiedTradeProduct');
    return {
      description: text(at(product, 'Name')) ?? text(at(product, 'Description')) ?? `line ${index + 1}`,
      quantity: decimal(at(lineDelivery, 'BilledQuantity'), 'BilledQuantity'),
      unitPrice: decimal(at(lineAgreement, 'NetPriceProductTradePrice', 'ChargeAmount'), 'ChargeAmount'),
      amount: decimal(at(lineTotals, 'LineTotalAmount'), 'LineTotalAmount'),
    };
  });

  return {
    invoiceNumber: text(at(header, 'ID')),
    issueDate: ciiDate(at(header, 'IssueDateTime', 'DateTimeString')),
    dueDate: ciiDate(at(settlement, 'SpecifiedTradePaymentTerms', 'DueDateDateTime', 'DateTimeString')),
    issuer: text(at(agreement, 'SellerTradeParty', 'Name')),
    buyer: text(at(agreement, 'BuyerTradeParty', 'Name')),
    currency,
    subtotal: decimal(at(totals, 'TaxBasisTotalAmount'), 'TaxBasisTotalAmount'),
    tax: decimal(inCurrency(all(totals, 'TaxTotalAmount'), currency), 'TaxTotalAmount'),
    total: decimal(at(totals, 'GrandTotalAmount'), 'GrandTotalAmount') ?? decimal(at(totals, 'DuePayableAmount'), 'DuePayableAmount'),
    lineItems,
  };
}

/** Of an amount given in several currencies (invoice and accounting currency), the invoice currency's. */
function inCurrency(amounts: XmlNode[], currency: string | null): XmlNode | undefined {
  return amounts.find((amount) => attribute(amount, 'currencyID') === currency) ?? amounts[0];
}

/** A udt:DateTimeString as an ISO date: format 102 is CCYYMMDD (the one EN 16931 allows); others are refused. */
function ciiDate(node: XmlNode | undefined): string | null {
  const value = text(node);
  if (value === null) return null;
  const format = attribute(node, 'format') ?? '102';
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (format !== '102' || match === null) throw new Error(`date "${value}" (format ${format}) is not CCYYMMDD (format 102)`);
  return `${match[1]}-${match[2]}-${match[3]}`;
}
