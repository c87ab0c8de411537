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
});
