import { builtInSchemas, isSchemaName, runChecks, schemaLabel, type SchemaReference } from '../extraction/schemas';
import { schemaIssues } from './issues';

/**
 * Why a correction is refused, in the words of both places that refuse one: the update's validator
 * (built-in schemas are pure zod and pure checks, so they run in workflow code and a refused
 * correction never reaches history) and the checkCorrection activity (schema files and modules,
 * which need I/O to load).
 */
export function invalidDataRefusal(schema: SchemaReference, problems: readonly string[]): string {
  return `the data does not fit the ${schemaLabel(schema)} schema: ${problems.join('; ')}`;
}

export function failingChecksRefusal(warnings: readonly string[]): string {
  return `the data still fails ${warnings.length === 1 ? 'a consistency check' : `${warnings.length} consistency checks`}: ${warnings.join('; ')}. Fix the values, or send it with acceptWarnings: true if the document really says so`;
}

/**
 * For a built-in schema, the refusal of a correction's data (null when it parses and passes its
 * checks, or when the reviewer accepted failing checks); null for a schema file, which the
 * activity checks.
 */
export function builtInCorrectionRefusal(schema: SchemaReference, data: Record<string, unknown>, acceptWarnings: boolean): string | null {
  if (typeof schema !== 'string' || !isSchemaName(schema)) return null;
  const definition = builtInSchemas[schema];
  const parsed = definition.schema.safeParse(data);
  if (!parsed.success) return invalidDataRefusal(schema, schemaIssues(parsed.error, '(data)'));
  const warnings = runChecks(definition, parsed.data);
  return warnings.length > 0 && !acceptWarnings ? failingChecksRefusal(warnings) : null;
}
