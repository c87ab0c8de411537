/**
 * Builders of e-invoices for tests and samples, written from the public standards: UN/CEFACT CII
 * D16B as Factur-X / ZUGFeRD 2.x / XRechnung write it, ZUGFeRD 1.0's CrossIndustryDocument, and
 * OASIS UBL 2.1 Invoice / CreditNote; and a PDF carrying the XML as an attachment (pdf-lib).
 */
import { AFRelationship, PDFDocument, StandardFonts } from 'pdf-lib';
import type { Invoice } from '../../src/extraction/schemas/invoice';

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const compact = (iso: string) => iso.replaceAll('-', '');
const amount = (value: number) => value.toFixed(2);

export interface CiiOptions {
  /** 380 commercial invoice (default), 381 credit note. */
  typeCode?: '380' | '381';
  /** Also state the tax in a second (accounting) currency, as EN 16931 allows. */
  accountingCurrency?: { code: string; tax: number };
}

/** A Factur-X / ZUGFeRD 2.x / XRechnung (CII syntax) invoice. */
export function ciiXml(invoice: Invoice, options: CiiOptions = {}): string {
  const currency = invoice.currency ?? 'EUR';
  const lines = invoice.lineItems
    .map(
      (line, index) => `
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>${index + 1}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>${escape(line.description)}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>${amount(line.unitPrice ?? 0)}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">${line.quantity ?? 1}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>${amount(line.amount ?? 0)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>`,
    )
    .join('');
  const due = invoice.dueDate === null ? '' : `
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">${compact(invoice.dueDate)}</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>`;
  const secondTax = options.accountingCurrency === undefined ? '' : `
        <ram:TaxTotalAmount currencyID="${options.accountingCurrency.code}">${amount(options.accountingCurrency.tax)}</ram:TaxTotalAmount>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>${escape(invoice.invoiceNumber ?? '')}</ram:ID>
    <ram:TypeCode>${options.typeCode ?? '380'}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">${compact(invoice.issueDate ?? '')}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>${lines}
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>${escape(invoice.issuer ?? '')}</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>${escape(invoice.buyer ?? '')}</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>${currency}</ram:InvoiceCurrencyCode>${due}
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>${amount(invoice.subtotal ?? 0)}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>${amount(invoice.subtotal ?? 0)}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="${currency}">${amount(invoice.tax ?? 0)}</ram:TaxTotalAmount>${secondTax}
        <ram:GrandTotalAmount>${amount(invoice.total ?? 0)}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>${amount(invoice.total ?? 0)}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`;
}

/** A ZUGFeRD 1.0 invoice (CII D13B: rsm:CrossIndustryDocument, HeaderExchangedDocument). */
export function zugferd1Xml(invoice: Invoice): string {
  const currency = invoice.currency ?? 'EUR';
  const lines = invoice.lineItems
    .map(
      (line, index) => `
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>${index + 1}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedSupplyChainTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="${currency}">${amount(line.unitPrice ?? 0)}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedSupplyChainTradeAgreement>
      <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="C62">${line.quantity ?? 1}</ram:BilledQuantity></ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedSupplyChainTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementMonetarySummation><ram:LineTotalAmount currencyID="${currency}">${amount(line.amount ?? 0)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementMonetarySummation>
      </ram:SpecifiedSupplyChainTradeSettlement>
      <ram:SpecifiedTradeProduct><ram:Name>${escape(line.description)}</ram:Name></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>`,
    )
    .join('');
  const due = invoice.dueDate === null ? '' : `
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">${compact(invoice.dueDate)}</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:comfort</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ram:ID>${escape(invoice.invoiceNumber ?? '')}</ram:ID>
    <ram:Name>RECHNUNG</ram:Name>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">${compact(invoice.issueDate ?? '')}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:SellerTradeParty><ram:Name>${escape(invoice.issuer ?? '')}</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>${escape(invoice.buyer ?? '')}</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeDelivery/>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>${currency}</ram:InvoiceCurrencyCode>${due}
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="${currency}">${amount(invoice.subtotal ?? 0)}</ram:LineTotalAmount>
        <ram:ChargeTotalAmount currencyID="${currency}">0.00</ram:ChargeTotalAmount>
        <ram:AllowanceTotalAmount currencyID="${currency}">0.00</ram:AllowanceTotalAmount>
        <ram:TaxBasisTotalAmount currencyID="${currency}">${amount(invoice.subtotal ?? 0)}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="${currency}">${amount(invoice.tax ?? 0)}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount currencyID="${currency}">${amount(invoice.total ?? 0)}</ram:GrandTotalAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>${lines}
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>
`;
}

/** A UBL 2.1 Invoice, or CreditNote (Peppol BIS Billing 3.0 shape). */
export function ublXml(invoice: Invoice, options: { creditNote?: boolean } = {}): string {
  const root = options.creditNote ? 'CreditNote' : 'Invoice';
  const currency = invoice.currency ?? 'EUR';
  const line = options.creditNote ? 'CreditNoteLine' : 'InvoiceLine';
  const quantity = options.creditNote ? 'CreditedQuantity' : 'InvoicedQuantity';
  const party = (name: string | null) => `<cac:Party>
      <cac:PartyName><cbc:Name>${escape(name ?? '')}</cbc:Name></cac:PartyName>
      <cac:PartyLegalEntity><cbc:RegistrationName>${escape(name ?? '')}</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>`;
  // A CreditNote has no cbc:DueDate: its due date goes under PaymentMeans.
  const due =
    invoice.dueDate === null ? '' : options.creditNote ? '' : `\n  <cbc:DueDate>${invoice.dueDate}</cbc:DueDate>`;
  const paymentMeans =
    invoice.dueDate !== null && options.creditNote
      ? `\n  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentDueDate>${invoice.dueDate}</cbc:PaymentDueDate></cac:PaymentMeans>`
      : '';
  const lines = invoice.lineItems
    .map(
      (item, index) => `
  <cac:${line}>
    <cbc:ID>${index + 1}</cbc:ID>
    <cbc:${quantity} unitCode="C62">${item.quantity ?? 1}</cbc:${quantity}>
    <cbc:LineExtensionAmount currencyID="${currency}">${amount(item.amount ?? 0)}</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>${escape(item.description)}</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="${currency}">${amount(item.unitPrice ?? 0)}</cbc:PriceAmount></cac:Price>
  </cac:${line}>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<${root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:${root}-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>${escape(invoice.invoiceNumber ?? '')}</cbc:ID>
  <cbc:IssueDate>${invoice.issueDate ?? ''}</cbc:IssueDate>${due}
  <cbc:${root}TypeCode>${options.creditNote ? 381 : 380}</cbc:${root}TypeCode>
  <cbc:DocumentCurrencyCode>${currency}</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty>${party(invoice.issuer)}</cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>${party(invoice.buyer)}</cac:AccountingCustomerParty>${paymentMeans}
  <cac:TaxTotal><cbc:TaxAmount currencyID="${currency}">${amount(invoice.tax ?? 0)}</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="${currency}">${amount(invoice.subtotal ?? 0)}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="${currency}">${amount(invoice.subtotal ?? 0)}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="${currency}">${amount(invoice.total ?? 0)}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="${currency}">${amount(invoice.total ?? 0)}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>${lines}
</${root}>
`;
}

/**
 * A PDF showing `visibleLines` (its human-readable face) with `xml` attached as `fileName`, the way
 * Factur-X/ZUGFeRD writers attach it.
 */
export async function pdfWithAttachment(visibleLines: readonly string[], xml: string | Buffer, fileName: string): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  visibleLines.forEach((line, index) => page.drawText(line, { x: 50, y: 790 - index * 16, size: 11, font }));
  return attachInvoiceXml(await pdf.save(), xml, fileName);
}

/** An existing PDF with `xml` attached as `fileName` (EmbeddedFiles name tree, AFRelationship Alternative). */
export async function attachInvoiceXml(pdfBytes: Uint8Array, xml: string | Buffer, fileName: string): Promise<Buffer> {
  const pdf = await PDFDocument.load(pdfBytes, { updateMetadata: false });
  const fixed = new Date(Date.UTC(2024, 0, 1));
  pdf.setModificationDate(fixed);
  await pdf.attach(Buffer.from(xml), fileName, {
    mimeType: 'text/xml',
    description: 'Factur-X/ZUGFeRD invoice',
    creationDate: fixed,
    modificationDate: fixed,
    afRelationship: AFRelationship.Alternative,
  });
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

/** The lines a human-readable invoice face shows for `invoice`. */
export function invoiceLines(invoice: Invoice): string[] {
  return [
    invoice.issuer ?? '',
    `Invoice number: ${invoice.invoiceNumber ?? ''}`,
    `Invoice date: ${invoice.issueDate ?? ''}`,
    ...(invoice.dueDate ? [`Due date: ${invoice.dueDate}`] : []),
    `Bill to: ${invoice.buyer ?? ''}`,
    '',
    ...invoice.lineItems.map((item) => `${item.description}    ${item.quantity ?? ''} x ${item.unitPrice?.toFixed(2) ?? ''}    ${item.amount?.toFixed(2) ?? ''}`),
    '',
    `Subtotal: ${invoice.subtotal?.toFixed(2) ?? ''} ${invoice.currency ?? ''}`,
    `VAT: ${invoice.tax?.toFixed(2) ?? ''} ${invoice.currency ?? ''}`,
    `Total: ${invoice.total?.toFixed(2) ?? ''} ${invoice.currency ?? ''}`,
  ];
}
