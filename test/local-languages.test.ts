import { describe, expect, it } from 'vitest';
import { amountsIn, decimalStyle, parseAmount } from '../src/extraction/local/amounts';
import { detectCurrency } from '../src/extraction/local/currency';
import { documentDateOrder, parseDate } from '../src/extraction/local/dates';
import { parseInvoiceText } from '../src/extraction/local/fields';
import { detectLanguage } from '../src/extraction/local/language';
import { toLines } from '../src/extraction/local/layout';
import { findMerchant, findReceiptDate, findReceiptTotal, parseReceiptText } from '../src/extraction/local/receipt';

const lines = (...text: string[]) => text.join('\n');

describe('amounts as Europe, India and Switzerland print them', () => {
  it.each([
    ['1 234,56', 1234.56],
    ['1\u00a0234,56', 1234.56],
    ['1\u202f234,56', 1234.56],
    ["1'234.56", 1234.56],
    ['1’234.56', 1234.56],
    ['1,23,456.78', 123456.78],
    ['12,50-', -12.5],
    ['−12,50', -12.5],
  ])('%s -> %d', (raw, value) => {
    expect(amountsIn(raw, 'comma')).toEqual([value]);
  });

  it('decides the decimal separator from all the amounts of a document, not one string', () => {
    // "1.234" alone is ambiguous; the document writes "12,50", so the point groups thousands.
    expect(decimalStyle('Menge 1.234 Stück\nPreis 12,50')).toBe('comma');
    expect(parseAmount('1.234', decimalStyle('Menge 1.234 Stück\nPreis 12,50'))).toBe(1234);
    expect(decimalStyle('Qty 1,234\nPrice 12.50')).toBe('point');
    // No evidence at all: the language's convention.
    expect(decimalStyle('Betrag 1.234', 'comma')).toBe('comma');
  });

  it('does not read dates, rates or ids as amounts', () => {
    expect(amountsIn('Datum 15.03.2024', 'comma')).toEqual([]);
    expect(amountsIn('MwSt 19 %', 'comma')).toEqual([]);
    expect(amountsIn('USt-IdNr. DE287654321', 'comma')).toEqual([]);
  });
});

describe('dates in eight languages', () => {
  it.each([
    ['31. Januar 2026', '2026-01-31'],
    ['3. März 2025', '2025-03-03'],
    ['5 mars 2024', '2024-03-05'],
    ['1er août 2024', '2024-08-01'],
    ['3 de marzo de 2024', '2024-03-03'],
    ['12 maggio 2024', '2024-05-12'],
    ['12 mei 2024', '2024-05-12'],
    ['12 maja 2024', '2024-05-12'],
    ['8 lipca 2024 r.', '2024-07-08'],
    ['12 de maio de 2024', '2024-05-12'],
    ['Mar 5, 2024', '2024-03-05'],
    ['21-Jan-2025', '2025-01-21'],
    ['05-03-24', '2024-03-05'],
  ])('%s -> %s', (text, iso) => {
    expect(parseDate(text)).toBe(iso);
  });

  it('decides the order of ambiguous numeric dates per document', () => {
    expect(documentDateOrder('Date 06/03/2025  Due 07/03/2025', 'USD', 'en')).toBe('MDY');
    expect(documentDateOrder('Date 06/03/2025  Due 07/03/2025', 'GBP', 'en')).toBe('DMY');
    // A US-dollar invoice written in Spanish is D/M/Y.
    expect(documentDateOrder('Fecha 06/03/2025', 'USD', 'es')).toBe('DMY');
    // One unambiguous date settles the rest of the document.
    expect(documentDateOrder('Date 06/03/2025  Due 07/23/2025', 'EUR', 'en')).toBe('MDY');
  });
});

describe('currency from symbols, codes, words and country', () => {
  const currency = (text: string) => detectCurrency(text, toLines(text), detectLanguage(text));
  it.each([
    ['Do zapłaty: 934,80 zł', 'PLN'],
    ['Grand Total ₹ 1,88,564.00', 'INR'],
    ['Total Invoice Value Rs. 3,25,090.00', 'INR'],
    ['Valor total R$ 6.300,00', 'BRL'],
    ['Total Fr. 1\'250.00', 'CHF'],
    ['Total £533.88', 'GBP'],
    ['Total $120.00\nGST/HST Reg. 123456789 RT0001, Toronto, Ontario', 'CAD'],
    ['Total $120.00\nABN 51 824 753 556 Sydney NSW', 'AUD'],
    ['Total $120.00', 'USD'],
    ['Att betala 1 250,00 kr\nMoms 25% 250,00 kr\nOrg.nr 556677-8899', 'SEK'],
  ])('%s -> %s', (text, code) => {
    expect(currency(text)).toBe(code);
  });

  it('falls back to the IBAN country when no currency is printed, and to null without evidence', () => {
    expect(currency('Totale 100,00\nIBAN IT60 X054 2811 1010 0000 0123 456')).toBe('EUR');
    expect(currency('Total 100.00')).toBeNull();
  });
});

describe('invoices in eight languages', () => {
  it('German: Rechnung Nr., Datum vs Leistungsdatum, zahlbar bis, Nettobetrag/MwSt./Rechnungsbetrag', () => {
    const invoice = parseInvoiceText(
      lines(
        'Malerbetrieb Jens Ohm',
        'Malerbetrieb Ohm · Hauptstr. 3 · 12345 Musterstadt',
        'Herrn',
        'Karl Weber',
        '                                   Rechnung Nr.:     2024-0187',
        '                                   Leistungsdatum:   04.03.2024',
        '                                   Datum:            14.03.2024',
        'Nettobetrag            945,25 €',
        'zzgl. 19% MwSt.        179,60 €',
        'Rechnungsbetrag      1.124,85 €',
        'Zahlbar bis 28.03.2024 ohne Abzug.',
      ),
    );
    expect(invoice).toMatchObject({
      invoiceNumber: '2024-0187',
      issueDate: '2024-03-14',
      dueDate: '2024-03-28',
      issuer: 'Malerbetrieb Jens Ohm',
      buyer: 'Karl Weber',
      currency: 'EUR',
      subtotal: 945.25,
      tax: 179.6,
      total: 1124.85,
    });
  });

  it('German OCR noise: "Rechnungs-Nr.:", letter-spaced digits and name', () => {
    const invoice = parseInvoiceText(lines('AUTOHAUS  KRAUSE  GmbH', 'Rechnungs-Nr.: 7 0 3 1 5      Datum : 22.10.2025', 'Endbetrag EUR   402,87'));
    expect(invoice).toMatchObject({ invoiceNumber: '70315', issueDate: '2025-10-22', issuer: 'AUTOHAUS KRAUSE GmbH', total: 402.87 });
  });

  it('French: Facture n°, Échéance, Total HT / TVA / Total TTC with narrow no-break spaces, Net à payer after a deposit', () => {
    const invoice = parseInvoiceText(
      lines(
        'Nuageo SAS',
        'Facture n° F-2024-00042                  Client',
        'Date de facture : 5 mars 2024            Boulangerie Le Fournil SARL',
        'Échéance : 4 avril 2024',
        'Total HT            1\u202f242,00\u202f€',
        'TVA 20\u202f%             248,40\u202f€',
        'Total TTC           1\u202f490,40\u202f€',
        'Acompte versé         500,00\u202f€',
        'Net à payer           990,40\u202f€',
      ),
    );
    expect(invoice).toMatchObject({
      invoiceNumber: 'F-2024-00042',
      issueDate: '2024-03-05',
      dueDate: '2024-04-04',
      issuer: 'Nuageo SAS',
      buyer: 'Boulangerie Le Fournil SARL',
      subtotal: 1242,
      tax: 248.4,
      total: 1490.4, // the invoice total, not what is left to pay
    });
  });

  it('Spanish: Factura nº, Base imponible, IVA, Total factura', () => {
    const invoice = parseInvoiceText(
      lines('TALLERES GARCÍA, S.L.', 'Factura nº: A-2024/0157', 'Fecha factura: 3 de marzo de 2024', 'Base imponible   617,00 €', 'IVA (21%)        129,57 €', 'Total factura    746,57 €'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: 'A-2024/0157', issueDate: '2024-03-03', issuer: 'TALLERES GARCÍA, S.L.', subtotal: 617, tax: 129.57, total: 746.57 });
  });

  it('Italian: Fattura n. … del …, Spett.le, Imponibile / IVA / Totale documento', () => {
    const invoice = parseInvoiceText(
      lines('Tipografia Bianchi S.r.l.', 'Spett.le', 'Studio Rossi & Associati', 'FATTURA N. 312 DEL 12 maggio 2024', 'Imponibile     1.264,00', 'IVA 22%          278,08', 'Totale documento  1.542,08'),
    );
    expect(invoice).toMatchObject({
      invoiceNumber: '312',
      issueDate: '2024-05-12',
      issuer: 'Tipografia Bianchi S.r.l.',
      buyer: 'Studio Rossi & Associati',
      currency: 'EUR',
      subtotal: 1264,
      tax: 278.08,
      total: 1542.08,
    });
  });

  it('Dutch: Factuurnummer, Factuurdatum, Vervaldatum, Subtotaal / BTW / Totaal', () => {
    const invoice = parseInvoiceText(
      lines('Daan de Vries Webdevelopment', 'Aan:', 'Bakkerij Van den Berg B.V.', 'Factuurnummer: 2024-017', 'Factuurdatum: 12 mei 2024', 'Vervaldatum: 11 juni 2024', 'Subtotaal   € 2.765,00', 'BTW 21%       € 580,65', 'Totaal      € 3.345,65'),
    );
    expect(invoice).toMatchObject({
      invoiceNumber: '2024-017',
      issueDate: '2024-05-12',
      dueDate: '2024-06-11',
      buyer: 'Bakkerij Van den Berg B.V.',
      subtotal: 2765,
      tax: 580.65,
      total: 3345.65,
    });
  });

  it('Polish: Faktura VAT nr, Data wystawienia vs Data sprzedaży, Sprzedawca/Nabywca, a Razem row under netto/VAT/brutto columns', () => {
    const invoice = parseInvoiceText(
      lines(
        'FAKTURA VAT nr FV/2024/03/015',
        'Data sprzedaży: 14.03.2024',
        'Data wystawienia: 15.03.2024',
        'Sprzedawca:                    Nabywca:',
        'Biuro Rachunkowe Bilans Sp. z o.o.   Kwiaciarnia Stokrotka',
        '',
        'Lp.  Nazwa                 Wartość netto   Kwota VAT   Wartość brutto',
        '1    Księgowość                  760,00      174,80           934,80',
        '     Razem:                      760,00      174,80           934,80',
        'Termin płatności: 29.03.2024',
      ),
    );
    expect(invoice).toMatchObject({
      invoiceNumber: 'FV/2024/03/015',
      issueDate: '2024-03-15',
      dueDate: '2024-03-29',
      issuer: 'Biuro Rachunkowe Bilans Sp. z o.o.',
      buyer: 'Kwiaciarnia Stokrotka',
      currency: 'PLN',
      subtotal: 760,
      tax: 174.8,
      total: 934.8,
    });
  });

  it('Portuguese: Fatura n.º with a series ("FT A/2024/392"), Data de emissão, Total s/ IVA / IVA / Total a pagar', () => {
    const invoice = parseInvoiceText(lines('Oficina do Pão, Lda.', 'Fatura n.º FT A/2024/392', 'Data de emissão: 2024-08-17', 'Total s/ IVA     9,51', 'IVA              1,09', 'Total a pagar   10,60 EUR'));
    expect(invoice).toMatchObject({ invoiceNumber: 'FT A/2024/392', issueDate: '2024-08-17', issuer: 'Oficina do Pão, Lda.', subtotal: 9.51, tax: 1.09, total: 10.6, currency: 'EUR' });
  });

  it('India: Tax Invoice with GSTIN, lakh grouping, CGST + SGST summed because they add up to the Grand Total', () => {
    const invoice = parseInvoiceText(
      lines('TAX INVOICE', 'SHREE GANESH TRADERS', 'GSTIN: 27ABCDE1234F1Z5', 'Invoice No.: SGT/24-25/0871      Dated: 21-Jan-2025', 'Taxable Value    1,59,800.00', 'CGST @ 9%          14,382.00', 'SGST @ 9%          14,382.00', 'Grand Total   ₹ 1,88,564.00'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: 'SGT/24-25/0871', issueDate: '2025-01-21', issuer: 'SHREE GANESH TRADERS', currency: 'INR', subtotal: 159800, tax: 28764, total: 188564 });
  });

  it('US: the invoice total, not the balance due after a payment; M/D/Y dates', () => {
    const invoice = parseInvoiceText(
      lines('Summit Roofing LLC', 'INVOICE # 1093', 'DATE 04/11/2025', 'DUE DATE 05/11/2025', 'SUBTOTAL   1,913.00', 'TAX (4.81%)   92.02', 'TOTAL   2,005.02', 'PAYMENT   -500.00', 'BALANCE DUE   $1,505.02'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: '1093', issueDate: '2025-04-11', dueDate: '2025-05-11', currency: 'USD', subtotal: 1913, tax: 92.02, total: 2005.02 });
  });
});

describe('quirks', () => {
  it('reads labels above values, right-aligned under wide headers', () => {
    const invoice = parseInvoiceText(
      lines('Rechnungsnummer     Rechnungsdatum      Kundennummer', '    RE-24-003311       31. Januar 2026         K-88120', 'Summe netto   2.111,50 €', 'Umsatzsteuer 19 %   401,19 €', 'Gesamtbetrag   2.512,69 €'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: 'RE-24-003311', issueDate: '2026-01-31', total: 2512.69 });
  });

  it('reads a summary table whose labels head columns ("Totale imponibile" over "380,00")', () => {
    const invoice = parseInvoiceText(
      lines('Fattura n. 245/FE', '%IVA     Totale imponibile     Totale imposta     Totale documento', '22,00               380,00              83,60               463,60'),
    );
    expect(invoice).toMatchObject({ subtotal: 380, tax: 83.6, total: 463.6 });
  });

  it('sums a VAT breakdown only when it adds up, and otherwise leaves the tax null', () => {
    const breakdown = lines('Invoice 7', 'Subtotal   170.80', 'VAT 9%   13.35', 'VAT 21%   4.73', 'Total   188.88');
    expect(parseInvoiceText(breakdown).tax).toBe(18.08);
    expect(parseInvoiceText(lines('Invoice 7', 'VAT 9%   13.35', 'VAT 21%   4.73')).tax).toBeNull();
  });

  it('keeps the sign of a credit note', () => {
    const invoice = parseInvoiceText(lines('GUTSCHRIFT', 'Gutschrift-Nr.  GS-2024-0042', 'Summe netto   -217,90 EUR', 'MwSt. 19%   -41,40 EUR', 'Gutschriftsbetrag   -259,30 EUR'));
    expect(invoice).toMatchObject({ invoiceNumber: 'GS-2024-0042', subtotal: -217.9, tax: -41.4, total: -259.3 });
    expect(parseInvoiceText(lines('AVOIR', 'N° AV-000318', 'Montant TTC   (65,28) €')).total).toBe(-65.28);
  });

  it('takes the totals from the last page of a multi-page invoice, past a carried-forward line', () => {
    const page = (n: number) => lines('Wolkenwerk GmbH', `Rechnung RE-7   Seite ${n} von 2`, 'Pos  Artikel   Menge   Betrag');
    const invoice = parseInvoiceText(lines(page(1), '1  Lizenz   1   911,50', '   Übertrag      911,50', '\f', page(2), '   Übertrag      911,50', '2  Workshop   1   1.200,00', 'Summe netto   2.111,50', 'USt. 19%   401,19', 'Gesamtbetrag   2.512,69'));
    expect(invoice).toMatchObject({ invoiceNumber: 'RE-7', subtotal: 2111.5, tax: 401.19, total: 2512.69 });
  });

  it('reads "lnvoice" (OCR) as invoice and leaves what it is not sure of null', () => {
    const invoice = parseInvoiceText(lines('lnvoice No: 4471', 'Summe Lohn   248,00', 'Tax Reg. No 123456'));
    expect(invoice).toMatchObject({ invoiceNumber: '4471', total: null, tax: null, subtotal: null, buyer: null });
  });

  it('does not take a referenced invoice or a delivery date for the document\'s own', () => {
    const invoice = parseInvoiceText(lines('Gutschrift', 'Bezug: Rechnung RE-2024-1187 vom 21.05.2024', 'Lieferdatum: 20.05.2024'));
    expect(invoice).toMatchObject({ invoiceNumber: null, issueDate: null });
  });
});

describe('receipts', () => {
  const receipt = lines(
    '        CAFETERÍA LA ESQUINA',
    '      Hostelería Ruiz Pérez S.L.',
    '   Plaza Nueva 3, 41001 Sevilla',
    'FACTURA SIMPLIFICADA',
    'Nº: T0003-004512',
    'Fecha: 21/06/2024   Hora: 09:42',
    '2 x Café con leche          1,60     3,20',
    'TOTAL (IVA incluido)            8,80 €',
    'Entregado                      10,00',
    'Cambio                          1,20',
  );

  it('reads merchant, date, total (not the cash given or the change) and currency', () => {
    expect(parseReceiptText(receipt)).toMatchObject({ merchant: 'CAFETERÍA LA ESQUINA', date: '2024-06-21', time: '09:42', total: 8.8, currency: 'EUR' });
  });

  it('dates a receipt by the date printed with the time, and totals a German till slip', () => {
    const bon = lines('REWE Markt GmbH', 'Bahnhofstr. 1, 50667 Köln', 'BANANE         1,29 B', 'SUMME      EUR     12,49', 'Geg. BAR   EUR     20,00', 'Rückgeld BAR EUR    7,51', '12.04.2024  18:03  Bon-Nr. 4711');
    expect(findMerchant(bon)).toBe('REWE Markt GmbH');
    expect(findReceiptDate(bon)).toBe('2024-04-12');
    expect(findReceiptTotal(bon)).toBe(12.49);
  });
});
