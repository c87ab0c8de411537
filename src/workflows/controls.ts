import { ApplicationFailure, log } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ChunkCounts } from '../activities/contracts';
import { addUsage, zeroUsage } from '../extraction/usage';
import { failureTypes } from './messages';
import { schemaIssues } from '../extraction/schemas/issues';

/** Pure helpers behind the workflow's message handlers and counters. */

export function emptyCounts(): ChunkCounts {
  return { documents: 0, succeeded: 0, failed: 0, cached: 0, usage: { ...zeroUsage } };
}

export function addCounts(a: ChunkCounts, b: ChunkCounts): ChunkCounts {
  return {
    documents: a.documents + b.documents,
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    cached: a.cached + b.cached,
    usage: addUsage(a.usage, b.usage),
  };
}

/**
 * The reason to stop when failures pass the tolerated share, or null. Measured against the whole
 * batch, so stopping early never fails a batch that would have ended within its tolerance.
 */
export function tolerance(failed: number, total: number, toleratedPercent: number): string | null {
  if (toleratedPercent >= 100 || total === 0) return null;
  const percent = (failed / total) * 100;
  if (percent <= toleratedPercent) return null;
  return `${failed} of ${total} documents failed (${percent.toFixed(1)}%), more than the tolerated ${toleratedPercent}%: see failures.jsonl, fix the cause, then redrive the batch`;
}

export function rejectUpdate(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: failureTypes.rejectedUpdate, message, nonRetryable: true });
}

/** The arguments of an update, or a rejection listing what is wrong with them. */
export function parseUpdateArgs<S extends z.ZodType>(schema: S, args: unknown): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  throw rejectUpdate(schemaIssues(parsed.error, '(arguments)').join('; '));
}

/** A signal with a bad payload is logged and ignored: it must never break the workflow. */
export function validateArgs<S extends z.ZodType>(schema: S, args: unknown, name: string, apply: (value: z.infer<S>) => unknown): void {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    log.warn(`ignoring ${name} signal with an invalid payload`, { problems: schemaIssues(parsed.error, '(payload)') });
    return;
  }
  apply(parsed.data);
}
