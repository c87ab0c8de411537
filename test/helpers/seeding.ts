/**
 * Invoices of one issuer whose labels the offline rules do not know ("Beleg-Ref.", "Gesamtforderung"):
 * the number and the total stay null until a correction teaches them. `extraLine` adds a billed line
 * the net amount does not include, so the document fails a check and lands in the review queue.
 */
export function unfamiliarInvoiceText(ref: string, net: number, options: { extraLine?: boolean } = {}): string {
  const money = (value: number) => value.toFixed(2).replace('.', ',').padStart(11);
  return `Heizungsbau Krämer e.K.                         RECHNUNG
Lindenweg 4, 79100 Freiburg                     Kundennr.: 4471
                                                Beleg-Ref.: ${ref}
An: Contoso AG                                  Datum: 03.03.2025

Position                          Menge    Einzelpreis      Betrag
Wartung Heizung                       1    ${money(net)}  ${money(net)}
${options.extraLine ? `Anfahrt                               1    ${money(50)}  ${money(50)}\n` : ''}
Netto                                                  ${money(net)}
MwSt 19%                                               ${money(net * 0.19)}
Gesamtforderung                                        ${money(net * 1.19)}
`;
}
