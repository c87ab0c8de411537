/**
 * The words invoices use for each field, in English, German, French, Spanish, Italian, Dutch,
 * Polish and Portuguese: one place for the vocabulary of the local extractor. Patterns match
 * folded text (lower case, accents dropped: see fold.ts), so "Échéance" is written "echeance" and
 * "zapłaty" "zaplaty".
 */
const alt = (...patterns: string[]) => new RegExp(patterns.join('|'), 'u');

/** "No", "Nr.", "N°", "Nº", "#", "Number" after a document word. */
const no = '(?:n(?:o|r|um(?:ber|ero)?)?\\s*[.°º]?|#|number|nummer|numero|numer|n\\.?\\s*[°º]|id)';

/** The document type code (UNTDID 1001) an e-invoice viewer prints after the title: "RECHNUNG(380) Nr. 471102". */
const typeCode = '(?:\\s*\\(\\d{3}\\))?';

/** Labels that name the invoice number explicitly ("Invoice No", "Rechnungsnummer", "N° de facture"). */
export const invoiceNumberLabel = alt(
  `(?:tax\\s+|vat\\s+|commercial\\s+)?invoice${typeCode}\\s*-?\\s*${no}`,
  `inv\\s*(?:no|nr|#)\\.?`,
  `(?:bill|credit\\s*note|receipt|document|doc)\\s*${no}`,
  `rechnungs?${typeCode}\\s*-?\\s*${no}`,
  `(?:re|rg)\\s*-?\\s*nr\\.?`,
  `beleg\\s*-?\\s*${no}`,
  `gutschrifts?\\s*-?\\s*${no}`,
  `(?:n\\s*[°º]|no\\.?|num(?:ero)?\\.?)\\s*(?:de\\s+)?(?:la\\s+)?(?:facture|avoir|factura|fattura|documento|fatura)`,
  `(?:facture|avoir|factura(?:\\s+simplificada|\\s+rectificativa)?|fattura|fatura(?:\\s*-\\s*recibo)?|fatura\\s+de\\s+servicos)\\s*${no}`,
  `numero\\s+(?:de\\s+)?(?:factura|fattura|documento|fatura)`,
  `factuur\\s*-?\\s*${no}`,
  `(?:numer|nr)\\s+faktury`,
  `faktura\\s*(?:vat\\s*)?(?:korygujaca\\s*)?(?:nr|numer)\\.?`,
  `korekta\\s*nr`,
);

/** Document titles that an invoice number may follow directly ("Rechnung 2025-114", "FACTUUR 88214"). */
export const documentTitle = alt(
  '(?:tax\\s+|vat\\s+|commercial\\s+)?invoice',
  'credit\\s+note',
  'rechnung',
  'gutschrift',
  'facture',
  'avoir',
  'factura(?:\\s+simplificada|\\s+rectificativa)?',
  'fattura(?:\\s+elettronica)?',
  'nota\\s+di\\s+credito',
  'factuur',
  'creditnota',
  'faktura(?:\\s+vat)?(?:\\s+korygujaca)?',
  'fatura(?:\\s*-\\s*recibo)?',
  'nota\\s+de\\s+credito',
);

/** A bare number label under a title ("N° AV-000318", "Nr 3312/PZ/2024", "Nº: T0003-004512"). */
export const bareNumberLabel = /n\s*[°º]|no\.?|nr\.?|num(?:ero|ber)?\.?|#/u;

/** Labels of the date the invoice was issued. */
export const issueDateLabel = alt(
  'invoice\\s*date',
  'date\\s*of\\s*(?:issue|invoice)',
  'issue\\s*date',
  'date\\s*issued',
  'issued\\s*(?:on)?',
  'billing\\s*date',
  'tax\\s*point(?:\\s*date)?',
  'rechnungs?\\s*-?\\s*datum',
  'beleg\\s*-?\\s*datum',
  'ausstellungsdatum',
  'ausgestellt\\s*am',
  'date\\s*(?:de\\s*(?:la\\s*)?)?facture',
  "date\\s*d\\s*['’]?\\s*emission",
  'fecha\\s*(?:de\\s*)?(?:la\\s*)?(?:factura|expedicion|emision)',
  'data\\s*(?:della\\s*|di\\s*|de\\s*|da\\s*)?(?:fattura|documento|emissione|emissao|fatura)',
  'factuur\\s*-?\\s*datum',
  'data\\s*wystawienia',
);

/** One-word date labels ("Date:", "Datum", "Fecha", "Data"), trusted only when the date follows directly. */
export const genericDateLabel = /date|dated|datum|fecha|data|dnia/u;

/** Labels of the payment due date. */
export const dueDateLabel = alt(
  'due\\s*date',
  'date\\s*due',
  'payment\\s*due(?:\\s*date)?',
  'due\\s*(?:by|on)?',
  'pay(?:able)?\\s*by',
  'falligkeit(?:sdatum|stag)?',
  'fallig\\s*(?:am|bis|zum)?',
  'zahlbar\\s*(?:bis|am|zum)(?:\\s*zum)?',
  // "Zahlbar innerhalb 30 Tagen netto bis 04.04.2013": the date the net amount is due.
  'zahlbar\\s*innerhalb\\s*\\d{1,3}\\s*tag(?:e|en)\\s*(?:rein\\s*)?(?:netto\\s*)?(?:bis|zum)(?:\\s*zum)?',
  'zahlungsziel',
  'zu\\s*zahlen\\s*bis',
  "(?:date\\s*d\\s*['’]?\\s*)?echeance",
  'a\\s*payer\\s*(?:avant\\s*le|avant|au\\s*plus\\s*tard\\s*le)',
  'payable\\s*(?:le|avant\\s*le|au)',
  '(?:fecha\\s*(?:de\\s*)?)?vencimiento',
  'fecha\\s*limite\\s*(?:de\\s*pago)?',
  '(?:data\\s*(?:di\\s*)?)?scadenza',
  'da\\s*pagare\\s*entro(?:\\s*il)?',
  'vervaldatum',
  'vervaldag',
  'uiterste\\s*betaal(?:datum|dag)',
  'betalen\\s*(?:voor|uiterlijk(?:\\s*op)?)',
  'termin\\s*(?:platnosci|zaplaty)',
  'zaplata\\s*do',
  'platne\\s*do',
  '(?:data\\s*(?:de\\s*)?)?vencimento',
  'data\\s*limite(?:\\s*de\\s*pagamento)?',
  'pagar\\s*ate',
);

/** Words around a date that make it some other date than the issue date (delivery, order, service period, due...). */
export const otherDateContext = alt(
  'due',
  'deliver',
  'order',
  'period',
  'service',
  'ship',
  'payment',
  'pay\\s*by',
  'valid',
  'supply',
  'from',
  'until',
  '\\bto\\b',
  'leistung',
  'liefer',
  'zahlbar',
  'fallig',
  'bestell',
  'auftrag',
  'zeitraum',
  'vom\\b',
  'bezug',
  'echeance',
  'livraison',
  'commande',
  'periode',
  '\\bdu\\b',
  '\\bau\\b',
  'vencimiento',
  'entrega',
  'pedido',
  'scadenza',
  'consegna',
  'ordine',
  'verval',
  'levering',
  'bestel',
  'termin',
  'sprzedazy',
  'dostawy',
  'wykonania',
  'dnia',
  'vencimento',
  'encomenda',
  'arrivee',
  'depart',
  'origine',
);

/** Labels of the buyer. */
export const buyerLabel = alt(
  'bill(?:ed)?\\s*to(?:\\s*address)?',
  'invoice\\s*to',
  'sold\\s*to',
  'customer(?:\\s*name)?',
  'client(?:\\s*name)?',
  'buyer(?:\\s*\\(bill\\s*to\\))?',
  'billing\\s*address',
  'to(?=\\s*:)',
  'rechnungsempfanger',
  'rechnungsadresse',
  'rechnungsanschrift',
  'invoice\\s*address',
  'destinatario',
  'dati\\s*(?:del\\s*)?cliente',
  'kunde',
  'kaufer',
  'auftraggeber',
  'leistungsempfanger',
  'an(?=\\s*:?\\s*$)',
  'destinataire',
  'adresse\\s*a',
  'facture\\s*a',
  'acheteur',
  'adresse\\s*de\\s*facturation',
  'cliente',
  'facturar\\s*a',
  'datos\\s*del\\s*cliente',
  'titular(?:\\s*del\\s*contrato)?',
  'comprador',
  'cessionario\\s*/?\\s*committente(?:\\s*\\(cliente\\))?',
  'spett(?:\\.|abile)?\\s*(?:le)?\\.?',
  'intestatario',
  'committente',
  'aan',
  'klant',
  'debiteur',
  'factuuradres',
  'afnemer',
  'nabywca',
  'kupujacy',
  'adquirente',
  'tomador',
  'exmo\\.?\\s*\\(?s?\\)?\\.?\\s*(?:sr\\.?\\s*\\(?s?\\)?\\.?)?',
);

/** Labels of the seller. */
export const issuerLabel = alt(
  'from(?=\\s*:)',
  'seller',
  'sold\\s*by',
  'vendu\\s*par',
  'verkauft\\s*(?:von|durch)',
  'vendido\\s*por',
  'venduto\\s*da',
  'verkocht\\s*door',
  'supplier',
  'vendor',
  'issued\\s*by',
  'billed\\s*by',
  'bill\\s*from',
  'payee',
  '(?:service\\s*)?provider',
  'verkaufer',
  'lieferant',
  'rechnungssteller',
  'auftragnehmer',
  'emetteur',
  'vendeur',
  'fournisseur',
  'prestataire',
  'emisor',
  'vendedor',
  'proveedor',
  'cedente\\s*/?\\s*prestatore(?:\\s*\\(fornitore\\))?',
  'fornitore',
  'leverancier',
  'verkoper',
  'sprzedawca',
  'wystawca',
  'fornecedor',
  'emitente',
  'prestador(?:\\s*de\\s*servicos)?',
);

/**
 * Who the payment goes to: "payable to", "All payment to be made in favor of". That is the seller
 * (or its factor).
 */
export const payeeLabel = alt('(?:make\\s*(?:checks|cheques)\\s*)?payable\\s*to', 'in\\s*favou?r\\s*of', 'intestat[oa]\\s*a', 'ten\\s*name\\s*van');

/**
 * The holder of an account ("Titulaire du compte : NETPRESSE", "Kontoinhaber:", "Account name:"):
 * the payee in bank details, but on a utility or telecom bill the customer, so it counts only
 * beside bank words (bankWords).
 */
export const accountHolderLabel = alt(
  'titulaire\\s*du\\s*compte',
  'kontoinhaber(?:in)?',
  'account\\s*(?:holder|name)',
  'beneficiary(?:\\s*name)?',
  'titular\\s*(?:de\\s*la\\s*cuenta|da\\s*conta)',
  'rekeninghouder',
  'posiadacz\\s*rachunku',
);

/** Words of bank details: an account holder beside them is the payee. */
export const bankWords = /(?<!\p{L})(?:iban|bic|swift|sort\s*code|bank|banque|banca|banco|kto|konto|blz|routing|rib)(?!\p{L})/u;

/** Salutations that open a recipient block ("Herrn", "Familie", "Madame"): the buyer's name follows. */
export const recipientSalutation = /^(?:herrn?|frau|familie|firma|fam\.|madame|monsieur|mme|m\.|messrs\.?|mr\.?|mrs\.?|ms\.?|sr\.?|sra\.?|senor|senora|sig\.?|sig\.ra|egr\.?|gentile|dhr\.?|mevr\.?|pan|pani)$/u;

/** A party's name given after a field label inside its block ("Denominazione: X", "Name: X", "Nazwa: X", "Company name: X"). */
export const partyNameLabel =
  /(?:denominazione|ragione\s*sociale|(?:company|legal|registered)\s*name|name|company|firma|firmenname|raison\s*sociale|nom\s*de\s*la\s*societe|nom|nombre|razon\s*social|naam|bedrijfsnaam|nazwa\s*firmy|nazwa|nome|denominacao|empresa)/u;

/**
 * Words that make a party label the heading of its section: "Information about the seller",
 * "Informationen zum Käufer", "Informations sur l'acheteur", "Datos del vendedor" (how e-invoice
 * viewers such as KoSIT's XRechnung visualisation print the parties).
 */
export const partySectionPrefix =
  /(?:information(?:en|s)?|angaben|daten|details|data|datos|dati|dados|gegevens|dane|coordonnees)\s+(?:(?:about|of|on)\s+the|zum|zur|des|der|sur\s+(?:le|la|l\s*['’])|du|de\s+(?:la|l\s*['’])|del|della|dello|do|da|(?:van|over)\s+de)?\s*/u;

/** Legal-form suffixes that mark a company name. */
export const companySuffix =
  /(?:^|[\s,])(?:ltd|limited|llc|l\.l\.c\.|inc|corp|corporation|gmbh|ag|kg|ohg|gbr|ug|e\.\s?k\.|e\.v\.|se|sarl|s\.a\.r\.l\.|sas|s\.a\.s\.|sa|s\.a\.|eurl|snc|sasu|bv|b\.v\.|nv|n\.v\.|vof|v\.o\.f\.|plc|llp|lp|co|company|oy|ab|as|a\/s|aps|srl|s\.r\.l\.|spa|s\.p\.a\.|snc|s\.n\.c\.|sas|s\.a\.s\.|sl|s\.l\.|slu|s\.l\.u\.|sp\.\s?z\s?o\.\s?o\.|sp\.\s?j\.|s\.c\.|s\.k\.|lda|ltda|unipessoal|pty|pvt\.?\s*ltd|private\s*limited)\.?(?:\s*&\s*co\.?(?:\s*kg)?)?$/iu;

export type SummaryKind = 'subtotal' | 'tax' | 'total';

/**
 * Labels of the summary amounts, each with how strongly it names its figure: for totals, 3 is the
 * gross invoice total ("Grand total", "Gesamtbetrag", "Total TTC"), 2 what is left to pay ("Amount
 * due", "Net à payer", "Do zapłaty": it differs after a prepayment or a withholding), 1 a plain
 * "Total"/"Summe"/"Razem". For tax, 2 is a total of all rates ("Total VAT"), 1 one rate's line.
 */
export const summaryLabels: { kind: SummaryKind; priority: number; pattern: RegExp }[] = [
  {
    kind: 'subtotal',
    priority: 2,
    pattern: alt(
      'sub\\s*-?\\s*total(?:e)?',
      'net\\s*(?:amount|total|value|worth)',
      'total\\s*(?:net|excl\\.?|excluding|exclusive\\s*of|before\\s*tax(?:es)?|ex\\.?\\s*(?:vat|tax|gst)|w\\/o\\s*(?:vat|tax))',
      'amount\\s*before\\s*tax',
      '(?:total\\s*)?taxable\\s*(?:amount|value)',
      'netto\\s*-?\\s*(?:betrag|summe|gesamt|rechnungsbetrag|wert)?',
      'nettobetrag',
      'nettosumme',
      'nettowarenwert',
      'summe\\s*netto',
      'gesamt\\s*netto',
      'zwischensumme',
      'warenwert(?:\\s*netto)?',
      'total\\s*exkl\\.?(?:\\s*(?:mwst|ust)\\.?)?',
      '(?:rechnungs|gesamt)?betrag\\s*netto',
      '(?:total|montant|sous\\s*-?\\s*total|base)\\s*h\\.?\\s*t\\.?',
      'sous\\s*-?\\s*total',
      '(?:total|montant)\\s*hors\\s*taxes?',
      'base\\s*imponible',
      'importe\\s*neto',
      'total\\s*(?:sin\\s*iva|neto|base\\s*imponible)',
      '(?:totale\\s*)?imponibile',
      'totale\\s*(?:netto|merce)',
      'subtotaal',
      'totaal\\s*(?:excl\\.?|exclusief|ex\\.?)(?:\\s*btw)?',
      'netto\\s*bedrag',
      'bedrag\\s*excl\\.?\\s*btw',
      'totaal\\s*netto',
      '(?:razem\\s*)?wartosc\\s*netto',
      'razem\\s*netto',
      'suma\\s*netto',
      'total\\s*(?:s\\/|sem)\\s*iva',
      'total\\s*iliquido',
      'base\\s*tributavel',
      'valor\\s*sem\\s*iva',
    ),
  },
  {
    kind: 'tax',
    priority: 2,
    pattern: alt(
      '(?:total|totaal|totale|summe|gesamt|razem|suma|montant(?:\\s*total)?|importe|valor|kwota)\\s*(?:de\\s*(?:la\\s*)?|del\\s*)?(?:vat|tax(?:es)?|gst|tva|iva|btw|mwst\\.?|ust\\.?|imposta|umsatzsteuer|igic|impostos?|impuestos?)',
      // A Polish fiscal receipt's tax of all rates (PTU: podatek od towarów i usług).
      '(?:podatek|suma|razem)\\s*ptu',
    ),
  },
  {
    kind: 'tax',
    priority: 1,
    // The first alternative that matches wins, not the longest: "MwSt-Betrag" before "MwSt".
    pattern: alt(
      '(?:ust|mwst)\\.?\\s*-?\\s*betrag',
      // One rate's line with its base and its tax: "Steuerbasisbetrag USt. 19%   198,00   37,62".
      'steuerbasisbetrag\\s*(?:ust|mwst)\\.?',
      '(?:sales\\s*)?tax(?:es)?',
      'vat',
      'gst',
      'hst',
      'pst',
      'qst',
      'igst',
      'cgst',
      'sgst',
      'utgst',
      'cess',
      'mwst\\.?',
      'ust\\.?',
      '(?:umsatz)?steuerbetrag',
      'umsatzsteuer',
      'mehrwertsteuer',
      't\\.?v\\.?a\\.?',
      'i\\.?v\\.?a\\.?',
      'cuota\\s*(?:de\\s*)?(?:i\\.?v\\.?a\\.?)',
      'imposta',
      'b\\.?t\\.?w\\.?',
      'kwota\\s*vat',
      // One rate's PTU on a fiscal receipt: "PTU A 23%", "Kwota A 23,00%".
      'ptu\\s*[a-g]',
      'kwota\\s*[a-g]',
      'podatek\\s*vat',
      'igic',
    ),
  },
  {
    kind: 'total',
    priority: 3,
    pattern: alt(
      'grand\\s*total',
      'invoice\\s*(?:total|amount|value)',
      'total\\s*invoice\\s*(?:value|amount)',
      'total\\s*(?:for|of)\\s*this\\s*(?:invoice|bill|statement)',
      'total\\s*(?:incl\\.?|including|inclusive(?:\\s*of)?|inc\\.?)(?:\\s*(?:vat|tax|gst))?',
      'total\\s*amount',
      'gesamtbetrag',
      'gesamtsumme',
      'endbetrag',
      'endsumme',
      'rechnungsbetrag',
      'rechnungssumme',
      'rechnungsendbetrag',
      'bruttobetrag',
      'summe\\s*brutto',
      'gesamt\\s*brutto',
      'brutto\\s*(?:betrag|summe|gesamt)?',
      'total\\s*inkl\\.?(?:\\s*(?:mwst|ust)\\.?)?',
      'gesamt\\s*inkl\\.?',
      'gutschriftsbetrag',
      'gesamtpreis',
      'total\\s*t\\.?\\s*t\\.?\\s*c\\.?',
      'montant\\s*t\\.?\\s*t\\.?\\s*c\\.?',
      'montant\\s*total',
      'total\\s*general',
      'total\\s*(?:de\\s*la\\s*)?facture',
      "(?:total|montant)\\s*de\\s*l\\s*['’]?\\s*avoir",
      'total\\s*(?:factura|con\\s*iva|iva\\s*incluido)',
      'importe\\s*total',
      'tot(?:ale|\\.)?\\s*(?:documento|fattura|generale|complessivo|ivato|iva\\s*inclusa)',
      'importo\\s*totale',
      'totaal\\s*(?:incl\\.?|inclusief)(?:\\s*btw)?',
      'totaalbedrag',
      'factuurbedrag',
      'eindtotaal',
      'totaal\\s*factuur',
      'razem\\s*brutto',
      'wartosc\\s*brutto',
      'suma\\s*brutto',
      'kwota\\s*brutto',
      'ogolem',
      'total\\s*(?:com\\s*iva|geral|da\\s*fatura|documento)',
      'valor\\s*total',
      'montante\\s*total',
    ),
  },
  {
    kind: 'total',
    priority: 2,
    pattern: alt(
      '(?:total\\s*)?amount\\s*(?:due|payable|to\\s*pay)',
      'total\\s*(?:due|payable|to\\s*pay)',
      'balance(?:\\s*(?:due|payable))?',
      'please\\s*pay',
      'zu\\s*zahlen(?:der\\s*betrag)?',
      'zahlbetrag',
      'offener\\s*betrag',
      'net\\s*a\\s*payer',
      'total\\s*a\\s*payer',
      'montant\\s*(?:du|a\\s*payer)',
      'reste\\s*a\\s*payer',
      'total\\s*a\\s*pagar',
      'importe\\s*a\\s*pagar',
      'liquido\\s*a\\s*pagar',
      'netto\\s*a\\s*pagare',
      'totale\\s*(?:da\\s*pagare|dovuto|a\\s*pagare)',
      'importo\\s*(?:dovuto|da\\s*pagare)',
      'te\\s*betalen',
      'totaal\\s*te\\s*(?:betalen|voldoen)',
      'te\\s*voldoen',
      '(?:razem\\s*)?do\\s*zaplaty',
      'do\\s*zwrotu',
      'kwota\\s*do\\s*zaplaty',
      'valor\\s*(?:liquido\\s*)?a\\s*pagar',
      'montante\\s*a\\s*pagar',
    ),
  },
  { kind: 'total', priority: 1, pattern: alt('total(?:e|s)?', 'totaal', 'summe', 'gesamt', 'razem', 'suma') },
];

/** Words that may stand between a summary label and its amount ("Total incl. VAT (EUR):", "IVA (22% su € 107,00)"). */
export const summaryFiller =
  /^(?:[a-z]{1,2}|abrechnungswahrung|rechnungswahrung|accounting|currency|devise|comptable|ohne|mit|sans|avec|without|with|inc|invoice|rechnung|facture|factura|fattura|factuur|faktura|fatura|hoog|laag|verlegd|incl|inkl|including|inclusive|incluido|incluida|inclusa|incluso|compris|excl|exkl|excluding|exclusive|of|vat|tax|mwst|ust|tva|iva|btw|gst|igst|cgst|sgst|net|netto|brutto|ht|ttc|amount|betrag|montant|importe|importo|bedrag|kwota|valor|eur|usd|gbp|chf|pln|inr|brl|sek|nok|dkk|cad|aud|rs|zl|fr|sfr|euro|euros|zzgl|davon|dont|sur|von|den|del|die|der|des|the|and|und|per|cent|total|totale|totaal|rate|satz|stawka|taux|aliquota|tasa|taxa)$/u;

const summaryStart = new RegExp(`^(?:${summaryLabels.map((label) => label.pattern.source).join('|')})(?![\\p{L}])`, 'u');

/** A carried-forward line of a multi-page table ("Übertrag", "Report", "Riporto"): neither an item nor a total. */
export const carriedForward = /^(?:ubertrag|uebertrag|report|a\s*reporter|carried\s*forward|brought\s*forward|riporto|transporte|suma\s*z\s*przeniesienia|transport)(?![\p{L}])/u;

/** Whether a (folded) cell opens a summary line: where an item table ends. */
export function isSummaryLabel(folded: string): boolean {
  return summaryStart.test(folded);
}
