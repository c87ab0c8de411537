import { parseDate } from './dates';
import { fold } from './fold';
import {
  buyerLabel,
  companySuffix,
  documentTitle,
  dueDateLabel,
  invoiceNumberLabel,
  issueDateLabel,
  issuerLabel,
  partyNameLabel,
  partySectionPrefix,
  payeeLabel,
  accountHolderLabel,
  bankWords,
  recipientSalutation,
} from './labels';
import { columnCell, type Cell, type Line } from './layout';

/**
 * Seller and buyer names. A labelled party ("Bill to", "Rechnungsempfänger", "Nabywca",
 * "Cessionario/committente") is the first name in its block: beside the label, or in the lines
 * under it in the label's column, skipping attention lines and tax ids, taking "Denominazione: X"
 * as X. Without a label, the buyer is the name after a salutation ("Herrn", "Familie", "Madame")
 * or in the window address under a sender line ("Kowalski · Lindenstraße 14 · 44135 Dortmund"),
 * and the seller is the one that sender line names, else the account holder of the bank details,
 * else the letterhead: the first name at the top, preferring one with a legal form (GmbH, S.r.l.,
 * Sp. z o.o., Lda., Ltd...).
 */
export function findBuyer(lines: Line[]): string | null {
  return labelledParty(lines, buyerLabel) ?? salutationParty(lines) ?? windowAddressParty(lines);
}

export function findIssuer(lines: Line[], buyer: string | null, bodyStart: number): string | null {
  const labelled = labelledParty(lines, issuerLabel);
  if (labelled) return labelled;
  const candidates: string[] = [];
  const buyerCells = buyerBlock(lines);
  for (const [index, line] of lines.slice(0, Math.min(bodyStart, 14)).entries()) {
    for (const [cellIndex, cell] of line.cells.entries()) {
      const name = tradingNameOf(suffixOnly.test(cell.text) ? joinedWithLeft(line.cells, cellIndex) : cleanName(cell.text));
      if (name === buyer || buyerCells.has(`${index}:${cell.start}`) || isBareLabel(cell.folded)) continue;
      if (isPartyName(name)) candidates.push(name);
    }
  }
  const sender = senderLineIssuer(lines);
  if (sender !== null && sender !== buyer) {
    // The letterhead may spell out what the sender line shortens ("Malerbetrieb Jens Ohm" over "Malerbetrieb Ohm · …").
    const senderWords = new Set(fold(sender).match(/\p{L}{4,}/gu) ?? []);
    return candidates.slice(0, 6).find((name) => (fold(name).match(/\p{L}{4,}/gu) ?? []).some((word) => senderWords.has(word))) ?? sender;
  }
  const holder = payee(lines);
  if (holder !== null && holder !== buyer) return holder;
  return candidates.slice(0, 6).find((name) => companySuffix.test(name)) ?? candidates[0] ?? null;
}

/** A cell that is only a legal form: letter-spaced text ("AUTOHAUS  SCHNEIDER  GmbH") split the name into cells. */
const suffixOnly = new RegExp(`^(?:${companySuffix.source.replace('(?:^|[\\s,])', '')})`, 'iu');

function joinedWithLeft(cells: Cell[], index: number): string {
  let start = index;
  while (start > 0 && cells[start]!.start - cells[start - 1]!.end <= 3) start--;
  return cells
    .slice(start, index + 1)
    .map((cell) => cell.text)
    .join(' ');
}

/** "Ein Angebot der Grünwerk Handels GmbH", "Een handelsnaam van Trapkracht B.V.": the company behind a shop name. */
function tradingNameOf(name: string): string {
  return name.replace(
    /^(?:ein(?:e)?\s+(?:angebot|marke|service|unternehmen)\s+der|een\s+(?:handelsnaam|merk|onderdeel)\s+van|an?\s+(?:brand|trading\s+name|division|service)\s+of|operated\s+by|une\s+marque\s+(?:de|du)|un\s+service\s+de|una\s+marca\s+de|un\s+marchio\s+di|uma\s+marca\s+(?:da|de))\s+/iu,
    '',
  );
}

/** A postcode and town ("44135 Dortmund", "1021 JK Amsterdam", "31-147 Kraków", "4000-442 Porto", "BS2 0JP"). */
const postcodeTown = /(?:^|\s)(?:\d{4,5}|\d{4}\s?[A-Z]{2}|\d{2}-\d{3}|\d{4}-\d{3}|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})(?:\s+\p{L}|$)/u;

/**
 * The buyer of an invoice whose recipient block has no label: when the head of the document holds
 * exactly two address blocks (a name with a postcode and town under it) and one is the seller's,
 * the other is the buyer's. Anything less clear stays null.
 */
export function otherAddressBlock(lines: Line[], issuer: string | null, bodyStart: number): string | null {
  if (issuer === null) return null;
  const blocks: { name: string; line: number; start: number }[] = [];
  for (const [index, line] of lines.slice(0, Math.min(bodyStart, 25)).entries()) {
    for (const cell of line.cells) {
      const name = tradingNameOf(cleanName(cell.text));
      if (!isPartyName(name)) continue;
      // A line of a block already found (a department, a second name line) is not a block of its own.
      if (blocks.some((block) => index - block.line <= 4 && Math.abs(cell.start - block.start) <= 20)) continue;
      const next = lines.slice(index + 1, index + 5);
      const blockEnd = next.findIndex((below) => below.cells.length === 0);
      const below = next.slice(0, blockEnd < 0 ? next.length : blockEnd).map((line) => columnCell(line, { start: cell.start, end: Math.max(cell.end, cell.start + 12) })?.text ?? '');
      if (below.some((text) => postcodeTown.test(text))) blocks.push({ name, line: index, start: cell.start });
    }
  }
  const names = blocks.map((block) => block.name);
  if (names.length !== 2 || !names.includes(issuer)) return null;
  return names.find((name) => name !== issuer) ?? null;
}

/** Each party label anchored at a cell's start: built once per label, not per call. */
const anchoredPartyLabels = new WeakMap<RegExp, RegExp>();

/** The name in the block a party label heads, or a section heading names ("Information about the seller"; see findBuyer). */
function labelledParty(lines: Line[], label: RegExp): string | null {
  let anchored = anchoredPartyLabels.get(label);
  if (anchored === undefined) {
    anchored = new RegExp(`^(?:${partySectionPrefix.source})?(?:${label.source})(?![\\p{L}\\p{N}])[\\s:.\\-–]*`, 'u');
    anchoredPartyLabels.set(label, anchored);
  }
  for (const [index, line] of lines.entries()) {
    for (const [cellIndex, cell] of line.cells.entries()) {
      const match = cell.folded.match(anchored);
      if (!match) continue;
      const rest = cleanName(cell.text.slice(match[0].length));
      if (rest !== '') {
        // "Buyer reference: 120943" is another field's label, "Lieferant GmbH" a name, not the seller's label.
        if (!rest.includes(':') && !suffixOnly.test(rest) && isPartyName(rest, true)) return rest;
        continue;
      }
      const right = line.cells[cellIndex + 1];
      if (right && right.start - cell.end < 16 && isPartyName(cleanName(right.text), true)) return cleanName(right.text);
      const below = nameBelow(lines, index, cell);
      if (below) return below;
    }
  }
  return null;
}

const nameLabel = new RegExp(`^(?:${partyNameLabel.source})\\s*:\\s*`, 'u');

/** The first name in the column under a cell, within five lines: attention lines, tax ids and addresses are skipped. */
function nameBelow(lines: Line[], index: number, cell: Pick<Cell, 'start' | 'end'>): string | null {
  const span = { start: cell.start, end: Math.max(cell.end, cell.start + 12) };
  for (const [offset, line] of lines.slice(index + 1, index + 6).entries()) {
    if (line.cells.length === 0) return null; // the block has ended
    // A block of two columns may give the name in the other one ("Buyer reference: 120943   Name: LE CLIENT").
    const column = columnCell(line, span);
    const under = column && nameLabel.test(column.folded) ? column : (line.cells.find((candidate) => nameLabel.test(candidate.folded)) ?? column);
    if (!under) continue;
    const named = under.folded.match(nameLabel);
    if (named) {
      if (named[0].length < under.folded.length) return cleanName(under.text.slice(named[0].length)) || null;
      return cleanName(valueOfLabel(lines, index + 1 + offset, under) ?? '') || null;
    }
    // Another field's label ("Leitweg-ID:", "Buyer reference:", "Nummer   : GE2020211").
    if (/:\s*$/.test(under.text) || line.cells[line.cells.indexOf(under) + 1]?.text.startsWith(':')) continue;
    if (/^(?:z\.\s?hd|attn|attention|c\/o|t\.?a\.?v|a\/a|all'att|a la atencion|z\.?\s?r\.?)/u.test(under.folded)) continue;
    if (recipientSalutation.test(under.folded.replace(/[:,]$/, ''))) continue;
    if (/^\(.*\)$/.test(under.text.trim())) continue; // a note: "(Not to be used for payment remittance)"
    // A party's GS1 location number above its name (German EDI layouts: "GLN 4304171000002").
    if (/^(?:gln|iln)\s*[:.]?\s*\d{13}\b/u.test(under.folded)) continue;
    const name = cleanName(under.text);
    if (isPartyName(name)) return name;
    if (!/:/.test(under.text)) return null; // an address or a number where the name should be
  }
  return null;
}

/**
 * The value of a label alone in its cell: the cell beside it ("Name:   Ma jolie boutique SARL"),
 * or, when a table printed the value over two lines centred on the label's, the cells to its
 * right just above and below ("Stark Industries" / "Name:" / "LLC").
 */
function valueOfLabel(lines: Line[], index: number, label: Cell): string | null {
  const line = lines[index]!;
  const rightOf = (other: Line | undefined) => other?.cells.find((cell) => cell.start > label.end && cell.start - label.end <= 40);
  const beside = rightOf(line);
  if (beside && line.cells[line.cells.indexOf(label) + 1] === beside) return beside.text;
  const above = rightOf(lines[index - 1]);
  const below = rightOf(lines[index + 1]);
  if (above && below && Math.abs(above.start - below.start) <= 2 && !/:\s*$/.test(above.text)) return `${above.text} ${below.text}`;
  return null;
}

/** "Herrn" / "Familie" / "Spett.le" alone on a line: the buyer's name is under it (or after it: "Madame Claire MARTIN"). */
function salutationParty(lines: Line[]): string | null {
  for (const [index, line] of lines.slice(0, 25).entries()) {
    const first = line.cells[0];
    if (!first) continue;
    if (recipientSalutation.test(first.folded.replace(/[:,]$/, ''))) {
      const below = nameBelow(lines, index, first);
      if (below) return below;
    }
    const words = first.folded.split(/\s+/);
    if (words.length >= 3 && /^(?:madame|monsieur|mme|herrn?|frau|mr\.?|mrs\.?|ms\.?|mevr\.?|mevrouw|dhr\.?|de\s*heer|sig\.?(?:ra)?|sr\.?|sra\.?|pan|pani)$/.test(words[0]!) && isPartyName(first.text)) {
      return cleanName(first.text);
    }
  }
  return null;
}

/**
 * The sender line of a DIN 5008 window envelope: the sender's address on one line over the
 * recipient's ("Name · Street · 12345 City", "QualityHosting AG - Uferweg 40-42 - D-63571
 * Gelnhausen"): three parts at least, the first a name.
 */
function senderLine(lines: Line[]): { index: number; sender: string } | null {
  for (const [index, line] of lines.slice(0, 20).entries()) {
    const dotted = /\s[·|•]\s/.test(line.text);
    const parts = line.text.trim().split(dotted ? /\s+[·|•]\s+/ : /\s+[-–]\s+/);
    // Name · street · town: a first part with a digit is an address line of a letterhead.
    if (parts.length < 3 || parts[0]!.length < 4 || /\d/.test(parts[0]!)) continue;
    if (parts.slice(1).some((part) => /(?:^|\s)(?:[A-Z]{1,2}-)?\d{4,5}\s+\p{L}/u.test(part))) return { index, sender: cleanName(parts[0]!) };
  }
  return null;
}

/** The seller named by the sender line over the window address, when there is one. */
function senderLineIssuer(lines: Line[]): string | null {
  const sender = senderLine(lines)?.sender;
  return sender !== undefined && isPartyName(sender) ? sender : null;
}

/**
 * Who the payment goes to: "payable to X", "in favor of" and the name under it, or the account
 * holder of bank details ("Titulaire du compte : NETPRESSE" beside an IBAN or a bank's name).
 */
function payee(lines: Line[]): string | null {
  for (const [index, line] of lines.entries()) {
    for (const cell of line.cells) {
      const holder = accountHolder.exec(cell.folded);
      const match = payTo.exec(cell.folded) ?? (holder && nearBankDetails(lines, index) ? holder : null);
      if (!match) continue;
      const rest = cleanName(cell.text.slice(match.index + match[0].length));
      if (rest !== '') return isPartyName(rest) ? rest : null;
      const next = lines[index + 1]?.cells[0];
      const name = next ? cleanName(next.text) : '';
      return isPartyName(name) ? name : null;
    }
  }
  return null;
}

const payTo = new RegExp(`(?:^|[\\s–-])(?:${payeeLabel.source})\\s*:?\\s*`, 'u');
const accountHolder = new RegExp(`(?:^|[\\s–-])(?:${accountHolderLabel.source})\\s*:?\\s*`, 'u');

function nearBankDetails(lines: Line[], index: number): boolean {
  return lines.slice(Math.max(0, index - 1), index + 3).some((line) => bankWords.test(fold(line.text)));
}

/** A DIN 5008 window envelope: a one-line sender address, then the recipient block. */
function windowAddressParty(lines: Line[]): string | null {
  const sender = senderLine(lines);
  if (sender) {
    const index = sender.index;
    for (const next of lines.slice(index + 1, index + 4)) {
      const first = next.cells[0];
      if (!first) continue;
      if (recipientSalutation.test(first.folded.replace(/[:,]$/, '')) || /^an$/.test(first.folded)) continue;
      const name = cleanName(first.text);
      return isPartyName(name) ? name : null;
    }
  }
  return null;
}

const buyerLabelAlone = new RegExp(`^(?:${buyerLabel.source})(?![\\p{L}\\p{N}])[\\s:.]*$`, 'u');

/** The cells of the block under a buyer label, so the seller search does not take the buyer's address for a letterhead. */
function buyerBlock(lines: Line[]): Set<string> {
  const cells = new Set<string>();
  for (const [index, line] of lines.entries()) {
    for (const cell of line.cells) {
      if (!buyerLabelAlone.test(cell.folded)) continue;
      for (const [offset, below] of lines.slice(index + 1, index + 6).entries()) {
        const under = columnCell(below, cell);
        if (under) cells.add(`${index + 1 + offset}:${under.start}`);
      }
    }
  }
  return cells;
}

const notAName = new RegExp(
  `^(?:${partySectionPrefix.source})?(?:${[invoiceNumberLabel, issueDateLabel, dueDateLabel, buyerLabel, issuerLabel].map((label) => label.source).join('|')})(?![\\p{L}])|^(?:${documentTitle.source})(?![\\p{L}])|^(?:ship(?:ping)?\\s*(?:to|address)|deliver(?:y)?\\s*(?:to|address)|lieferadresse|lieferanschrift|afleveradres|odbiorca|adresse\\s*de\\s*livraison|page|seite|pagina|strona|p\\.?\\s?iva|vat|tax|tel|phone|fax|e-?mail|iban|bic|swift|gstin|pan|nif|nie|cif|nip|regon|kvk|siret|siren|btw|ust|mwst|steuer|cnpj|cpf|www|http|original|copy|copia|kopie|duplicate|oryginal|consumidor\\s+final|cliente\\s+final|cash\\s+customer|walk-?in\\s+customer|barverkauf|client\\s+comptant)(?![\\p{L}])`,
  'u',
);

/** A plausible party name: has letters, is not a label, a title, a date, an amount, an address line or a contact. */
export function isPartyName(value: string, labelled = false): boolean {
  const text = value.trim();
  const folded = fold(text);
  if (!/\p{L}{2}/u.test(text) || text.length > 70 || text.length < 3) return false;
  if (/^[\p{L} .#/()'-]{2,40}:/u.test(text) || text.endsWith(':')) return false; // another label
  if (/@|https?:|www\.|\+?\d[\d ()/-]{7,}/.test(text)) return false; // contact
  // An address, a reference, a date; a name right after its label may carry a number ("Comunidad Calle Mayor 5").
  if (/\d/.test(text) && !companySuffix.test(text) && (!labelled || /^\d|\b\d{4,}\b/.test(text))) return false;
  // "Lieferant GmbH": a label word with a legal form is a company's name.
  if (/^[([]/.test(text) || parseDate(text) !== null || (notAName.test(folded) && !(companySuffix.test(text) && /\s/.test(text)))) return false;
  if (/^(?:str\.|strasse|rue|avenue|via|calle|rua|ul\.|plac|piazza|avda\.)/u.test(folded)) return false;
  return true;
}

const bareLabel = new RegExp(`^(?:${buyerLabel.source}|${issuerLabel.source})\\s*:?$`, 'u');

function isBareLabel(folded: string): boolean {
  return bareLabel.test(folded);
}

/** Legal forms that end a company name: words after one belong to something else ("Elektro Schmitt GmbH Meisterbetrieb"). */
const legalFormThenMore =
  /^(.*?[\s,](?:gmbh|ltd|limited|llc|inc|corp|sarl|s\.a\.r\.l\.|s\.a\.s\.|s\.l\.|s\.r\.l\.|s\.p\.a\.|sp\.\s?z\s?o\.\s?o\.|b\.v\.|n\.v\.|lda|ltda|pty\.?\s+ltd|pvt\.?\s+ltd|plc|llp|kg|ohg|bv|nv|vof)\.?(?:\s*&\s*co\.?(?:\s*kg)?)?)\s+(?!&|(?:kg|co|ag|cie)(?!\p{L}))\p{L}.*$/iu;

/** Labels that may follow a name on the same line when columns were read as one (OCR): the name ends there. */
const nextLabel = new RegExp(
  `\\s(?:${[invoiceNumberLabel, issueDateLabel, dueDateLabel].map((label) => label.source).join('|')}|(?:date|datum|fecha|data|tel|phone|vat|gstin|nip|nif)\\s*[:.])`,
  'u',
);

function cleanName(value: string): string {
  let name = value.replace(/\s{2,}.*$/, '');
  const labelAt = fold(name).search(nextLabel);
  if (labelAt > 0) name = name.slice(0, labelAt);
  // "Oakfield Lettings Ltd, 12 High Street, York YO1 8AA": the address follows the name after a comma.
  const address = name.search(/,\s*(?=[^,]*\d)/);
  if (address > 0 && !/^,\s*(?:s\.|sp\.|inc|ltd|llc|lda|unipessoal)/iu.test(name.slice(address))) name = name.slice(0, address);
  return name.replace(legalFormThenMore, '$1').replace(/[,;:]+$/, '').trim();
}
