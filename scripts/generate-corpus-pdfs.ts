/**
 * Writes the PDF part of the invoice corpus (test/corpus/invoices/<set>/*.pdf): invoices laid out
 * the way real invoicing software places text, so that positions matter when reading them: label
 * columns with right-aligned values, labels above their values, right-aligned amount columns,
 * a summary block whose labels and figures are separate text items, a two-page invoice whose
 * header repeats and whose totals are on the last page, and baselines that are not quite equal.
 * The expected fields are in the NAME.json beside each PDF (written by hand, not by this script).
 *
 *   node --import tsx scripts/generate-corpus-pdfs.ts
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';

interface Text {
  x: number;
  y: number;
  text: string;
  size?: number;
  bold?: boolean;
  /** x is the right edge of the text (amount columns). */
  right?: boolean;
}
type Page = Text[];

/** A table row: cells at the given x positions; numbers right-aligned at their column's right edge. */
function row(y: number, cells: [number, string, boolean?][], size = 9, bold = false): Text[] {
  return cells.map(([x, text, right]) => ({ x, y, text, size, bold, right: right ?? false }));
}

/** Label/value pairs: labels left-aligned at one x, values right-aligned at another. */
function pairs(x: number, valueRight: number, y: number, entries: [string, string][], size = 9, step = 13): Text[] {
  return entries.flatMap(([label, value], index) => [
    { x, y: y - index * step, text: label, size },
    { x: valueRight, y: y - index * step - 0.6, text: value, size, right: true },
  ]);
}

const documents: Record<string, Page[]> = {
  'dev/de-onlineshop.pdf': [
    [
      { x: 50, y: 790, text: 'Gartenfreund24', size: 20, bold: true },
      { x: 50, y: 772, text: 'Ein Angebot der Grünwerk Handels GmbH', size: 8 },
      { x: 50, y: 700, text: 'Grünwerk Handels GmbH · Mühlenweg 3 · 49074 Osnabrück', size: 7 },
      { x: 50, y: 684, text: 'Frau', size: 10 },
      { x: 50, y: 671, text: 'Katrin Albers', size: 10 },
      { x: 50, y: 658, text: 'Birkenallee 17', size: 10 },
      { x: 50, y: 645, text: '26121 Oldenburg', size: 10 },
      ...pairs(340, 545, 700, [
        ['Rechnungsnummer', 'GF-2403-55812'],
        ['Rechnungsdatum', '18.03.2024'],
        ['Lieferdatum', '15.03.2024'],
        ['Bestellnummer', '302-5518-221'],
        ['Kundennummer', '881903'],
      ]),
      { x: 50, y: 590, text: 'Rechnung', size: 16, bold: true },
      { x: 50, y: 570, text: 'Vielen Dank für Ihre Bestellung. Wir berechnen Ihnen folgende Artikel:', size: 9 },
      ...row(540, [[50, 'Art.-Nr.'], [110, 'Artikel'], [360, 'Menge', true], [440, 'Einzelpreis', true], [545, 'Gesamtpreis', true]], 9, true),
      ...row(524, [[50, '10044'], [110, 'Hochbeet Lärche 120 x 60 cm'], [360, '2', true], [440, '89,95 €', true], [545, '179,90 €', true]]),
      ...row(510, [[50, '22017'], [110, 'Bio-Pflanzerde 40 l'], [360, '6', true], [440, '7,49 €', true], [545, '44,94 €', true]]),
      ...row(496, [[50, '90001'], [110, 'Versand (Spedition)'], [360, '1', true], [440, '29,00 €', true], [545, '29,00 €', true]]),
      ...pairs(360, 545, 460, [
        ['Zwischensumme (netto)', '253,84 €'],
        ['zzgl. 19 % USt.', '48,23 €'],
      ]),
      { x: 360, y: 430, text: 'Gesamtbetrag', size: 10, bold: true },
      { x: 545, y: 430, text: '302,07 €', size: 10, bold: true, right: true },
      { x: 50, y: 400, text: 'Der Betrag wurde bereits per PayPal beglichen.', size: 9 },
      { x: 50, y: 60, text: 'Grünwerk Handels GmbH · Geschäftsführer: Tobias Reinert · Amtsgericht Osnabrück HRB 20817 · USt-IdNr. DE287654321', size: 7 },
    ],
  ],
  'dev/fr-conseil-2pages.pdf': [
    [
      { x: 50, y: 790, text: 'ARGOS CONSEIL', size: 18, bold: true },
      { x: 50, y: 775, text: 'SARL au capital de 10 000 € – RCS Lille 801 234 567', size: 7 },
      { x: 50, y: 765, text: '25 rue Nationale, 59000 Lille', size: 7 },
      { x: 400, y: 790, text: 'FACTURE', size: 18, bold: true },
      ...row(730, [[50, 'Numéro'], [170, 'Date'], [290, 'Échéance'], [410, 'Page']], 8, true),
      ...row(717, [[50, 'FA-2024-0911'], [170, '30/09/2024'], [290, '30/10/2024'], [410, '1/2']], 9),
      { x: 330, y: 680, text: 'Adressé à', size: 8, bold: true },
      { x: 330, y: 667, text: 'Transports Lemaire et Fils SAS', size: 10 },
      { x: 330, y: 654, text: 'ZI du Hainaut – 12 rue de l’Escaut', size: 9 },
      { x: 330, y: 641, text: '59300 Valenciennes', size: 9 },
      ...row(600, [[50, 'Désignation'], [380, 'Quantité', true], [460, 'P.U. HT', true], [545, 'Montant HT', true]], 8, true),
      ...row(585, [[50, 'Audit organisationnel – phase 1 (jours)'], [380, '4', true], [460, '950,00', true], [545, '3 800,00', true]]),
      ...row(571, [[50, 'Ateliers direction (demi-journées)'], [380, '3', true], [460, '520,00', true], [545, '1 560,00', true]]),
      ...row(557, [[50, 'Frais de déplacement (forfait)'], [380, '1', true], [460, '184,60', true], [545, '184,60', true]]),
      ...row(520, [[380, 'Report', true], [545, '5 544,60', true]]),
      { x: 50, y: 60, text: 'ARGOS CONSEIL – SIRET 801 234 567 00018 – TVA FR22801234567 – IBAN FR76 3000 4000 0312 3456 7890 143', size: 7 },
    ],
    [
      { x: 50, y: 790, text: 'ARGOS CONSEIL', size: 18, bold: true },
      { x: 400, y: 790, text: 'FACTURE', size: 18, bold: true },
      ...row(730, [[50, 'Numéro'], [170, 'Date'], [290, 'Échéance'], [410, 'Page']], 8, true),
      ...row(717, [[50, 'FA-2024-0911'], [170, '30/09/2024'], [290, '30/10/2024'], [410, '2/2']], 9),
      ...row(680, [[50, 'Désignation'], [380, 'Quantité', true], [460, 'P.U. HT', true], [545, 'Montant HT', true]], 8, true),
      ...row(665, [[380, 'Report', true], [545, '5 544,60', true]]),
      ...row(651, [[50, 'Rapport de synthèse et restitution'], [380, '1', true], [460, '1 200,00', true], [545, '1 200,00', true]]),
      ...pairs(380, 545, 610, [
        ['Total HT', '6 744,60 €'],
        ['TVA 20 %', '1 348,92 €'],
        ['Total TTC', '8 093,52 €'],
      ], 10, 15),
      { x: 50, y: 540, text: 'Règlement par virement à 30 jours. Pénalités de retard : 3 fois le taux d’intérêt légal.', size: 8 },
      { x: 50, y: 60, text: 'ARGOS CONSEIL – SIRET 801 234 567 00018 – TVA FR22801234567 – IBAN FR76 3000 4000 0312 3456 7890 143', size: 7 },
    ],
  ],
  'dev/en-us-agency.pdf': [
    [
      { x: 50, y: 790, text: 'Northwind Creative Studio LLC', size: 14, bold: true },
      { x: 50, y: 776, text: '1200 Pearl Street, Suite 210', size: 9 },
      { x: 50, y: 764, text: 'Boulder, CO 80302', size: 9 },
      { x: 420, y: 790, text: 'INVOICE', size: 22, bold: true },
      { x: 440, y: 760, text: 'Invoice #', size: 9, bold: true, right: true },
      { x: 545, y: 760, text: 'NW-2291', size: 9, right: true },
      { x: 440, y: 747, text: 'Date', size: 9, bold: true, right: true },
      { x: 545, y: 747, text: '06/03/2025', size: 9, right: true },
      { x: 440, y: 734, text: 'Due Date', size: 9, bold: true, right: true },
      { x: 545, y: 734, text: '07/03/2025', size: 9, right: true },
      { x: 50, y: 720, text: 'BILL TO', size: 9, bold: true },
      { x: 50, y: 707, text: 'Riverbend Brewing Company', size: 10 },
      { x: 50, y: 695, text: 'Attn: Marcus Lee', size: 9 },
      { x: 50, y: 683, text: '77 Walnut St, Fort Collins, CO 80524', size: 9 },
      ...row(640, [[50, 'DESCRIPTION'], [360, 'HOURS', true], [450, 'RATE', true], [545, 'AMOUNT', true]], 8, true),
      ...row(625, [[50, 'Label redesign – Hazy IPA series'], [360, '18', true], [450, '$125.00', true], [545, '$2,250.00', true]]),
      ...row(611, [[50, 'Photography, half day'], [360, '4', true], [450, '$150.00', true], [545, '$600.00', true]]),
      ...row(597, [[50, 'Print production management'], [360, '3', true], [450, '$95.00', true], [545, '$285.00', true]]),
      ...pairs(400, 545, 560, [
        ['Subtotal', '$3,135.00'],
        ['Sales Tax (0%)', '$0.00'],
        ['Total', '$3,135.00'],
        ['Amount Paid', '($1,000.00)'],
      ]),
      { x: 400, y: 500, text: 'Balance Due', size: 11, bold: true },
      { x: 545, y: 500, text: '$2,135.00', size: 11, bold: true, right: true },
      { x: 50, y: 460, text: 'Thank you for your business! Payment via ACH or check payable to Northwind Creative Studio LLC.', size: 8 },
    ],
  ],
  'dev/it-studio.pdf': [
    [
      { x: 50, y: 790, text: 'Studio Tecnico Ing. Paolo Ferri', size: 13, bold: true },
      { x: 50, y: 777, text: 'Via XX Settembre 41 – 16121 Genova', size: 8 },
      { x: 50, y: 767, text: 'P.IVA 01987650993 – C.F. FRRPLA75C12D969K', size: 8 },
      { x: 330, y: 730, text: 'Spett.le', size: 9 },
      { x: 330, y: 717, text: 'Condominio Villa Serena', size: 10, bold: true },
      { x: 330, y: 704, text: 'Corso Italia 8', size: 9 },
      { x: 330, y: 692, text: '16145 Genova (GE)', size: 9 },
      { x: 50, y: 650, text: 'FATTURA N. 37/2024 DEL 15/04/2024', size: 11, bold: true },
      ...row(610, [[50, 'Descrizione'], [545, 'Importo', true]], 8, true),
      ...row(595, [[50, 'Pratica SCIA rifacimento facciate'], [545, '2.400,00', true]]),
      ...row(581, [[50, 'Direzione lavori (acconto)'], [545, '1.600,00', true]]),
      ...row(567, [[50, 'Contributo Inarcassa 4%'], [545, '160,00', true]]),
      ...row(530, [[230, 'Imponibile', true], [330, 'IVA 22%', true], [430, 'Totale fattura', true], [545, 'Netto a pagare', true]], 8, true),
      ...row(516, [[230, '4.160,00', true], [330, '915,20', true], [430, '5.075,20', true], [545, '4.275,20', true]], 9),
      { x: 50, y: 490, text: 'Ritenuta d’acconto 20% su 4.000,00: -800,00', size: 8 },
      { x: 50, y: 478, text: 'Pagamento: bonifico bancario entro 30 giorni – scadenza 15/05/2024', size: 8 },
      { x: 50, y: 466, text: 'IBAN IT40 S054 2811 1010 0000 0123 456', size: 8 },
    ],
  ],
  'heldout/nl-adviesbureau.pdf': [
    [
      { x: 380, y: 790, text: 'Koster Advies B.V.', size: 14, bold: true },
      { x: 380, y: 776, text: 'Stationsplein 9', size: 8 },
      { x: 380, y: 766, text: '3818 LE Amersfoort', size: 8 },
      { x: 380, y: 756, text: 'KvK 62345678 · BTW NL854321987B01', size: 8 },
      { x: 50, y: 720, text: 'Gemeente Barneveld', size: 10 },
      { x: 50, y: 707, text: 'T.a.v. afdeling Inkoop', size: 9 },
      { x: 50, y: 695, text: 'Postbus 63', size: 9 },
      { x: 50, y: 683, text: '3770 AB Barneveld', size: 9 },
      { x: 50, y: 640, text: 'FACTUUR', size: 16, bold: true },
      ...row(615, [[50, 'Factuurnummer'], [180, 'Factuurdatum'], [310, 'Vervaldatum'], [440, 'Uw kenmerk']], 8, true),
      ...row(602, [[50, '2025-0042'], [180, '14 februari 2025'], [310, '16 maart 2025'], [440, 'INK-2025-118']], 9),
      ...row(560, [[50, 'Omschrijving'], [380, 'Uren', true], [460, 'Tarief', true], [545, 'Bedrag', true]], 8, true),
      ...row(545, [[50, 'Advies aanbesteding groenonderhoud'], [380, '24', true], [460, '€ 115,00', true], [545, '€ 2.760,00', true]]),
      ...row(531, [[50, 'Opstellen bestek'], [380, '10', true], [460, '€ 115,00', true], [545, '€ 1.150,00', true]]),
      ...pairs(380, 545, 495, [
        ['Subtotaal', '€ 3.910,00'],
        ['BTW 21%', '€ 821,10'],
      ]),
      { x: 380, y: 465, text: 'Totaal te betalen', size: 10, bold: true },
      { x: 545, y: 465, text: '€ 4.731,10', size: 10, bold: true, right: true },
      { x: 50, y: 420, text: 'Wij verzoeken u het bedrag vóór de vervaldatum over te maken op NL44 INGB 0006 5432 10.', size: 8 },
    ],
  ],
  'heldout/es-clinica.pdf': [
    [
      { x: 50, y: 790, text: 'Clínica Veterinaria Los Olivos S.L.', size: 13, bold: true },
      { x: 50, y: 777, text: 'CIF B-92345678 · Av. de Andalucía 120 · 29006 Málaga', size: 8 },
      { x: 50, y: 740, text: 'FACTURA', size: 16, bold: true },
      ...pairs(50, 240, 715, [
        ['Número:', 'F25-00318'],
        ['Fecha:', '07/01/2025'],
      ]),
      { x: 330, y: 715, text: 'Cliente:', size: 9, bold: true },
      { x: 330, y: 702, text: 'Laura Sánchez Moreno', size: 10 },
      { x: 330, y: 690, text: 'NIF 44123456K', size: 9 },
      ...row(650, [[50, 'Concepto'], [380, 'Cant.', true], [460, 'Precio', true], [545, 'Importe', true]], 8, true),
      ...row(635, [[50, 'Consulta general'], [380, '1', true], [460, '35,00', true], [545, '35,00', true]]),
      ...row(621, [[50, 'Vacuna polivalente'], [380, '1', true], [460, '42,00', true], [545, '42,00', true]]),
      ...row(607, [[50, 'Desparasitación interna'], [380, '2', true], [460, '9,50', true], [545, '19,00', true]]),
      ...pairs(380, 545, 570, [
        ['Base imponible', '96,00'],
        ['IVA 21%', '20,16'],
        ['TOTAL', '116,16 €'],
      ]),
    ],
  ],
};

async function render(pages: Page[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setCreator('docbatch corpus');
  pdf.setProducer('pdf-lib');
  pdf.setCreationDate(new Date('2025-01-01T00:00:00Z'));
  pdf.setModificationDate(new Date('2025-01-01T00:00:00Z'));
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  for (const texts of pages) {
    const page = pdf.addPage([595, 842]);
    for (const text of texts) {
      const font: PDFFont = text.bold ? bold : regular;
      const size = text.size ?? 9;
      const x = text.right ? text.x - font.widthOfTextAtSize(text.text, size) : text.x;
      page.drawText(text.text, { x, y: text.y, size, font });
    }
  }
  return pdf.save({ useObjectStreams: false });
}

const dir = join(import.meta.dirname, '..', 'test', 'corpus', 'invoices');
for (const [name, pages] of Object.entries(documents)) {
  await writeFile(join(dir, name), await render(pages));
  console.log(`wrote ${name}`);
}
