import { z } from 'zod';
import type { SchemaDefinition } from './definition';
import { invoice } from './invoice';
import { receipt } from './receipt';

/**
 * The built-in schemas, by the name `--schema` takes. A new one is a module like invoice.ts and a
 * line here. This module stays free of I/O: the workflow's input schema imports it. Loading a
 * schema file or module, and fingerprints, live in load.ts and fingerprint.ts.
 */
export const builtInSchemas = { invoice, receipt } as const satisfies Record<string, SchemaDefinition>;

export type SchemaName = keyof typeof builtInSchemas;
export const schemaNames = Object.keys(builtInSchemas) as [SchemaName, ...SchemaName[]];

export function isSchemaName(value: string): value is SchemaName {
  return Object.hasOwn(builtInSchemas, value);
}

/**
 * A schema file (JSON Schema, or a JS/TS module exporting a zod schema) by absolute path, pinned
 * by its fingerprint: workers load it and refuse to go on if it changed under the batch.
 */
export const schemaFileReferenceSchema = z.strictObject({
  file: z.string().regex(/^(\/|[A-Za-z]:[\\/])/, 'must be an absolute path (the workers may run in another directory)'),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'expected the 16 hex digits `docbatch` computes (leave it out and planning pins the file as it is then)')
    .optional(),
});
export type SchemaFileReference = z.infer<typeof schemaFileReferenceSchema>;

/** What a batch extracts: a built-in schema's name or a schema file. Plain JSON. */
export const schemaReferenceSchema = z.union([z.enum(schemaNames), schemaFileReferenceSchema]);
export type SchemaReference = z.infer<typeof schemaReferenceSchema>;

/** "invoice", or the file's path: how messages name a schema. */
export function schemaLabel(reference: SchemaReference): string {
  return typeof reference === 'string' ? reference : reference.file;
}

export { runChecks, type ConsistencyCheck, type ExtractorName, type LoadedSchema, type SchemaDefinition } from './definition';
