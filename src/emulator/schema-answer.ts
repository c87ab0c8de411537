import type { Invoice } from '../extraction/schemas/invoice';

/** A JSON Schema node, as much of it as the emulator reads. */
interface Node {
  type?: string | string[];
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  enum?: unknown[];
  pattern?: string;
  description?: string;
  $ref?: string;
}

/** Other names schemas give the invoice's fields (a receipt's merchant is an invoice's issuer). */
const aliases: Record<string, keyof Invoice> = {
  merchant: 'issuer',
  vendor: 'issuer',
  seller: 'issuer',
  supplier: 'issuer',
  store: 'issuer',
  customer: 'buyer',
  client: 'buyer',
  billTo: 'buyer',
  date: 'issueDate',
  invoiceDate: 'issueDate',
  documentDate: 'issueDate',
  number: 'invoiceNumber',
  documentNumber: 'invoiceNumber',
  items: 'lineItems',
  lines: 'lineItems',
  totalAmount: 'total',
  amountDue: 'total',
  grandTotal: 'total',
  netAmount: 'subtotal',
  taxAmount: 'tax',
  vat: 'tax',
};

/**
 * The emulated model's answer for any JSON Schema: each property from what the local invoice
 * parser read (by name or a common alias), else from a "Label: value" line of the document's text
 * whose label is the property's name in words or its description; values that do not fit the
 * property's type, enum or pattern are null (the real model is told the same). A schema the
 * emulator has never seen thus gets a valid, document-derived answer.
 */
export function answerForSchema(schema: unknown, invoice: Invoice, text: string): Record<string, unknown> {
  const root = resolveRefs(schema, schema) as Node;
  // A tool or format without declared properties: the model answers what it read, the invoice.
  if (Object.keys(root.properties ?? {}).length === 0) return invoice;
  return fillObject(root, invoice, text);
}

/** The schema with local `$ref`s ("#/$defs/x", as the SDK writes shared types) replaced by what they point to. */
function resolveRefs(node: unknown, root: unknown, depth = 0): unknown {
  if (depth > 32 || typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, root, depth + 1));
  const ref = (node as Node).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
    return resolveRefs(target ?? {}, root, depth + 1);
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolveRefs(value, root, depth + 1)]));
}

function fillObject(node: Node, source: Record<string, unknown>, text: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node.properties ?? {}).map(([key, child]) => [key, fill(key, child, source, text)]));
}

function fill(key: string, node: Node, source: Record<string, unknown>, text: string): unknown {
  const known = source[key] !== undefined ? source[key] : aliases[key] !== undefined ? source[aliases[key]] : undefined;
  const object = memberOf(node, 'object');
  if (object?.properties) {
    const nested = typeof known === 'object' && known !== null && !Array.isArray(known) ? (known as Record<string, unknown>) : { name: known };
    const value = fillObject(object, nested, text);
    return Object.values(value).every((entry) => entry === null) && accepts(node, 'null') ? null : value;
  }
  const array = memberOf(node, 'array');
  if (array) {
    if (!Array.isArray(known)) return [];
    const itemNode = array.items ?? {};
    const itemObject = memberOf(itemNode, 'object');
    return known.map((item) => (itemObject && typeof item === 'object' && item !== null ? fillObject(itemObject, item as Record<string, unknown>, '') : coerce(item, itemNode))).filter((item) => item !== null);
  }
  const value = coerce(known ?? labelled(text, key, node.description), node);
  if (value !== null || accepts(node, 'null')) return value;
  return fallback(node);
}

/** The member of a node of this type (a nullable object is anyOf [object, null]). */
function memberOf(node: Node, type: string): Node | undefined {
  if (types(node).includes(type)) return node;
  return [...(node.anyOf ?? []), ...(node.oneOf ?? [])].find((member) => types(member).includes(type));
}

function types(node: Node): string[] {
  return node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
}

function accepts(node: Node, type: string): boolean {
  return memberOf(node, type) !== undefined || (node.enum?.includes(null) ?? false);
}

/** A JSON value as text: scalars as themselves, objects and arrays as JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** The value in the node's type, or null when it does not fit. */
function coerce(value: unknown, node: Node): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (node.enum) return node.enum.find((option) => String(option).toLowerCase() === textOf(value).toLowerCase()) ?? null;
  const scalar = [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])].find((member) => types(member).some((type) => type !== 'null'));
  const type = scalar ? types(scalar).find((each) => each !== 'null') : undefined;
  if (type === 'number' || type === 'integer') {
    const number = typeof value === 'number' ? value : parseAmount(textOf(value));
    if (number === null) return null;
    return type === 'integer' ? Math.round(number) : number;
  }
  if (type === 'boolean') return typeof value === 'boolean' ? value : /^(yes|true|y|x)$/i.test(textOf(value).trim()) ? true : /^(no|false|n)$/i.test(textOf(value).trim()) ? false : null;
  if (type === 'string') {
    const string = textOf(value).trim();
    const pattern = scalar?.pattern;
    return pattern === undefined || new RegExp(pattern).test(string) ? string : null;
  }
  return null;
}

/** The value of a "Label: value" line whose label is the key in words ("paymentMethod" -> "payment method") or the description. */
function labelled(text: string, key: string, description: string | undefined): string | null {
  if (text === '') return null;
  const labels = [key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' '), ...(description ? [description] : [])];
  for (const label of labels) {
    const words = label.trim().split(/\s+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const match = new RegExp(`^[ \\t]*${words.join('[ \\t]+')}[ \\t]*[:#][ \\t]*(.+?)[ \\t]*$`, 'im').exec(text);
    if (match) return match[1]!;
  }
  return null;
}

function parseAmount(text: string): number | null {
  const match = /-?\d[\d,. ]*/.exec(text);
  if (!match) return null;
  let digits = match[0].replace(/\s/g, '');
  // "1.234,56" and "1,234.56": the last separator with two digits after it is the decimal one.
  const decimal = /[.,](\d{1,2})$/.exec(digits);
  digits = decimal ? `${digits.slice(0, decimal.index).replace(/[.,]/g, '')}.${decimal[1]}` : digits.replace(/[.,]/g, '');
  const number = Number(digits);
  return Number.isFinite(number) ? number : null;
}

function fallback(node: Node): unknown {
  if (node.enum && node.enum.length > 0) return node.enum[0];
  const type = types(node)[0];
  if (type === 'number' || type === 'integer') return 0;
  if (type === 'boolean') return false;
  return 'unknown';
}
