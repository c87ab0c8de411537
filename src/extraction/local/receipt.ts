import type { Receipt } from '../schemas/receipt';
import { amountMatches, type DecimalStyle } from './amounts';
import { datesIn } from './dates';
import { findIssueDate, readConventions } from './fields';
import { fold } from './fold';
import { isSummaryLabel } from './labels';
import type { Line } from './layout';
import { parseLineItems } from './line-items';
import { isPartyName } from './parties';
import { findTotals } from './totals';

/**
 * Fills the receipt schema from a till or card receipt's text, with no model: merchant, date and
 * time, currency, total (never the cash handed over or the change), tax, payment method and the
 * purchased lines, with the same conventions as invoices (decimal separator, date order and
 * currency decided per document). A field it cannot find, or finds only with doubt, is null.
 */
export function parseReceiptText(text: string): Receipt {
  const { lines, style, currency, dateOrder } = readConventions(text);
  const table = parseLineItems(lines, style);
  const totals = findTotals(lines, style, table.rowLines, table.headerIndex);
  const summaryStart = firstSummaryLine(lines, style);
  const headEnd = firstBodyLine(lines, style, dateOrder);
  const payment = findPayment(lines, style, headEnd);
  // No total label: the amount a card paid is what the receipt cost ("CREDIT $38.46", "VISA 92,79").
  const total = totalWithTip(lines, style, totals.total) ?? payment.cardAmount;
  return {
    merchant: findMerchantIn(lines, headEnd),
    date: findReceiptDateIn(lines, dateOrder),
    time: findReceiptTime(lines, dateOrder),
    currency,
    subtotal: totals.subtotal,
    tax: [totals.tax, findIncludedTax(lines, style, summaryStart)].find((tax) => plausibleTax(tax, total)) ?? null,
    total,
    paymentMethod: payment.method,
    // A table whose amount column was not read (a rate column beside it) gives way to the receipt's own lines.
    items: table.items.length > 0 && table.items.every((item) => item.amount !== null) ? table.items : receiptItems(lines, style, summaryStart),
  };
}

/**
 * A tax is never the total or more, nor negative: a VAT id in the header ("VAT No. 123 4567 89",
 * "TVA FR 45 123456789") read as the tax's figure is not one.
 */
function plausibleTax(tax: number | null, total: number | null): tax is number {
  return tax !== null && tax >= 0 && (total === null || tax < total);
}

/**
 * The first line of a receipt's body: the first that carries a money amount or a date (an item, a
 * table header's first row, the date line). What is above it is the shop's head.
 */
function firstBodyLine(lines: Line[], style: DecimalStyle, dateOrder: 'DMY' | 'MDY'): number {
  const index = lines.findIndex((line) => amountMatches(line.text, style).some((match) => match.money) || datesIn(line.text, dateOrder).length > 0);
  return index >= 0 ? index : lines.length;
}

/** The shop's name: the first line of the receipt's head that reads as a name (not an address, a date or a number). */
export function findMerchant(text: string): string | null {
  const { lines, style, dateOrder } = readConventions(text);
  return findMerchantIn(lines, firstBodyLine(lines, style, dateOrder));
}

/** What a till prints above or instead of the shop's name: the document's title, a greeting. */
const receiptTitle =
  /^(?:kassenbon|kassenbeleg|kassenzettel|quittung|beleg|bon|rechnung|receipt|sales\s*receipt|ticket(?:\s*(?:client|de\s*caisse))?|facture|factura(?:\s*simplificada)?|documento\s*commerciale|scontrino|paragon(?:\s*fiskalny)?|fatura(?:\s*simplificada|-recibo)?|kassabon|bonnetje|welcome|willkommen|bienvenue|bienvenido|benvenuto|welkom|witamy|bem-vindo|copy|kopie|duplicate|duplicata)\b/;

function findMerchantIn(lines: Line[], headEnd: number): string | null {
  // The head, or the first lines when the receipt starts with its items.
  const head = lines.slice(0, headEnd > 0 ? headEnd : 8).filter((l) => l.cells.length > 0).slice(0, 8);
  for (const line of head) {
    // The whole line, else its first cell ("MERCADONA, S.A.   A-46103834": the name, then a tax id).
    for (const name of [line.cells.map((cell) => cell.text).join(' ').trim(), line.cells[0]!.text.trim()]) {
      if (name !== '' && !receiptTitle.test(fold(name)) && isPartyName(name)) return name;
    }
  }
  return null;
}

/** The receipt's date: a labelled one, else the first date printed next to a time ("21/06/2024 09:42"), else the only date. */
export function findReceiptDate(text: string): string | null {
  const { lines, dateOrder } = readConventions(text);
  return findReceiptDateIn(lines, dateOrder);
}

function findReceiptDateIn(lines: Line[], dateOrder: 'DMY' | 'MDY'): string | null {
  const labelled = findIssueDate(lines, dateOrder, '');
  if (labelled) return labelled;
  const withTime = lines.find((line) => timeIn(line.text) !== null && datesIn(line.text, dateOrder).length > 0);
  if (withTime) return datesIn(withTime.text, dateOrder)[0]!.iso;
  const all = new Set(lines.flatMap((line) => datesIn(line.text, dateOrder).map((date) => date.iso)));
  return all.size === 1 ? [...all][0]! : null;
}

/** The amount paid: the receipt's total (see findTotals), never the cash handed over or the change. */
export function findReceiptTotal(text: string): number | null {
  const { lines, style } = readConventions(text);
  return findTotals(lines, style, new Set(), -1).total;
}

const timePattern = /(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\s*([ap])\.?\s*m\.?)?(?![\d:])/i;
const timeLabel = /\b(?:time|hora|uhrzeit|zeit|heure|ora|tijd|godz(?:ina)?|hr)\b/;

/** HH:MM (or HH:MM:SS) on 24 hours: "09:42", "18:03:11", "2:05 PM" is 14:05. */
function timeIn(text: string): string | null {
  const match = timePattern.exec(text);
  if (!match) return null;
  let hours = Number(match[1]);
  const meridiem = match[4]?.toLowerCase();
  if (meridiem === 'p' && hours < 12) hours += 12;
  if (meridiem === 'a' && hours === 12) hours = 0;
  return `${String(hours).padStart(2, '0')}:${match[2]}${match[3] ? `:${match[3]}` : ''}`;
}

/** Opening hours and other times that are not the purchase's. */
const notPurchaseTime = /\b(?:open|opening|hours|geoffnet|offnungszeiten|mo-fr|mon-fri|horaires?|ouvert|horario|abierto|orario|aperto|openingstijden|geopend|godziny\s*otwarcia|czynne|horario|aberto)\b|\d\s*(?:-|to|bis|a|à)\s*\d{1,2}:\d\d/;

/**
 * The time of the purchase: on the date's line, else after a time label ("Hora: 09:42", "Uhrzeit
 * 18:03"), else the one time on a line of its own kind (a till's footer: "00123 #Kasa 2 Kasjer nr 5
 * 16:47"), never opening hours. Colons only, so prices are never read as times.
 */
function findReceiptTime(lines: Line[], dateOrder: 'DMY' | 'MDY'): string | null {
  const colonTime = (text: string) => timeIn(text.replace(/\d{1,2}[./-]\d{1,2}[./-]\d{2,4}/g, ' '));
  for (const line of lines) if (datesIn(line.text, dateOrder).length > 0 && colonTime(line.text)) return colonTime(line.text);
  for (const line of lines) if (timeLabel.test(fold(line.text)) && colonTime(line.text)) return colonTime(line.text);
  const alone = lines.filter((line) => colonTime(line.text) !== null && !notPurchaseTime.test(fold(line.text)) && (line.text.match(/\d:\d\d/g) ?? []).length === 1);
  return alone.length > 0 ? colonTime(alone[0]!.text) : null;
}

/**
 * How it was paid, as receipts print it: the card scheme when one is named ("VISA", "Mastercard",
 * "girocard"), else "card" for a card payment, "cash" for cash. Card numbers and codes are left out.
 */
const paymentMethods: { name: string; card: boolean; pattern: RegExp }[] = [
  { name: 'VISA', card: true, pattern: /\bvisa\b/ },
  { name: 'Mastercard', card: true, pattern: /\bmaster\s*card\b|\bmc\b/ },
  { name: 'Maestro', card: true, pattern: /\bmaestro\b/ },
  { name: 'American Express', card: true, pattern: /\bamerican\s*express\b|\bamex\b/ },
  { name: 'V PAY', card: true, pattern: /\bv\s*pay\b/ },
  { name: 'girocard', card: true, pattern: /\bgirocard\b|\bec[-\s]?karte\b|\bec[-\s]?cash\b/ },
  { name: 'Apple Pay', card: true, pattern: /\bapple\s*pay\b/ },
  { name: 'Google Pay', card: true, pattern: /\bgoogle\s*pay\b/ },
  { name: 'gift card', card: false, pattern: /\bgift\s*card\b|\bgutschein\b|\bbon\s*d'?achat\b/ },
  {
    name: 'card',
    card: true,
    pattern:
      /\b(?:credit|debit)(?:\s*card)?\b|\bcard\b|\bcontactless\b|\bkarte(?:nzahlung)?\b|\bcarte\s*(?:bancaire|bleue)?\b|\bcb\b|\btarjeta\b|\bcarta\b|\b(?:pagamento\s*)?elettronico\b|\bbancomat\b|\bbankkaart\b|\bpin(?:nen|betaling)?\b|\bgepind\b|\bkarta\b|\bcartao\b|\bmultibanco\b/,
  },
  { name: 'cash', card: false, pattern: /\bcash\b|\bbar(?:geld|zahlung)?\b|\bespeces\b|\befectivo\b|\bcontant(?:i|e)?\b|\bgotowka\b|\bdinheiro\b|\bnumerario\b/ },
];

/**
 * The payment method, read below the shop's head (a "BAR PASTICCERIA" is not paid in cash): the
 * strongest named, leaving out a method whose line says 0.00 was paid that way ("PAGAMENTO
 * ELETTRONICO 0,00"); and the amount a card line carries, the total when no label gives one.
 */
function findPayment(lines: Line[], style: DecimalStyle, from: number): { method: string | null; cardAmount: number | null } {
  const mentions: { index: number; amount: number | null }[] = [];
  for (const line of lines.slice(from)) {
    const folded = fold(line.text);
    const index = paymentMethods.findIndex(({ pattern }) => pattern.test(folded));
    if (index < 0) continue;
    const amount = amountMatches(line.text, style).filter((match) => match.money).at(-1)?.value ?? null;
    if (amount !== 0) mentions.push({ index, amount });
  }
  const strongest = mentions.reduce<(typeof mentions)[number] | null>((best, mention) => (best === null || mention.index < best.index ? mention : best), null);
  const cardAmount = mentions.find((mention) => paymentMethods[mention.index]!.card && mention.amount !== null && mention.amount > 0)?.amount ?? null;
  return { method: strongest ? paymentMethods[strongest.index]!.name : null, cardAmount };
}

const tipLabel = /^(?:tip|tips|gratuity|trinkgeld|propina|pourboire|mancia|fooi|napiwek|gorjeta)\b/;

/**
 * A tip written on the slip raises what was paid: a total-labelled line after the tip that is the
 * total plus the tip is the amount paid ("Total 102.53 / Tip 18.00 / Total 120.53"). Otherwise the
 * total as found.
 */
function totalWithTip(lines: Line[], style: DecimalStyle, total: number | null): number | null {
  if (total === null) return null;
  const tipLine = lines.findIndex((line) => line.cells.length > 0 && tipLabel.test(line.cells[0]!.folded));
  if (tipLine < 0) return total;
  const tip = amountMatches(lines[tipLine]!.text, style).filter((match) => match.money).at(-1)?.value;
  if (tip === undefined) return total;
  const paid = lines.slice(tipLine + 1).find((line) => {
    const amount = amountMatches(line.text, style).filter((match) => match.money).at(-1)?.value;
    return line.cells.length > 0 && isSummaryLabel(line.cells[0]!.folded) && amount !== undefined && Math.abs(amount - (total + tip)) < 0.011;
  });
  return paid ? Math.round((total + tip) * 100) / 100 : total;
}

const taxWord = /(?:mwst|ust|mehrwertsteuer|umsatzsteuer|vat|tax|gst|tva|iva|btw|ptu|steuer|imposta|cuota)/;

/**
 * The tax a receipt says is included ("IVA incluido 10% 0,80", "davon MwSt 19% 1,99", "TVA 10,0%
 * 0,56", "DI CUI IVA 0,66"), when the summary did not give it: summed over the tax lines after the
 * items. A VAT table's row gives its tax by arithmetic whatever the columns' order (net + tax =
 * gross: the tax is the smaller part), else the one amount that is neither the largest nor a sum.
 * Null when no such line carries an amount.
 */
function findIncludedTax(lines: Line[], style: DecimalStyle, from: number): number | null {
  let sum = 0;
  let found = false;
  // A VAT table's header ("Steuer % Netto Steuer Brutto") names the tax once; its rows carry only the rate.
  let inTable = false;
  for (const line of lines.slice(Math.max(from, 0))) {
    const folded = fold(line.text.trim());
    const named = taxWord.test(folded);
    const money = amountMatches(line.text.replace(/\d{1,2}(?:[.,]\d{1,2})?\s*%/g, ' '), style).filter((match) => match.money);
    if (named && money.length === 0) {
      inTable = true;
      continue;
    }
    inTable &&= /%/.test(line.text);
    const included = /^(?:di\s*cui|davon|enth|inkl|incl|dont|waarvan|hiervon)\b/.test(folded) || /\bincl(?:uded|uido|uida|\.)?\b|\binkl\b/.test(folded);
    if (!(named || inTable) || !(/%/.test(line.text) || (named && included))) continue;
    if (money.length === 0) continue;
    const values = money.map((match) => match.value);
    sum += taxOfRow(values);
    found = true;
  }
  return found ? Math.round(sum * 100) / 100 : null;
}

/** A tax line's or VAT table row's tax: of net + tax = gross the smaller part; else the middle of three, the smaller of two, the one. */
function taxOfRow(values: number[]): number {
  for (const [k, gross] of values.entries()) {
    for (const [i, a] of values.entries()) {
      for (const [j, b] of values.entries()) {
        if (i < j && i !== k && j !== k && Math.abs(a + b - gross) < 0.011) return Math.min(a, b);
      }
    }
  }
  return values.length >= 3 ? values[values.length - 2]! : values.length === 2 ? Math.min(...values) : values[0]!;
}

/** Summary lines only a till prints: Polish fiscal receipts' taxed sales and PTU lines ("Sprzed. opod. PTU A", "SP.OP.A", "Kwota A 23%"). */
const receiptSummary = /^(?:sprzed(?:az)?\.?\s*opod|sp\.?\s*op\.?|ptu\b|podatek\s*ptu|suma\s*ptu|kwota\s*[a-g]\b)/;

/** The first line that opens the summary (total, subtotal, tax) with an amount on it: the items end before it. A VAT id in the head ("USt-IdNr: DE…") has none. */
function firstSummaryLine(lines: Line[], style: DecimalStyle): number {
  return lines.findIndex(
    (line) =>
      line.cells.length > 0 &&
      (isSummaryLabel(line.cells[0]!.folded) || receiptSummary.test(line.cells[0]!.folded)) &&
      amountMatches(line.text, style).some((match) => match.money),
  );
}

const notAnItem =
  /(?:\btel\b|\bfax\b|ust-?id|st\.?-?nr|steuer-?nr|\bnif\b|\bcif\b|siret|siren|tva\s*intra|vat\s*(?:no|reg)|p\.?\s*iva|\bbon\b|\bbeleg\b|\bkasse\b|\bcaisse\b|\bticket\b|factura|fattura|rechnung|\bn[°º]|\bnr\b|terminal|\btrace\b|\bauth|approval|www\.|http|@)/;

/** Print after an item's amount: a tax class ("B", "1", "*", "(A)", "T"), a rate ("19%", "2,10%"), the currency. */
const afterAmount = /(?:\s+(?:[A-Z]{1,2}\*?|\d|\*|\([A-Z]\)|\d{1,2}(?:[.,]\d{1,2})?\s?%|EUR|USD|GBP|PLN|[€$£]))+$/;

/** A quantity times a unit price: "2 x 0,95", "2 @ 3.99", "41,27 l x 1,849 EUR/l", "0.846 kg @ £0.79/kg", "2 st à 3,29", "2 x3,49". */
const quantityTimesPrice =
  /(?:^|\s)(\d+(?:[.,]\d+)?)\s{0,2}(?:(?:stk|st|pcs|pc|kg|g|l|ltr|un|ud|szt)\.?\s{0,2})?[x×@*à]\s{0,2}(?:€|£|\$|eur\s?)?(\d+[.,]\d{2,3})(?:\s*(?:€|eur|£|\$))?(?:\s*\/\s*\p{L}{1,3})?(?=\s|$)/iu;

type Item = Receipt['items'][number];

/**
 * The purchased lines of a receipt without a table header: between its head and its first summary
 * line, each line that ends with a money amount of two decimals (a tax class, a rate or the
 * currency may follow: "BANANE 1,29 B", "DOLIPRANE 2,18 2,10%") and starts with words. Quantities
 * as tills print them: "2 x Café con leche 1,60 3,20", "2 BAGUETTE 1,20 2,40", "Woda 2 x3,49 6,98";
 * a quantity line under its item ("BANANAS 0.87" / "3 @ 0.29") or above the one it multiplies; an
 * item over two lines ("Laugenbrezel 2 x 0,95" / "1,90 A", "Dübel 8mm" / "2 x 3,49 6,98", "Säule 04
 * Super E10" / "41,27 l x 1,849 EUR/l" / "76,31 EUR"). A discount line keeps its minus sign.
 */
function receiptItems(lines: Line[], style: DecimalStyle, summaryStart: number): Item[] {
  const end = summaryStart >= 0 ? summaryStart : lines.length;
  const items: Item[] = [];
  // Words waiting for their amount on the next line, and a quantity line waiting for its item.
  let pending = null as Item | null;
  let waitingQuantity = null as { quantity: number; unitPrice: number } | null;
  const number = (text: string) => Number(text.replace(',', '.'));
  for (const line of lines.slice(0, end)) {
    const text = line.text.trim();
    const folded = fold(text);
    if (text === '' || datesIn(text).length > 0 || /\d:\d\d/.test(text) || /^[-=*_~.\s]+$/.test(text)) {
      if (text !== '' && !/^[-=*_~.\s]+$/.test(text)) pending = null;
      continue;
    }
    // "9.99T": a tax class printed against the amount; OCR reads that T as a third decimal 7 ("9.997").
    const classed = text.replace(/(\d[.,]\d{2})[A-Z]$/, '$1');
    const body = (style === 'point' ? classed.replace(/(\s\$?\d{1,4}\.\d{2})7$/, '$1') : classed).replace(afterAmount, '');
    // "-£0.50": the minus before the currency is the amount's.
    const amounts = amountMatches(body, style)
      .filter((match) => match.money)
      .map((match) => (match.value > 0 && /-\s?[€$£]\s?$/.test(body.slice(0, match.index)) ? { ...match, value: -match.value } : match));
    const last = amounts.at(-1);
    const lineAmount = last && body.slice(last.end).trim() === '' && /[.,]\d{2}$/.test(body.slice(last.index, last.end)) ? last : undefined;
    const times = quantityTimesPrice.exec(body);
    // The quantity's unit price is the line's last figure: the line amount is still to come.
    const priceOnly = times !== null && lineAmount !== undefined && times.index + times[0].length >= lineAmount.end - 1;
    const words = body.slice(0, times?.index ?? amounts[0]?.index ?? body.length).replace(/^\s*\d{1,3}(?:\s*[x×*])?\s+(?=\p{L})/iu, '')
      .replace(/\s*-?\s?[€$£]?\s*$/, '')
      .replace(/\s+/g, ' ')
      .trim();
    const hasWords = /\p{L}{2}/u.test(words.replace(/\b(?:stk|st|pcs|kg|ltr|eur)\b/gi, ''));
    if (!lineAmount || priceOnly) {
      if (times && hasWords && priceOnly) {
        pending = { description: words, quantity: number(times[1]!), unitPrice: number(times[2]!), amount: null };
      } else if (times && !hasWords) {
        const [quantity, unitPrice] = [number(times[1]!), number(times[2]!)];
        const previous = items.at(-1);
        if (pending) {
          pending = { ...pending, quantity, unitPrice };
        } else if (previous && previous.amount !== null && Math.abs(previous.amount - quantity * unitPrice) < 0.011) {
          items[items.length - 1] = { ...previous, quantity, unitPrice };
        } else {
          waitingQuantity = { quantity, unitPrice };
        }
      } else if (hasWords && amounts.length === 0 && !isSummaryLabel(folded)) {
        pending = { description: words, quantity: null, unitPrice: null, amount: null };
      } else {
        pending = null;
      }
      continue;
    }
    const description = words;
    if (!hasWords) {
      // An amount alone, or a quantity and an amount: the second line of the item pending above.
      if (pending) {
        const quantity = times ? { quantity: number(times[1]!), unitPrice: number(times[2]!) } : {};
        items.push({ ...pending, ...quantity, amount: lineAmount.value });
      }
      pending = null;
      continue;
    }
    pending = null;
    if (notAnItem.test(fold(description)) || isSummaryLabel(fold(description)) || paymentMethods.some(({ pattern }) => pattern.test(fold(description)))) continue;
    const leading = /^\s*(\d{1,3})(?:\s*[x×*])?\s+(?=\p{L})/iu.exec(body);
    const quantity = times ? number(times[1]!) : leading ? Number(leading[1]) : (waitingQuantity?.quantity ?? null);
    const unitPrice = times ? number(times[2]!) : amounts.length >= 2 && quantity !== null ? amounts.at(-2)!.value : (waitingQuantity?.unitPrice ?? null);
    items.push({ description, quantity, unitPrice, amount: lineAmount.value });
    waitingQuantity = null;
  }
  return items;
}
