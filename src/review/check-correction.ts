import type { CheckCorrectionResult } from '../batch/review';
import { schemaIssues } from '../batch/issues';
import { runChecks } from '../extraction/schemas';
import { loadSchema } from '../extraction/schemas/load';
import type { SchemaReference } from '../extraction/schemas';
import { appendCorrection, batchStorage, readResults } from './batch-outputs';

export interface CheckCorrectionRequest {
  batchLocation: string;
  schema: SchemaReference;
  document: number;
  data: Record<string, unknown>;
  correctionId: string;
  by: string;
  at: string;
  acceptWarnings: boolean;
}

/**
 * The checkCorrection activity: parses a reviewer's data against the batch's schema (the same zod
 * contract the extractors answer to) and runs its consistency checks. A correction that parses
 * and passes (or whose failing checks the reviewer accepted) is appended to review/corrections
 * with the fields it changed; the workflow records the decision only after that.
 */
export async function checkCorrection(request: CheckCorrectionRequest): Promise<CheckCorrectionResult> {
  const schema = await loadSchema(request.schema);
  const parsed = schema.schema.safeParse(request.data);
  if (!parsed.success) return { outcome: 'invalid', problems: schemaIssues(parsed.error, '(data)') };
  const data = parsed.data;
  const warnings = runChecks(schema, data);
  if (warnings.length > 0 && !request.acceptWarnings) return { outcome: 'fails_checks', warnings };

  const storage = batchStorage(request.batchLocation);
  const original = (await readResults(storage, request.batchLocation.split("/").pop() ?? request.batchLocation)).find((result) => result.index === request.document);
  const changedFields = changedFieldsOf(original?.data ?? null, data);
  await appendCorrection(storage, { id: request.correctionId, document: request.document, by: request.by, at: request.at, data, changedFields, warnings });
  return { outcome: 'recorded', changedFields, warnings };
}

/** The top-level fields whose values differ (every field of a document that had no data). */
export function changedFieldsOf(before: Record<string, unknown> | null, after: Record<string, unknown>): string[] {
  if (before === null) return Object.keys(after).filter((key) => after[key] !== null && !(Array.isArray(after[key]) && after[key].length === 0));
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.filter((key) => canonical(before[key] ?? null) !== canonical(after[key] ?? null));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
