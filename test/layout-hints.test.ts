import { describe, expect, it } from 'vitest';
import { applyLayoutHints, issuerLayoutHints, learnLayoutHints } from '../src/extraction/local/layout-hints';

/** Layout hints learned from one corrected document of an issuer, read on that issuer's next one, in several layouts and languages. */
describe('layout hints', () => {
  it('learns a label beside its value (German, a label no rule knows) and reads the next document by it', () => {
    const doc = (ref: string, amount: string) => `Heizungsbau Krämer e.K.
Lindenweg 4, 79100 Freiburg
Beleg-Ref.:        ${ref}
Kundennr.          4471
Forderung gesamt   ${amount} EUR
`;
    const hints = learnLayoutHints(doc('RX-2211', '1.180,00'), { invoiceNumber: 'RX-2211', total: 1180 });
    expect(hints).toEqual([
      { field: 'invoiceNumber', label: 'beleg-ref', where: 'right', kind: 'text', words: 1 },
      { field: 'total', label: 'forderung gesamt', where: 'right', kind: 'amount', words: 1 },
    ]);
    const next = applyLayoutHints(doc('RX-3399', '2.045,50'), { invoiceNumber: '4471', total: null }, hints);
    expect(next.data).toEqual({ invoiceNumber: 'RX-3399', total: 2045.5 });
    expect(next.fields).toEqual(['invoiceNumber', 'total']);
  });

  it('learns labels printed over their values (French, comma decimals, day-first dates)', () => {
    const doc = (amount: string, due: string) => `Atelier Lumière SARL
                         Montant réglé        Échéance
                         ${amount.padEnd(20)} ${due}
`;
    const hints = learnLayoutHints(doc('1 234,56 €', '15/04/2025'), { total: 1234.56, dueDate: '2025-04-15' });
    expect(hints.map((hint) => [hint.field, hint.label, hint.where])).toEqual([
      ['total', 'montant regle', 'below'],
      ['dueDate', 'echeance', 'below'],
    ]);
    expect(applyLayoutHints(doc('980,00 €', '02/05/2025'), { total: 1, dueDate: null }, hints).data).toEqual({ total: 980, dueDate: '2025-05-02' });
  });

  it('learns a label in the value\'s own cell and keeps a multi-word identifier whole (English, Polish)', () => {
    const english = (ref: string) => `Thanks for your order. Our ref: ${ref}\n`;
    const hints = learnLayoutHints(english('AB 1234'), { invoiceNumber: 'AB 1234' });
    expect(hints).toEqual([{ field: 'invoiceNumber', label: 'thanks for your order. our ref'.split(' ').slice(-4).join(' '), where: 'same', kind: 'text', words: 2 }]);
    expect(applyLayoutHints(english('CD 5678'), { invoiceNumber: null }, hints).data.invoiceNumber).toBe('CD 5678');

    const polish = (amount: string) => `Sklep Kowalski sp. z o.o.\nNależność ogółem: ${amount} zł\n`;
    const polishHints = learnLayoutHints(polish('2 460,00'), { total: 2460 });
    expect(polishHints[0]).toMatchObject({ label: 'naleznosc ogolem', where: 'same', kind: 'amount' });
    expect(applyLayoutHints(polish('1 015,30'), { total: null }, polishHints).data.total).toBe(1015.3);
  });

  it('learns nothing from a value it cannot find, and leaves a field alone when the label is missing', () => {
    expect(learnLayoutHints('Rechnung\nSumme 10,00\n', { invoiceNumber: 'X-1' })).toEqual([]);
    const hints = learnLayoutHints('Ref: Q-1\n', { invoiceNumber: 'Q-1' });
    expect(applyLayoutHints('Invoice 12\n', { invoiceNumber: 'INV-12' }, hints)).toEqual({ data: { invoiceNumber: 'INV-12' }, fields: [] });
  });

  it('drops a hint that another example of the issuer contradicts (a coincidence, not the layout)', () => {
    // In the first document the corrected number happens to be printed after "Order"; in the second the order number differs from the invoice number.
    const first = { text: 'Order: 5531\nDoc no: 5531\n', data: { invoiceNumber: '5531' } };
    const second = { text: 'Order: 9001\nDoc no: 7710\n', data: { invoiceNumber: '7710' } };
    const hints = issuerLayoutHints([first, second]);
    expect(hints.map((hint) => hint.label)).toEqual(['doc no']);
  });
});
