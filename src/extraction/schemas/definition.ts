import type { z } from 'zod';

/** The extractors docbatch has; a schema says which of them can fill it. */
export const extractorNames = ['local', 'anthropic'] as const;
export type ExtractorName = (typeof extractorNames)[number];

/**
 * A check beyond types: data that validates can still be wrong in a way a clerk sees at a glance
 * (line items that do not add up). `check` returns one message per problem, naming the values.
 */
export interface ConsistencyCheck {
  name: string;
  check(data: Record<string, unknown>): string[];
}

/**
 * Everything docbatch knows about one kind of document, in one module or file: the zod schema
 * (field `.describe()` texts reach the prompt through its JSON Schema), a one-line description,
 * the prompt rules that are specific to it, its consistency checks, and the extractors that can
 * fill it. CSV columns are derived from the schema (columns.ts).
 */
export interface SchemaDefinition {
  name: string;
  description: string;
  schema: z.ZodObject;
  /** Rules for the model about this document type (numbered after the general rules). */
  rules: readonly string[];
  checks: readonly ConsistencyCheck[];
  extractors: readonly ExtractorName[];
}

/** A schema ready to use: its definition and the fingerprint that pins it (fingerprint.ts). */
export interface LoadedSchema extends SchemaDefinition {
  fingerprint: string;
  /** "built-in" or the absolute path of the file it came from. */
  source: string;
}

/** Each failed check as "name: problem", the form warnings and repair turns use. */
export function runChecks(definition: Pick<SchemaDefinition, 'checks'>, data: Record<string, unknown>): string[] {
  return definition.checks.flatMap((check) => {
    try {
      return check.check(data).map((problem) => `${check.name}: ${problem}`);
    } catch (error) {
      // A custom check that throws is a check that failed to run, not a broken document.
      return [`${check.name}: the check itself failed (${error instanceof Error ? error.message : String(error)})`];
    }
  });
}
