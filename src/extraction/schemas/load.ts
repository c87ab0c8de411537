import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { namedChecks } from './checks';
import { extractorNames, type ConsistencyCheck, type LoadedSchema, type SchemaDefinition } from './definition';
import { schemaFingerprint } from './fingerprint';
import { builtInSchemas, isSchemaName, schemaNames, type SchemaReference } from './index';

/** A schema that cannot be used: the message names the file, the problem and the fix. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    message: string,
    /** `changed`: the file no longer matches the fingerprint the batch was started with. */
    readonly reason: 'unusable' | 'changed' = 'unusable',
  ) {
    super(message);
  }
}

const moduleExtensions = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/**
 * The schema a reference names, checked against its fingerprint when it carries one. Files are
 * read again on every call (a chunk's worth of documents per call), so a file edited under a
 * running batch is noticed; parsing is memoised by the file's bytes.
 */
export async function loadSchema(reference: SchemaReference): Promise<LoadedSchema> {
  if (typeof reference === 'string') return builtIn(reference);
  const loaded = await loadSchemaFile(reference.file);
  if (reference.fingerprint !== undefined && loaded.fingerprint !== reference.fingerprint) {
    throw new SchemaError(
      `the schema file ${reference.file} changed after the batch started (fingerprint ${reference.fingerprint}, now ${loaded.fingerprint}): documents extracted so far used the old schema. Put the file back as it was and \`docbatch resume <id>\`, or cancel this batch and start a new one with the new schema`,
      'changed',
    );
  }
  return loaded;
}

/**
 * What `--schema <name|file>` means: a built-in name, else a file, resolved against `cwd` and
 * pinned by its fingerprint so the workflow input stays plain JSON.
 */
export async function resolveSchemaArgument(argument: string, cwd = process.cwd()): Promise<{ reference: SchemaReference; schema: LoadedSchema }> {
  if (isSchemaName(argument)) return { reference: argument, schema: builtIn(argument) };
  const file = path.resolve(cwd, argument);
  const schema = await loadSchemaFile(file).catch((error: unknown) => {
    // "--schema recipt" is more likely a misspelt name than a file without an extension.
    if (error instanceof SchemaError && path.extname(argument) === '') {
      throw new SchemaError(`--schema ${argument}: not a built-in schema (${schemaNames.join(', ')}) nor a schema file (${error.message})`);
    }
    throw error;
  });
  return { reference: { file, fingerprint: schema.fingerprint }, schema };
}

const fileCache = new Map<string, { digest: string; schema: LoadedSchema }>();

export async function loadSchemaFile(file: string): Promise<LoadedSchema> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new SchemaError(`cannot read the schema file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  const known = fileCache.get(file);
  if (known?.digest === digest) return known.schema;
  const definition = path.extname(file).toLowerCase() === '.json' ? fromJsonSchemaFile(file, bytes) : await fromModule(file, digest);
  const schema = withFingerprint(definition, file);
  fileCache.set(file, { digest, schema });
  return schema;
}

function builtIn(name: keyof typeof builtInSchemas): LoadedSchema {
  return withFingerprint(builtInSchemas[name], 'built-in');
}

function withFingerprint(definition: SchemaDefinition, source: string): LoadedSchema {
  let fingerprint: string;
  try {
    fingerprint = schemaFingerprint(definition);
  } catch (error) {
    throw new SchemaError(`${source}: the schema cannot be written as JSON Schema for the model (${error instanceof Error ? error.message : String(error)}): use plain JSON types (strings, numbers, booleans, enums, objects, arrays, nullable)`);
  }
  return { ...definition, fingerprint, source };
}

/**
 * A JSON Schema file. Besides the schema itself: `description` (what the document is), and the
 * docbatch extensions `x-docbatch-rules` (prompt rules, strings) and `x-docbatch-checks` (names of
 * the standard checks in checks.ts, applied with the invoice field names: lineItems, subtotal,
 * tax, total, currency, issueDate, dueDate). Only Claude fills a custom schema.
 */
function fromJsonSchemaFile(file: string, bytes: Buffer): SchemaDefinition {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SchemaError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const extensions = jsonSchemaExtensions.safeParse(json);
  if (!extensions.success) {
    throw new SchemaError(`${file}: ${extensions.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new SchemaError(`${file} is not a JSON Schema docbatch can use: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!(schema instanceof z.ZodObject)) throw new SchemaError(`${file}: the schema's root must be {"type": "object", "properties": {...}}`);
  const { description, 'x-docbatch-rules': rules, 'x-docbatch-checks': checks } = extensions.data;
  return {
    name: path.basename(file, path.extname(file)),
    description: description ?? `a document described by the JSON Schema ${path.basename(file)}`,
    schema,
    rules,
    checks: checks.map((name) => namedChecks[name]!()),
    extractors: ['anthropic'],
  };
}

const jsonSchemaExtensions = z.looseObject({
  type: z.literal('object', { error: 'the schema\'s root must be {"type": "object", "properties": {...}}' }),
  description: z.string().optional(),
  'x-docbatch-rules': z.array(z.string()).default([]),
  'x-docbatch-checks': z
    .array(z.string().refine((name) => Object.hasOwn(namedChecks, name), { error: `expected one of ${Object.keys(namedChecks).join(', ')}` }))
    .default([]),
});

const moduleExportsSchema = z.object({
  name: z.string().min(1).optional(),
  description: z.string().min(1).optional(),
  rules: z.union([z.string(), z.array(z.string())]).optional(),
  checks: z.array(z.union([z.object({ name: z.string().min(1), check: z.function() }), z.function()])).optional(),
  extractors: z.array(z.enum(extractorNames)).min(1).optional(),
});

/**
 * A JS/TS module: `export const schema = z.object({...})` (or the default export), and optionally
 * `description`, `rules` (string or strings), `checks` ({name, check(data) => string[]} or
 * functions of data) and `extractors` (default: anthropic only).
 */
async function fromModule(file: string, digest: string): Promise<SchemaDefinition> {
  if (!moduleExtensions.includes(path.extname(file).toLowerCase())) {
    throw new SchemaError(`${file}: a schema file is a JSON Schema (.json) or a module exporting a zod schema (${moduleExtensions.join(', ')})`);
  }
  let exported: Record<string, unknown>;
  try {
    // The digest in the URL makes an edited file load anew rather than from the module cache.
    exported = (await import(`${pathToFileURL(file).href}?fingerprint=${digest.slice(0, 16)}`)) as Record<string, unknown>;
  } catch (error) {
    throw new SchemaError(`cannot load the schema module ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const schema = exported.schema ?? exported.default;
  if (!isZodObject(schema)) {
    throw new SchemaError(`${file} must export a zod object schema as \`schema\` (or as the default export), made with the same zod 4 docbatch uses`);
  }
  const parsed = moduleExportsSchema.safeParse(exported);
  if (!parsed.success) {
    throw new SchemaError(`${file}: ${parsed.error.issues.map((issue) => `export ${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const { name, description, rules, checks, extractors } = parsed.data;
  return {
    name: name ?? path.basename(file, path.extname(file)),
    description: description ?? schema.description ?? `a document described by ${path.basename(file)}`,
    schema,
    rules: typeof rules === 'string' ? [rules] : (rules ?? []),
    checks: (checks ?? []).map(toCheck),
    extractors: extractors ?? ['anthropic'],
  };
}

/** A zod 4 object schema, also one made by another copy of zod (a module outside this project resolves its own). */
function isZodObject(value: unknown): value is z.ZodObject {
  if (value instanceof z.ZodObject) return true;
  const internals = (value as { _zod?: { def?: { type?: unknown } } } | null)?._zod;
  return typeof value === 'object' && internals?.def?.type === 'object';
}

function toCheck(check: unknown, index: number): ConsistencyCheck {
  if (typeof check === 'function') {
    const run = check as (data: Record<string, unknown>) => unknown;
    return { name: run.name || `check ${index + 1}`, check: (data) => problems(run(data)) };
  }
  const { name, check: run } = check as { name: string; check: (data: Record<string, unknown>) => unknown };
  return { name, check: (data) => problems(run(data)) };
}

/** A custom check may return a message, a list of messages, or nothing when the data is fine. */
function problems(result: unknown): string[] {
  if (result === undefined || result === null || result === true || result === '') return [];
  if (typeof result === 'string') return [result];
  if (Array.isArray(result)) return result.filter((item): item is string => typeof item === 'string' && item !== '');
  if (result === false) return ['failed'];
  // A plain object reads better as JSON than as "[object Object]"; an Error keeps its "Error: message".
  if (typeof result === 'object' && !(result instanceof Error)) return [JSON.stringify(result)];
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only an Error or a scalar is left here; the rule cannot narrow unknown.
  return [String(result)];
}
