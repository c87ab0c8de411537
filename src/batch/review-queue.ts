import type { ReviewCounts, ReviewItem, ReviewStatus } from './review';

/** Who decided when a message names nobody (the Temporal CLI, a script). */
export const anonymousReviewer = 'unknown';

export type Decision =
  | { action: 'approve' }
  | { action: 'correct'; changedFields: string[]; correctionId: string; acceptedWarnings: string[] }
  | { action: 'reject'; reason: string }
  | { action: 'reopen' };

/**
 * The review queue: the documents under review and the rule for each decision on them. Pure and
 * deterministic (the workflow owns one; the unit tests drive it directly): `refusal` says why a
 * decision cannot be taken now, `decide` takes it.
 */
export class ReviewQueue {
  private readonly items = new Map<number, ReviewItem>();

  constructor(
    readonly batchId: string,
    items: readonly ReviewItem[],
  ) {
    for (const item of items) this.items.set(item.index, { ...item });
  }

  list(): ReviewItem[] {
    return [...this.items.values()].sort((a, b) => a.index - b.index);
  }

  get(index: number): ReviewItem | undefined {
    return this.items.get(index);
  }

  counts(): ReviewCounts {
    const counts: ReviewCounts = { total: this.items.size, pending: 0, approved: 0, corrected: 0, rejected: 0 };
    for (const item of this.items.values()) counts[item.status]++;
    return counts;
  }

  /** Why `action` cannot be taken on `index` now, or null. */
  refusal(action: Decision['action'], index: number): string | null {
    const item = this.items.get(index);
    if (!item) return this.unknown(index);
    if (action === 'reopen') return item.status === 'pending' ? `document ${index} (${item.path}) is pending already: nothing to reopen` : null;
    if (item.status !== 'pending') return `document ${index} (${item.path}) is already ${describeDecision(item)}: reopen it first to decide again`;
    if (action === 'approve' && item.kind === 'failed') {
      return `document ${index} (${item.path}) failed${item.failureType ? ` (${item.failureType})` : ''} and has no extracted data to approve: correct it with its values, or reject it`;
    }
    return null;
  }

  /** Takes the decision (the caller checked `refusal` first) and returns the item as it now stands. */
  decide(index: number, decision: Decision, by: string, at: string): ReviewItem {
    const refused = this.refusal(decision.action, index);
    if (refused !== null) throw new Error(refused);
    const item = this.items.get(index)!;
    const base = { index: item.index, path: item.path, kind: item.kind, checks: item.checks, issuer: item.issuer, revision: item.revision + 1, ...(item.failureType !== undefined ? { failureType: item.failureType } : {}) };
    let next: ReviewItem;
    switch (decision.action) {
      case 'approve':
        next = { ...base, status: 'approved', by, at };
        break;
      case 'correct':
        next = {
          ...base,
          status: 'corrected',
          by,
          at,
          changedFields: decision.changedFields,
          correctionId: decision.correctionId,
          ...(decision.acceptedWarnings.length > 0 ? { acceptedWarnings: decision.acceptedWarnings } : {}),
        };
        break;
      case 'reject':
        next = { ...base, status: 'rejected', by, at, reason: decision.reason };
        break;
      case 'reopen':
        next = { ...base, status: 'pending' };
        break;
    }
    this.items.set(index, next);
    return { ...next };
  }

  private unknown(index: number): string {
    const indexes = [...this.items.keys()].sort((a, b) => a - b);
    const listed = indexes.slice(0, 10).join(', ') + (indexes.length > 10 ? ` … (${indexes.length} in all)` : '');
    return `document ${index} is not in the review of batch ${this.batchId}: it reviews ${indexes.length === 0 ? 'no documents' : `documents ${listed}`} (the index is the document's position in the batch, as review.jsonl lists it)`;
  }
}

export function describeDecision(item: Pick<ReviewItem, 'status' | 'by' | 'at'>): string {
  return `${item.status}${item.by ? ` by ${item.by}` : ''}${item.at ? ` at ${item.at}` : ''}`;
}

/** Counts as one line: "3 pending · 2 approved · 1 corrected · 0 rejected of 6". */
export function formatReviewCounts(counts: ReviewCounts): string {
  const order: ReviewStatus[] = ['pending', 'approved', 'corrected', 'rejected'];
  return `${order.map((status) => `${counts[status]} ${status}`).join(' · ')} of ${counts.total}`;
}

/** The Markdown the Web UI shows as the review workflow's current details. */
export function reviewDetailsMarkdown(batchId: string, counts: ReviewCounts, state: 'open' | 'closed'): string {
  const done = counts.total - counts.pending;
  const percent = counts.total === 0 ? 100 : Math.floor((done / counts.total) * 100);
  return [
    `**docbatch review of ${batchId}: ${state}**`,
    '',
    `${percent}% decided — ${done} of ${counts.total} documents`,
    '',
    formatReviewCounts(counts),
    '',
    `Review page: \`docbatch review ${batchId}\``,
  ].join('\n');
}
