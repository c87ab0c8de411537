import { describe, expect, it } from 'vitest';
import { parseReceiptText } from '../src/extraction/local/receipt';
import { receiptSchema } from '../src/extraction/schemas/receipt';

const lines = (...text: string[]) => text.join('\n');

describe('receipts read offline', () => {
  it('a Spanish café ticket: merchant, date and time, items with quantities, the included VAT, the card, never the cash or the change', () => {
    const receipt = parseReceiptText(
      lines(
        '        CAFETERÍA LA ESQUINA',
        '      Hostelería Ruiz Pérez S.L.',
        '   Plaza Nueva 3, 41001 Sevilla',
        'FACTURA SIMPLIFICADA',
        'Nº: T0003-004512',
        'Fecha: 21/06/2024   Hora: 09:42',
        '2 x Café con leche          1,60     3,20',
        '1 x Tostada con tomate              5,60',
        'TOTAL (IVA incluido)            8,80 €',
        'IVA 10%   0,80',
        'TARJETA VISA   8,80',
        'Entregado                      10,00',
        'Cambio                          1,20',
      ),
    );
    expect(receipt).toEqual({
      merchant: 'CAFETERÍA LA ESQUINA',
      date: '2024-06-21',
      time: '09:42',
      currency: 'EUR',
      subtotal: null,
      tax: 0.8,
      total: 8.8,
      paymentMethod: 'VISA',
      items: [
        { description: 'Café con leche', quantity: 2, unitPrice: 1.6, amount: 3.2 },
        { description: 'Tostada con tomate', quantity: 1, unitPrice: null, amount: 5.6 },
      ],
    });
    expect(receiptSchema.parse(receipt)).toEqual(receipt);
  });

  it('a German till slip: tax class letters after prices, a deposit refund, the VAT table, paid in cash', () => {
    const receipt = parseReceiptText(
      lines(
        'REWE Markt GmbH',
        'Bahnhofstr. 1, 50667 Köln',
        'BANANE         1,29 B',
        'VOLLMILCH 3,5%     1,19 B',
        'PFAND          -0,25 A',
        'SUMME      EUR     12,49',
        'Geg. BAR   EUR     20,00',
        'Rückgeld BAR EUR    7,51',
        'Steuer  %   Netto   Steuer  Brutto',
        'B 7,0%   11,67   0,82   12,49',
        '12.04.2024  18:03  Bon-Nr. 4711',
      ),
    );
    expect(receipt).toMatchObject({ merchant: 'REWE Markt GmbH', date: '2024-04-12', time: '18:03', currency: 'EUR', tax: 0.82, total: 12.49, paymentMethod: 'cash' });
    expect(receipt.items).toEqual([
      { description: 'BANANE', quantity: null, unitPrice: null, amount: 1.29 },
      { description: 'VOLLMILCH 3,5%', quantity: null, unitPrice: null, amount: 1.19 },
      { description: 'PFAND', quantity: null, unitPrice: null, amount: -0.25 },
    ]);
  });

  it('an English card slip with a 12-hour time and a French ticket paid by carte bancaire', () => {
    const us = parseReceiptText(lines('CORNER DELI', '245 Main St, Springfield', '03/15/2024 2:05 PM', 'Turkey sandwich      8.50', 'Iced tea             2.25', 'Subtotal            10.75', 'Sales tax 8%         0.86', 'TOTAL          $11.61', 'MASTERCARD ****1234  11.61'));
    expect(us).toMatchObject({ merchant: 'CORNER DELI', date: '2024-03-15', time: '14:05', currency: 'USD', subtotal: 10.75, tax: 0.86, total: 11.61, paymentMethod: 'Mastercard' });
    expect(us.items.map((item) => item.description)).toEqual(['Turkey sandwich', 'Iced tea']);
    const fr = parseReceiptText(lines('BOULANGERIE DU MARCHÉ', '12 rue des Lilas 75011 Paris', 'Le 05/03/2024 à 08:12', 'Baguette tradition     1,30', 'Croissant x2           2,40', 'TOTAL TTC              3,70 EUR', 'dont TVA 5,5%          0,19', 'CB                     3,70'));
    expect(fr).toMatchObject({ merchant: 'BOULANGERIE DU MARCHÉ', date: '2024-03-05', time: '08:12', total: 3.7, tax: 0.19, paymentMethod: 'card' });
  });

  it('leaves out what it is not sure of rather than inventing it', () => {
    expect(parseReceiptText(lines('--------------------', '* * * * *', ''))).toEqual({
      merchant: null,
      date: null,
      time: null,
      currency: null,
      subtotal: null,
      tax: null,
      total: null,
      paymentMethod: null,
      items: [],
    });
  });
  it('a tax id in the head does not end the items, and the name beside it is the merchant', () => {
    const nl = parseReceiptText(lines('Café de Jaren', 'BTW NL001234567B01', 'Datum 03-11-2024  17:25', '2 x Verse muntthee   3,40   6,80', '1 x Appeltaart       4,75   4,75', 'Totaal        EUR 11,55'));
    expect(nl.items.map((item) => [item.quantity, item.unitPrice, item.amount])).toEqual([
      [2, 3.4, 6.8],
      [1, 4.75, 4.75],
    ]);
    const es = parseReceiptText(lines('MERCADONA, S.A.   A-46103834', 'C/ DE LA PAU, 12', '24/01/2024 20:17  OP: 118532', 'Descripción        P. Unit  Importe', '1 LECHE                     0,89', 'TOTAL (€)                   0,89'));
    expect(es.merchant).toBe('MERCADONA, S.A.');
    expect(parseReceiptText(lines('Kassenbon', 'Rosen-Apotheke', 'Marktplatz 7', 'Taschentücher   0,99 A', 'Summe EUR   0,99')).merchant).toBe('Rosen-Apotheke');
  });

  it('items over two lines and quantity lines above or below their item', () => {
    const receipt = parseReceiptText(
      lines(
        'Bäckerei Schneider',
        'Laugenbrezel     2 x 0,95',
        '                         1,90 A',
        'BANANAS                      0.87',
        '  3 @ 0.29',
        '8011243  Dübel 8mm 50St',
        '         2 x 3,49        6,98 1',
        '2 @ 1.25',
        '2 POLAND SPRING 1L          2.50T',
        'Säule 04  Super E10',
        '     41,27 l  x  1,849 EUR/l',
        '                         76,31 EUR *',
        'CLUBCARD PRICE             -£0.50',
        'DOLIPRANE 1000MG CPR B/8     2,18  2,10%',
        'SUMME EUR               90,02',
      ),
    );
    expect(receipt.items.map((item) => [item.quantity, item.unitPrice, item.amount])).toEqual([
      [2, 0.95, 1.9],
      [3, 0.29, 0.87],
      [2, 3.49, 6.98],
      [2, 1.25, 2.5],
      [41.27, 1.849, 76.31],
      [null, null, -0.5],
      [null, null, 2.18],
    ]);
    // A US till's "T" (taxable) against the amount, as OCR reads it: a third decimal 7.
    expect(parseReceiptText(lines('CVS/pharmacy', ' 1 ADVIL 200MG TAB 50CT      9.997', ' 1 NATURE MADE VIT D3       12.79', '   TOTAL   22.78')).items.map((item) => item.amount)).toEqual([9.99, 12.79]);
    expect(receipt.items.map((item) => item.description)).toEqual(['Laugenbrezel', 'BANANAS', '8011243 Dübel 8mm 50St', 'POLAND SPRING 1L', 'Säule 04 Super E10', 'CLUBCARD PRICE', 'DOLIPRANE 1000MG CPR B/8']);
  });

  it('a VAT table in any column order gives its tax by arithmetic; a VAT id is never the tax', () => {
    const uk = parseReceiptText(lines('TESCO', 'London WC2E 9ED', 'CRISPS   £2.05', 'WRAP     £3.42', 'TOTAL    £5.47', 'VAT RATE   VAT    NET    TOTAL', 'A 20.00%  £0.34  £1.71  £2.05', 'Z  0.00%  £0.00  £3.42  £3.42'));
    expect(uk).toMatchObject({ tax: 0.34, total: 5.47, currency: 'GBP' });
    expect(parseReceiptText(lines('THE CROWN', 'VAT No. 123 4567 89', 'Fish & Chips   16.50', 'TOTAL  16.50')).tax).toBeNull();
    expect(parseReceiptText(lines('BAR ROMA', 'CAPPUCCINO   10%   1,50', 'TOTALE COMPLESSIVO   1,50', 'DI CUI IVA   0,14')).tax).toBe(0.14);
    // OCR lays a slip out indented, as it lies in the photo.
    expect(parseReceiptText(lines('    BAR ROMA', '    CAPPUCCINO   10%   1,50', '    TOTALE COMPLESSIVO   1,50', '    DI CUI IVA   0,14')).tax).toBe(0.14);
  });

  it("payment: read below the head, a method paid 0.00 is not the one, the Dutch and Italian card words", () => {
    expect(parseReceiptText(lines('BAR PASTICCERIA ROMA', 'BRIOCHE   1,30', 'TOTALE COMPLESSIVO   1,30', 'Pagamento elettronico   1,30')).paymentMethod).toBe('card');
    expect(parseReceiptText(lines('CONAD', 'PASTA   0,99', 'TOTALE COMPLESSIVO   0,99', 'PAGAMENTO CONTANTE   5,00', 'PAGAMENTO ELETTRONICO   0,00', 'RESTO   4,01')).paymentMethod).toBe('cash');
    expect(parseReceiptText(lines('Albert Heijn', 'MELK   1,15', 'TOTAAL   1,15', 'PINNEN   1,15')).paymentMethod).toBe('card');
  });

  it('the amount paid: after a tip, or on the card line when no total is labelled', () => {
    const tipped = parseReceiptText(lines('BISTRO', '11/09/2024   7:48 PM', '1 Chowder   94.50', 'Subtotal   94.50', 'Tax   8.03', 'Total   102.53', 'AMEX  XXXX1005', 'Tip   18.00', 'Total   120.53'));
    expect(tipped).toMatchObject({ total: 120.53, tax: 8.03, subtotal: 94.5 });
    expect(parseReceiptText(lines('SHELL', '03/02/2024  07:55:12', 'FUEL SALE   $38.46', 'CREDIT      $38.46', 'MASTERCARD')).total).toBe(38.46);
  });

  it('Polish fiscal receipts: PTU lines are the tax, not items; the time on the till line', () => {
    const receipt = parseReceiptText(
      lines('Żabka Polska sp. z o.o.', '2024-04-18        nr wydr.123456', 'PARAGON FISKALNY', 'Woda 1,5l   2 x3,49   6,98 A', 'Sprzed. opod. PTU A   6,98', 'Kwota A 23,00%   1,31', 'Podatek PTU   1,31', 'SUMA PLN   6,98', '00123 #Kasa 2  Kasjer nr 5   16:47', 'Karta płatnicza   6,98'),
    );
    expect(receipt).toMatchObject({ tax: 1.31, total: 6.98, time: '16:47', currency: 'PLN', paymentMethod: 'card' });
    expect(receipt.items.map((item) => item.amount)).toEqual([6.98]);
  });

  it('the currency and date order of a receipt that prints neither: a US address, a UK postcode', () => {
    expect(parseReceiptText(lines('CORNER DELI', 'Portland, ME 04101', '11/09/2024  7:48 PM', 'Soup   9.50', 'Total  9.50'))).toMatchObject({ currency: 'USD', date: '2024-11-09' });
    expect(parseReceiptText(lines('PRET A MANGER', '75b Victoria Street, London SW1H 0HW', 'Date: 21/10/2024', 'Flat White  3.40', 'Total  3.40')).currency).toBe('GBP');
  });
});
