import { z } from 'zod';

/** One CSV column of a schema: a leaf field by its path ("issuer.name"), or a list as JSON. */
export interface SchemaColumn {
  name: string;
  path: readonly string[];
  /** A list (or an object without declared properties): one column holding its JSON. */
  json: boolean;
}

type JsonSchemaNode = {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
};

/**
 * The CSV columns a schema's data flattens into, derived from its JSON Schema: nested objects as
 * dotted columns (`address.city`), lists as one column of JSON (a list has no fixed width).
 */
export function schemaColumns(schema: z.ZodObject): SchemaColumn[] {
  return columnsOf(z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchemaNode, []);
}

function columnsOf(node: JsonSchemaNode, prefix: string[]): SchemaColumn[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = [...prefix, key];
    const object = objectMember(child);
    if (object) return columnsOf(object, path);
    return [{ name: path.join('.'), path, json: !isScalar(child) }];
  });
}

/** The object shape of a node (also of a nullable object, `anyOf: [object, null]`). */
function objectMember(node: JsonSchemaNode): JsonSchemaNode | undefined {
  if (node.properties && Object.keys(node.properties).length > 0) return node;
  return [...(node.anyOf ?? []), ...(node.oneOf ?? [])].find((member) => member.properties && Object.keys(member.properties).length > 0);
}

function isScalar(node: JsonSchemaNode): boolean {
  const types = [node.type, ...[...(node.anyOf ?? []), ...(node.oneOf ?? [])].map((member) => member.type)].flat().filter((type) => type !== undefined);
  return types.length > 0 && types.every((type) => type === 'string' || type === 'number' || type === 'integer' || type === 'boolean' || type === 'null');
}

/** The value of a column in a document's data, ready for a CSV cell ('' when absent). */
export function columnValue(data: Record<string, unknown>, column: SchemaColumn): string | number | boolean {
  let value: unknown = data;
  for (const key of column.path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return value as string | number | boolean;
}

/** Whether a document filled a column: a value, or a list with at least one entry. */
export function isFilled(data: Record<string, unknown>, column: SchemaColumn): boolean {
  const value = columnValue(data, column);
  return value !== '' && value !== '[]' && value !== '{}';
}
