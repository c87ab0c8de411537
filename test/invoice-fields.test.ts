import { describe, expect, it } from 'vitest';
import { amountsIn, parseAmount } from '../src/extraction/local/amounts';
import { parseDate, slashDateOrder } from '../src/extraction/local/dates';
import { parseInvoiceText } from '../src/extraction/local/fields';
import { invoiceSchema } from '../src/extraction/schemas/invoice';

describe('parseAmount', () => {
  it.each([
    ['1,234.56', 1234.56],
    ['1.234,56', 1234.56],
    ['1234.56', 1234.56],
    ['1234,56', 1234.56],
    ['1,234,567.8', 1234567.8],
    ['1.234.567', 1234567],
    ['12', 12],
    ['(12.50)', -12.5],
    ['-3.00', -3],
  ])('%s -> %d', (raw, value) => {
    expect(parseAmount(raw)).toBe(value);
  });

  it("reads a lone separator before three digits by the document's decimal style", () => {
    expect(parseAmount('1,234', 'point')).toBe(1234);
    expect(parseAmount('1.234', 'point')).toBe(1.234);
    expect(parseAmount('1.234', 'comma')).toBe(1234);
    expect(parseAmount('1,234', 'comma')).toBe(1.234);
  });

  it('finds amounts in a line but not percentages', () => {
    expect(amountsIn('VAT 20%   €1,200.00')).toEqual([1200]);
    expect(amountsIn('Tax (8.5%)  85.00 USD')).toEqual([85]);
    expect(amountsIn('no numbers here')).toEqual([]);
  });
});

describe('parseDate', () => {
  it.each([
    ['2024-03-05', '2024-03-05'],
    ['2024/3/5', '2024-03-05'],
    ['05.03.2024', '2024-03-05'],
    ['5-3-2024', '2024-03-05'],
    ['March 5, 2024', '2024-03-05'],
    ['Mar 5 2024', '2024-03-05'],
    ['5 Mar 2024', '2024-03-05'],
    ['05-Mar-2024', '2024-03-05'],
    ['5th of March 2024', '2024-03-05'],
    ['Sept. 30, 2024', '2024-09-30'],
    ['dated 1 February 24', '2024-02-01'],
  ])('%s -> %s', (text, iso) => {
    expect(parseDate(text)).toBe(iso);
  });

  it('reads slash dates by the document order, unless a part above 12 settles it', () => {
    expect(parseDate('05/03/2024', 'DMY')).toBe('2024-03-05');
    expect(parseDate('05/03/2024', 'MDY')).toBe('2024-05-03');
    expect(parseDate('25/03/2024', 'MDY')).toBe('2024-03-25');
    expect(parseDate('03/25/2024', 'DMY')).toBe('2024-03-25');
  });

  it('decides a document slash order from an unambiguous date, then from the currency', () => {
    expect(slashDateOrder('Date 05/03/2024  Due 04/20/2024', 'EUR')).toBe('MDY');
    expect(slashDateOrder('Date 05/03/2024  Due 20/04/2024', 'USD')).toBe('DMY');
    expect(slashDateOrder('Date 05/03/2024', 'USD')).toBe('MDY');
    expect(slashDateOrder('Date 05/03/2024', 'GBP')).toBe('DMY');
  });

  it('rejects impossible dates instead of guessing', () => {
    expect(parseDate('31.04.2024')).toBeNull();
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('Invoice 42')).toBeNull();
  });
});

describe('parseInvoiceText', () => {
  it('fills every field of a plain invoice', () => {
    const invoice = parseInvoiceText(
      [
        'ACME Widgets Ltd',
        '1 Factory Lane, Leeds',
        '',
        'Invoice No: AW-1042            Invoice date: 5 March 2024',
        'Bill to: Initech Ltd           Due date: 4 April 2024',
        '',
        'Description            Qty    Unit price     Amount',
        'Blue widgets            10         £2.50     £25.00',
        'Red widgets (large)      2     £1,000.00  £2,000.00',
        '',
        'Subtotal                                 £2,025.00',
        'VAT 20%                                    £405.00',
        'Total due                              £2,430.00',
      ].join('\n'),
    );
    expect(invoice).toEqual({
      invoiceNumber: 'AW-1042',
      issueDate: '2024-03-05',
      dueDate: '2024-04-04',
      issuer: 'ACME Widgets Ltd',
      buyer: 'Initech Ltd',
      currency: 'GBP',
      subtotal: 2025,
      tax: 405,
      total: 2430,
      lineItems: [
        { description: 'Blue widgets', quantity: 10, unitPrice: 2.5, amount: 25 },
        { description: 'Red widgets (large)', quantity: 2, unitPrice: 1000, amount: 2000 },
      ],
    });
    expect(invoiceSchema.safeParse(invoice).success).toBe(true);
  });

  it('reads continental amounts and dates', () => {
    const invoice = parseInvoiceText(
      'Müller & Söhne GmbH\nRechnung / Invoice no. RE-2024-77\nInvoice date: 07.11.2024\nCustomer: Hooli Europe BV\n\nNet total      1.250,00 €\nVAT 19%          237,50 €\nTotal incl. VAT  1.487,50 €\n',
    );
    expect(invoice).toMatchObject({
      invoiceNumber: 'RE-2024-77',
      issueDate: '2024-11-07',
      issuer: 'Müller & Söhne GmbH',
      buyer: 'Hooli Europe BV',
      currency: 'EUR',
      subtotal: 1250,
      tax: 237.5,
      total: 1487.5,
    });
  });

  it('uses M/D/Y for an ambiguous US-dollar date and D/M/Y otherwise', () => {
    expect(parseInvoiceText('Invoice #77\nDate: 04/05/2024\nTotal: $10.00').issueDate).toBe('2024-04-05');
    expect(parseInvoiceText('Invoice #77\nDate: 04/05/2024\nTotal: €10.00').issueDate).toBe('2024-05-04');
  });

  it('takes the strongest total label, not a line item called total', () => {
    const invoice = parseInvoiceText('Invoice 12345\nTotal hours: 12\nTotal 100.00\nAmount due: 80.00 USD\n');
    expect(invoice.total).toBe(80);
  });

  it('leaves what it cannot find null and never computes it', () => {
    const invoice = parseInvoiceText('Invoice number: 2024-001\nSubtotal: 100.00\nTotal: 120.00\nPayment terms: net 30');
    expect(invoice).toEqual({
      invoiceNumber: '2024-001',
      issueDate: null,
      dueDate: null, // net 30 is not a date: no due date is computed
      issuer: null,
      buyer: null,
      currency: null, // no code or symbol anywhere
      subtotal: 100,
      tax: null, // not total minus subtotal
      total: 120,
      lineItems: [],
    });
  });

  it('does not take a label word or a date for the invoice number', () => {
    expect(parseInvoiceText('INVOICE\nInvoice date: 2024-01-02\nTotal 5.00').invoiceNumber).toBeNull();
    expect(parseInvoiceText('Tax invoice to: Globex\nInvoice #: INV/2024/0042').invoiceNumber).toBe('INV/2024/0042');
  });

  it("skips a party's GS1 location number between its label and its name (a German EDI layout)", () => {
    const text = [
      "        Lieferant                         Käufer                         W A R E N R E C H N U N G       Seite   1",
      "        GLN 4000001000005 Lief-Nr: 123456  GLN 4000002000002",
      "        NORDLICHT HANDEL GMBH              BEISPIEL-MARKT GMBH",
      "                                                                         Beleg-Nr          : R2024000123",
      "                                                                         Beleg-Datum       : 06.08.2013",
      "        HAFENSTRASSE 1                 MARKTPLATZ 7",
      "        20095 HAMBURG                50667 KOELN              Leistungs-Datum   : 05.08.2013",
      "                                                                         Bestell-Nr        : B2024789",
      "        USt-IdNr    : DE999888777         USt-IdNr   :",
      "                                                                         Bestell-Datum     : 01.08.2013",
      "                                          Kunden-Nr. : 004711",
      "        WEE-Reg-Nr.  : DE11223344",
      "                                                                         Lieferschein-Nr   : L2024000456",
      "                    Ö k o - K o n t r - N r . :",
      "                                                                         Lieferschein-Datum : 05.08.2013",
      "               DE-NI-001-1234567890",
      "        Rechnungsempfänger                Warenempfänger                 Auftrag-Nr-Lief   : A2024321",
      "        GLN 4000002000002                 GLN 4000002000019              Auftrag-Datum-Lief : 02.08.2013",
      "        BEISPIEL-MARKT GMBH                 BEISPIEL-MARKT FILIALE",
      "        MARKTPLATZ 7                      BAHNHOFSTRASSE 4",
      "        50667 KOELN                 30159 HANNOVER",
    ].join('\n');
    expect(parseInvoiceText(text)).toMatchObject({ issuer: 'NORDLICHT HANDEL GMBH', buyer: 'BEISPIEL-MARKT GMBH' });
  });

  it('finds a value written below its label', () => {
    const invoice = parseInvoiceText('Invoice number     Issue date       Due date\nX-981              2024-06-01       2024-07-01\n');
    expect(invoice).toMatchObject({ invoiceNumber: 'X-981', issueDate: '2024-06-01', dueDate: '2024-07-01' });
  });

  it('reads currency codes and symbols, preferring an explicit label', () => {
    expect(parseInvoiceText('Total: US$ 12.00').currency).toBe('USD');
    expect(parseInvoiceText('Total: 12.00 CHF').currency).toBe('CHF');
    expect(parseInvoiceText('Currency: GBP\nTotal: $12.00').currency).toBe('GBP');
  });

  it('gives an empty item list when there is no table', () => {
    expect(parseInvoiceText('Invoice 5\nWebsite work, as agreed\nTotal 500.00 EUR').lineItems).toEqual([]);
  });
});

// Found on the German ZUGFeRD 1.0 sample invoices (the dev part of npm run bench:hybrid-einvoices).
describe('parseInvoiceText on German summary layouts', () => {
  it('reads a rate column ("USt. %") as rates, and a rate line with its base as that rate’s tax', () => {
    const text = [
      'Art.Nr.    Artikelbeschreibung     Menge    Preis/Einheit       Betrag  USt. %',
      'TB100A4    Trennblätter A4            20             9,90       198,00    19',
      'Rechnungssumme Netto (excl. USt.)                                198,00',
      'Steuerbasisbetrag USt. 19%                              198,00    37,62',
      'Rechnungssumme Brutto (inkl. USt.)                               235,62',
    ].join('\n');
    expect(parseInvoiceText(text)).toMatchObject({ subtotal: 198, tax: 37.62, total: 235.62 });
    // Without the rate line the tax stays unknown: 19 is the rate, not an amount.
    expect(parseInvoiceText(text.split('\n').filter((line) => !line.startsWith('Steuerbasis')).join('\n')).tax).toBeNull();
  });

  it('takes the sum row of a summary table with a row per rate, and "MwSt-Betrag" as the tax column', () => {
    const text = [
      'Warenwert  Zu-/Abschlag   Nettobetrag   MwSt-Betrag  MwSt-%    Endbetrag',
      '   326,50     -8,10           321,40          61,07  19,0          382,47',
      '   130,70     -3,11           127,59           8,93   7,0          136,52',
      '   457,20    -11,21           448,99          70,00   EUR          518,99',
    ].join('\n');
    expect(parseInvoiceText(text)).toMatchObject({ subtotal: 448.99, tax: 70, total: 518.99 });
  });

  it('reads the due date of "Zahlbar innerhalb 30 Tagen netto bis" and of "Fälligkeitstag"', () => {
    expect(parseInvoiceText('Rechnung 471102 vom 05.03.2013\nZahlbar innerhalb 30 Tagen netto bis 04.04.2013, 3% Skonto innerhalb 10 Tagen bis 15.03.2013').dueDate).toBe('2013-04-04');
    expect(parseInvoiceText('Beitragsrechnung vom 11.03.2014\nFälligkeitstag: 01.04.2014').dueDate).toBe('2014-04-01');
  });
});
