/**
 * Merges the extractions of the parts of a split document into one, in page order:
 * - list fields (line items) are the parts' lists concatenated;
 * - every other field takes the value of the first part that has one (not null): header fields
 *   (number, dates, parties) sit on the first pages, and a later part's null means "not on my
 *   pages", not "absent". Totals printed only on the last page are taken from there for the same
 *   reason.
 * The merged object is validated against the schema again by the caller.
 */
export function mergePartData(parts: readonly Record<string, unknown>[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const key of new Set(parts.flatMap((part) => Object.keys(part)))) {
    const values = parts.map((part) => part[key]);
    if (values.some(Array.isArray)) {
      merged[key] = values.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : []));
    } else {
      merged[key] = values.find((value) => value !== null && value !== undefined) ?? null;
    }
  }
  return merged;
}
