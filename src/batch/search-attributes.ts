import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes docbatch keeps on each batch, so people can filter batches in the Web
 * UI and with `temporal workflow list --query "DocbatchState='running'"`. The dev server registers
 * them at start (src/temporal); a production cluster needs `temporal operator search-attribute create`.
 */
export const DocbatchState = defineSearchAttributeKey('DocbatchState', SearchAttributeType.KEYWORD);
// DOUBLE, not INT: SQL visibility (the dev server's SQLite, a cluster's PostgreSQL) has only 3 Int
// slots per namespace, and docbatch's other three counters take them.
export const DocbatchPercent = defineSearchAttributeKey('DocbatchPercent', SearchAttributeType.DOUBLE);
export const DocbatchDocuments = defineSearchAttributeKey('DocbatchDocuments', SearchAttributeType.INT);
export const DocbatchFailed = defineSearchAttributeKey('DocbatchFailed', SearchAttributeType.INT);
export const DocbatchPriority = defineSearchAttributeKey('DocbatchPriority', SearchAttributeType.INT);
/** A batch review's documents still waiting for a decision (DOUBLE for the same reason as DocbatchPercent). */
export const DocbatchReviewPending = defineSearchAttributeKey('DocbatchReviewPending', SearchAttributeType.DOUBLE);

export const docbatchSearchAttributes = [
  DocbatchState,
  DocbatchPercent,
  DocbatchDocuments,
  DocbatchFailed,
  DocbatchPriority,
  DocbatchReviewPending,
] as const;

/** The `temporal` CLI's name for each type, for `--search-attribute Name=Type`. */
export const cliSearchAttributeTypes: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
};
