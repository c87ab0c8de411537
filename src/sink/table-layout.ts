import { z } from 'zod';
import type { LoadedSchema } from '../extraction/schemas';

/**
 * The PostgreSQL tables of one extraction schema, derived from it (pure: no database here).
 *
 * `docbatch_<schema>` holds one current row per (collection, document): the latest extraction of
 * that path or key. `docbatch_<schema>_history` holds one row per (collection, document, batch):
 * every extraction of it, so a changed document's earlier results stay queryable. Both carry the
 * same columns: the fixed ones below, then one typed column per top-level scalar field of the
 * schema (invoice: invoice_number, issue_date, …, total) and one jsonb column per top-level list or
 * object (line_items); the whole result is in `result` as well.
 */

/** The SQL types a column can have, as information_schema.columns.data_type names them. */
export type ColumnType = 'text' | 'date' | 'timestamp with time zone' | 'numeric' | 'bigint' | 'integer' | 'boolean' | 'jsonb';

export interface SinkColumn {
  name: string;
  type: ColumnType;
  /** The top-level field of the data it holds (schema columns only). */
  field?: string;
}

export interface TableLayout {
  schemaName: string;
  table: string;
  historyTable: string;
  /** Every column, fixed ones first, in the order they are written. */
  columns: SinkColumn[];
  /** The schema's own columns (a subset of `columns`). */
  fieldColumns: SinkColumn[];
}

/** The columns every docbatch table has, whatever the schema. */
export const fixedColumns: readonly SinkColumn[] = [
  { name: 'collection', type: 'text' },
  /** The document's path or key, as in results.jsonl. */
  { name: 'document', type: 'text' },
  { name: 'content_sha256', type: 'text' },
  { name: 'batch_id', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'failure_type', type: 'text' },
  { name: 'failure_reason', type: 'text' },
  { name: 'needs_review', type: 'boolean' },
  { name: 'warnings', type: 'jsonb' },
  { name: 'model', type: 'text' },
  { name: 'cached', type: 'boolean' },
  { name: 'attempts', type: 'integer' },
  { name: 'input_tokens', type: 'bigint' },
  { name: 'output_tokens', type: 'bigint' },
  { name: 'cache_read_tokens', type: 'bigint' },
  { name: 'cache_write_tokens', type: 'bigint' },
  { name: 'cost_usd', type: 'numeric' },
  { name: 'duration_ms', type: 'numeric' },
  { name: 'finished_at', type: 'timestamp with time zone' },
  { name: 'written_at', type: 'timestamp with time zone' },
  { name: 'result', type: 'jsonb' },
];

type JsonSchemaNode = { type?: string | string[]; format?: string; pattern?: string; anyOf?: JsonSchemaNode[]; oneOf?: JsonSchemaNode[] };

export function tableLayout(schema: Pick<LoadedSchema, 'name' | 'schema'>): TableLayout {
  const base = `docbatch_${identifierPart(schema.name)}`;
  const taken = new Set(fixedColumns.map((column) => column.name));
  const json = z.toJSONSchema(schema.schema, { unrepresentable: 'any' }) as { properties?: Record<string, JsonSchemaNode> };
  const fieldColumns = Object.entries(json.properties ?? {}).map(([field, node]): SinkColumn => {
    let name = snakeCase(field);
    // A field named like a fixed column (a schema with its own `status`) keeps both.
    if (taken.has(name)) name = `field_${name}`;
    taken.add(name);
    return { name, type: columnTypeOf(node), field };
  });
  return { schemaName: schema.name, table: base, historyTable: `${base}_history`, columns: [...fixedColumns, ...fieldColumns], fieldColumns };
}

/** The SQL type a top-level field's values fit: scalars typed, lists and objects as jsonb. */
export function columnTypeOf(node: JsonSchemaNode): ColumnType {
  const members = [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])].filter((member) => member.type !== undefined && member.type !== 'null');
  const types = new Set(members.flatMap((member) => [member.type!].flat()).filter((type) => type !== 'null'));
  if (types.size !== 1) return 'jsonb';
  const [type] = [...types];
  if (type === 'string') {
    const formats = members.map((member) => member.format);
    if (formats.includes('date') || members.some((member) => member.pattern === '^\\d{4}-\\d{2}-\\d{2}$')) return 'date';
    if (formats.includes('date-time')) return 'timestamp with time zone';
    return 'text';
  }
  if (type === 'number') return 'numeric';
  if (type === 'integer') return 'bigint';
  if (type === 'boolean') return 'boolean';
  return 'jsonb';
}

/** The value a field column gets: a value of its type (jsonb: the value itself), or null (a date that is not one, a string in a numeric column). */
export function fieldValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'jsonb':
      return value;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : null;
    case 'timestamp with time zone':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'bigint':
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'text':
      return typeof value === 'string' ? value : null;
  }
}

/** The SQL for a column's type (what CREATE and ALTER say). */
export function sqlType(type: ColumnType): string {
  return type === 'timestamp with time zone' ? 'timestamptz' : type;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function snakeCase(field: string): string {
  return identifierPart(field.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
}

/** Lowercase letters, digits and underscores, short enough for PostgreSQL's 63-byte names with a suffix. */
function identifierPart(name: string): string {
  const part = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return part === '' ? 'schema' : /^[0-9]/.test(part) ? `_${part}` : part;
}
