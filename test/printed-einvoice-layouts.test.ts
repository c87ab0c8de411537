import { describe, expect, it } from 'vitest';
import { parseInvoiceText } from '../src/extraction/local/fields';

/**
 * Printed e-invoices as their text layer reads: the layouts of KoSIT's XRechnung visualisation
 * (print and web view) and of the AWV ZUGFeRD 1.0 stylesheet, which name the parties in section
 * headings and label a net figure "Gesamtsumme"/"Total". bench/printed-einvoices.ts measures the
 * same on real prints of public e-invoice examples.
 */
describe('printed e-invoice layouts', () => {
  it('reads the parties under their section headings and the net labelled only "Total" (KoSIT print, English)', () => {
    const invoice = parseInvoiceText(
      [
        '   Areas without content are not displayed!                                            FR11999999998/F124212',
        '     Information about the buyer',
        '    Buyer reference:  120943                              Country code:  FR (France)',
        '    Name:          Ma jolie boutique SARL                 Identifier:    78787878400018',
        '     Information about the seller',
        '    Company name:  Au bon moulin                          Scheme identifier:  0009 (SIRET-CODE)',
        '     Invoice data',
        '    Invoice number:  F124212                              Project reference:  Projet_Zorro',
        '    Invoice date:  2026-06-17                             Contract reference:  C-17',
        '    Currency:      EUR (Euro)',
        '     Invoice totals',
        '    Total invoice line net amount                                                                   273.00',
        '    Total amount                                                                                    273.00',
        '    Total VAT                                                                                        35.03',
        '    Total                                                                                           308.03',
        '    Amount due                                                                                      208.03',
        '     Sales tax breakdown at invoice level',
        '    Total                                                                                           138.00',
        '    VAT amount                                                                                       27.60',
      ].join('\n'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: 'F124212', issueDate: '2026-06-17', issuer: 'Au bon moulin', buyer: 'Ma jolie boutique SARL', currency: 'EUR', subtotal: 273, tax: 35.03, total: 308.03 });
  });

  it('takes a name printed over two lines around its label, and "netto"/"brutto" after a total (web view, German)', () => {
    const invoice = parseInvoiceText(
      [
        '    Informationen zum Käufer                                   Informationen zum Verkäufer',
        '      Leitweg-ID:',
        '                                 Stark Industries                                          Northwind Traders',
        '      Name:                                                     Firmenname:',
        '                                 LLC                                                       Ltd',
        '      PLZ:                                                      PLZ:',
        '    Rechnungsdaten',
        '      Rechnungsnummer:           F20249534                   Projektnummer:',
        '      Rechnungsdatum:            20.2.2024                   Vertragsnummer:',
        '    Gesamtbeträge der Rechnung',
        '      Summe aller Positionen                              netto                      3.980,52',
        '      Gesamtsumme                                         netto                      3.980,52',
        '      Summe Umsatzsteuer in Abrechnungswährung                                         338,34',
        '      Gesamtsumme                                         brutto                     4.318,86',
        '      Fälliger Betrag                                     brutto                     4.318,86',
      ].join('\n'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: 'F20249534', issueDate: '2024-02-20', issuer: 'Northwind Traders Ltd', buyer: 'Stark Industries LLC', subtotal: 3980.52, tax: 338.34, total: 4318.86 });
  });

  it('reads "Nr." after a document type code, a label word inside a company name, and a label spaced from its colon (ZUGFeRD 1.0 stylesheet)', () => {
    const invoice = parseInvoiceText(
      [
        '  RECHNUNG(380) Nr. 471102 vom 05.03.2013',
        '  Währung           : EUR',
        '  Verkäufer:',
        '  Globale Nummer: 4000001123452 (GTIN)',
        '  Lieferant GmbH',
        '  Lieferantenstraße 20',
        '  Käufer:',
        '  Nummer        : GE2020211',
        '  Kunden AG Mitte',
        '  Kundenstraße 15',
        '  Belegsummen:',
        '                                   Positionssumme                            473,00',
        '                                   Rechnungssumme ohne USt.                  473,00',
        '                                   Steuerbetrag                                56,87',
        '                                   Bruttosumme                               529,87',
      ].join('\n'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: '471102', issuer: 'Lieferant GmbH', buyer: 'Kunden AG Mitte', currency: 'EUR', subtotal: 473, tax: 56.87, total: 529.87 });
  });

  it('takes the seller from the sender line over the window address when nothing labels it', () => {
    const invoice = parseInvoiceText(
      [
        '     QualityHosting AG - Uferweg 40-42 - D-63571 Gelnhausen',
        '     iViveLabs Ltd.',
        '     93B Sai Yu Chung',
        '     Hong Kong',
        '   Rechnung                                                       Seite 1',
        '   Rechnungsnr.       30064443                                    Kundennr.          47774',
        '   Rechnungsdatum     7. Mai 2014',
      ].join('\n'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: '30064443', issuer: 'QualityHosting AG', buyer: 'iViveLabs Ltd.' });
  });

  it('does not take a zero-rate breakdown line for the totals when a taxed triple adds up', () => {
    const invoice = parseInvoiceText(
      [
        '    Gesamtsumme                                                                                     100,00',
        '    Summe Umsatzsteuer in Abrechnungswährung                                                          4,90',
        '    Gesamtsumme                                                                                     104,90',
        '     Aufschlüsselung der Umsatzsteuer auf Ebene der Rechnung',
        '    Umsatzsteuerkategorie: E (Exempt from tax)',
        '    Gesamtsumme                                                                                      60,00',
        '    Umsatzsteuerbetrag                                                                                0,00',
        '    Gesamtpreis (netto)                         60,00',
      ].join('\n'),
    );
    expect(invoice).toMatchObject({ subtotal: 100, tax: 4.9, total: 104.9 });
  });
});

describe('a cloud provider statement', () => {
  it('reads "Month D , YYYY", "Total for this invoice" and the seller named under "Service Provider:" past a note', () => {
    const invoice = parseInvoiceText(
      [
        '                                           Amazon Web Services Invoice',
        '                                           Invoice Number:                                         42183017',
        '                                           Invoice Date:                                       August 3 , 2014',
        '       Bill to Address:',
        '       ATTN: iViveLabs Limited',
        '        Summary',
        '          AWS Service Charges                                                                                $4.11',
        '            Tax *                                                                                             $0.00',
        '        Total for this invoice                                                                               $4.11',
        '       * May include estimated US sales tax, VAT, GST and CT                         Service Provider:',
        '       ** This is not a VAT invoice                                                  (Not to be used for payment remittance)',
        '                                                                                     Amazon Web Services, Inc.',
        '                                                                                     410 Terry Ave North',
      ].join('\n'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: '42183017', issueDate: '2014-08-03', issuer: 'Amazon Web Services, Inc.', currency: 'USD', total: 4.11 });
  });
});

describe('the seller named only in the bank details', () => {
  it('takes the account holder when the head of the page shows only the buyer', () => {
    const invoice = parseInvoiceText(
      [
        '                                                                     ALEXINUX',
        '                                                                     27 rue Henri Rolland',
        '                                                                     69100 Villeurbanne',
        '                                         Facture n° 2022089083',
        '   Date : 28/11/2022',
        '                                                                   Total HT :                 46,68 €',
        '                                                                   TVA 20% :                   9,34 €',
        '                                                                   Total TTC :                56,02 €',
        '  Virement       BRED BANQUE POPULAIRE – Titulaire du compte : NETPRESSE',
      ].join('\n'),
    );
    expect(invoice).toMatchObject({ invoiceNumber: '2022089083', issuer: 'NETPRESSE', subtotal: 46.68, tax: 9.34, total: 56.02 });
  });
});

describe('an account holder away from bank details', () => {
  it('is not taken for the seller: on a telecom bill it is the customer', () => {
    const invoice = parseInvoiceText(
      [
        'Northwind Mobile Ltd',
        'Bill number: 88120455',
        'Bill date: 02/03/2024',
        'Account holder: Jane Smith',
        'Account number: 55120',
        'Total due: £42.10',
      ].join('\n'),
    );
    expect(invoice.issuer).toBe('Northwind Mobile Ltd');
  });
});

describe('numbers of the invoices this one follows', () => {
  it('does not take a number listed under "Factures précédentes" for the invoice\'s own', () => {
    const lines = [
      '         Détails de la facturation',
      '          Date de facture:  31.1.2026                        Numéro du contrat:  CT2018120802',
      '          Devise            EUR (Euro)                       Numéro de commande:',
      '          Période de facturation:                            Factures précédentes:',
      '          de:               1.1.2026                         Numéro de facture:  F20260003',
      '          jusqu\'à:          31.12.2026                       Date de facture:  1.1.2026',
    ];
    expect(parseInvoiceText(lines.join('\n')).invoiceNumber).toBeNull();
    expect(parseInvoiceText(['Numéro de facture:  F20260023', ...lines].join('\n')).invoiceNumber).toBe('F20260023');
  });
});
