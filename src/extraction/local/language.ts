import { fold } from './fold';

/** The invoice languages the local extractor reads. */
export const languages = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt'] as const;
export type Language = (typeof languages)[number];

/** Words that are frequent on invoices in one language and rare in the others (folded, see fold). */
const markers: Record<Language, RegExp> = {
  en: /\b(?:invoice|total|date|due|amount|bill|tax|price|quantity|description|payment|the|and|of)\b/g,
  de: /\b(?:rechnung|datum|betrag|gesamt|summe|netto|mwst|ust|menge|preis|zahlbar|bis|und|der|die|das|fur|bitte|steuer)\b/g,
  fr: /\b(?:facture|montant|tva|ttc|ht|date|echeance|prix|quantite|qte|designation|total|le|la|les|de|du|des|et|paiement|reglement)\b/g,
  es: /\b(?:factura|fecha|importe|iva|base|imponible|cantidad|precio|concepto|cliente|total|el|los|las|del|y|pago|vencimiento)\b/g,
  it: /\b(?:fattura|data|importo|imponibile|iva|totale|quantita|prezzo|descrizione|il|della|di|del|e|pagamento|scadenza|spett)\b/g,
  nl: /\b(?:factuur|datum|bedrag|btw|totaal|aantal|prijs|omschrijving|de|het|een|van|en|betalen|vervaldatum)\b/g,
  pl: /\b(?:faktura|data|wartosc|netto|brutto|vat|razem|ilosc|cena|nazwa|nabywca|sprzedawca|zaplaty|platnosci|sposob|i|do|nr)\b/g,
  pt: /\b(?:fatura|data|valor|iva|total|quantidade|qtd|preco|descricao|cliente|do|da|de|e|pagamento|vencimento|contribuinte|nif)\b/g,
};

/** The language most of an invoice's words belong to; English when nothing stands out. */
export function detectLanguage(text: string): Language {
  const folded = fold(text);
  let best: Language = 'en';
  let bestScore = 0;
  for (const language of languages) {
    const score = folded.match(markers[language])?.length ?? 0;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}
