import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A parsed XML element: child elements by local name (namespace prefixes dropped), `#text`, `@_attributes`. */
export type XmlNode = { [name: string]: unknown };

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Values stay strings: "00123" is an invoice number, not 123; amounts are parsed where read.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Parses well-formed XML, or throws an Error saying where it is not. */
export function parseXml(xml: string): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg.replace(/\s+/g, ' ')} (line ${valid.err.line})`);
  return parser.parse(xml) as XmlNode;
}

/** Every child of `node` named `name` (the parser gives one child as an object, several as an array). */
export function children(node: unknown, name: string): XmlNode[] {
  if (node === null || typeof node !== 'object') return [];
  const value = (node as XmlNode)[name];
  if (value === undefined) return [];
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  return entries.map((entry) => (typeof entry === 'object' && entry !== null ? (entry as XmlNode) : { '#text': entry }));
}

/** The first element at a path of local names below `node`, or undefined. */
export function at(node: unknown, ...path: string[]): XmlNode | undefined {
  let current: XmlNode[] = node === undefined ? [] : [node as XmlNode];
  for (const name of path) {
    current = current.flatMap((entry) => children(entry, name));
    if (current.length === 0) return undefined;
  }
  return current[0];
}

/** Every element at a path of local names below `node`. */
export function all(node: unknown, ...path: string[]): XmlNode[] {
  let current: XmlNode[] = node === undefined ? [] : [node as XmlNode];
  for (const name of path) current = current.flatMap((entry) => children(entry, name));
  return current;
}

/** An element's text, trimmed; null when absent or empty. */
export function text(node: XmlNode | undefined): string | null {
  const value = node?.['#text'];
  if (!isXmlValue(value)) return null;
  const string = String(value).trim();
  return string === '' ? null : string;
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return isXmlValue(value) ? String(value) : undefined;
}

/** The parser gives text and attribute values as strings, or as numbers and booleans where they parse as such. */
function isXmlValue(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * An XML decimal (xs:decimal: optional sign, digits, optional fraction, no grouping), or null when
 * absent; throws on anything else, since a total we cannot read must not become a guess.
 */
export function decimal(node: XmlNode | undefined, what: string): number | null {
  const value = text(node);
  if (value === null) return null;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) throw new Error(`${what} is "${value}", not a decimal number`);
  return Number(value);
}
