import type { z } from 'zod';

/** Each problem of a failed zod parse as one line that names its field: "total: expected number". */
export function schemaIssues(error: z.ZodError, rootLabel = '(root)'): string[] {
  return error.issues.map(describeIssue(rootLabel));
}

export function describeIssue(rootLabel = '(root)') {
  return (issue: z.core.$ZodIssue): string => `${issue.path.length > 0 ? issue.path.join('.') : rootLabel}: ${issue.message}`;
}
