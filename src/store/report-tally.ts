import { addCounts, countResult, emptyCounts, type ChunkCounts } from '../batch/counts';
import { isFilled, type SchemaColumn } from '../extraction/schemas/columns';
import { addUsage, zeroUsage, type Usage } from '../extraction/usage';
import type { DocumentResult } from './document-result';

/** How many of the slowest documents and of the documents to review the HTML report lists. */
const slowestShown = 10;
const reviewShown = 200;

export interface SlowDocument {
  path: string;
  durationMs: number;
  model: string | null;
  status: DocumentResult['status'];
}

export interface ReviewDocument {
  index: number;
  path: string;
  warnings: string[];
}

/** A tally's figures, without its methods: one chunk's, to be merged into the batch's (report-chunk.ts). */
export type TallyState = Pick<
  ReportTally,
  'counts' | 'notProcessed' | 'needsReview' | 'durationMs' | 'timed' | 'failuresByType' | 'warningsByCheck' | 'models' | 'usageByModel' | 'finishedAt' | 'slowest' | 'review' | 'filled'
>;

/**
 * The figures of a batch's report: the shared counts (batch/counts.ts) plus what only the report
 * shows, added up one result line at a time so memory stays flat (apart from one timestamp per
 * document for the throughput chart). Chunks are read ahead, so each is tallied on its own and merged in
 * manifest order.
 */
export class ReportTally {
  counts: ChunkCounts = emptyCounts();
  notProcessed = 0;
  needsReview = 0;
  durationMs = 0;
  timed = 0;
  readonly failuresByType: Record<string, number> = {};
  readonly warningsByCheck: Record<string, number> = {};
  readonly models: Record<string, number> = {};
  readonly usageByModel: Record<string, Usage> = {};
  readonly finishedAt: number[] = [];
  readonly slowest: SlowDocument[] = [];
  readonly review: ReviewDocument[] = [];
  /** Per column, the succeeded documents that filled it. */
  readonly filled: number[];

  constructor(private readonly columns: readonly SchemaColumn[]) {
    this.filled = columns.map(() => 0);
  }

  add(result: DocumentResult): void {
    this.counts = countResult(this.counts, result);
    if (result.status === 'not_processed') this.notProcessed++;
    else if (!result.cached) {
      this.durationMs += result.durationMs;
      this.timed++;
      this.noteSlow({ path: result.path, durationMs: result.durationMs, model: result.model, status: result.status });
    }
    if (result.finishedAt !== undefined) this.finishedAt.push(result.finishedAt);
    if (result.error) this.failuresByType[result.error.type] = (this.failuresByType[result.error.type] ?? 0) + 1;
    if (result.model) {
      this.models[result.model] = (this.models[result.model] ?? 0) + 1;
      if (result.usage) this.usageByModel[result.model] = addUsage(this.usageByModel[result.model] ?? zeroUsage, result.usage);
    }
    if (result.status === 'succeeded' && result.data) {
      const data = result.data;
      this.columns.forEach((column, index) => {
        if (isFilled(data, column)) this.filled[index]!++;
      });
    }
    if (result.needsReview) {
      this.needsReview++;
      for (const check of new Set((result.warnings ?? []).map(checkName))) this.warningsByCheck[check] = (this.warningsByCheck[check] ?? 0) + 1;
      if (this.review.length < reviewShown) this.review.push({ index: result.index, path: result.path, warnings: result.warnings ?? [] });
    }
  }

  state(): TallyState {
    const { counts, notProcessed, needsReview, durationMs, timed, failuresByType, warningsByCheck, models, usageByModel, finishedAt, slowest, review, filled } = this;
    return { counts, notProcessed, needsReview, durationMs, timed, failuresByType, warningsByCheck, models, usageByModel, finishedAt, slowest, review, filled };
  }

  /** Adds the tally of the next chunk in manifest order. */
  merge(next: TallyState): void {
    this.counts = addCounts(this.counts, next.counts);
    this.notProcessed += next.notProcessed;
    this.needsReview += next.needsReview;
    this.durationMs += next.durationMs;
    this.timed += next.timed;
    addCountsByKey(this.failuresByType, next.failuresByType);
    addCountsByKey(this.warningsByCheck, next.warningsByCheck);
    addCountsByKey(this.models, next.models);
    for (const [model, usage] of Object.entries(next.usageByModel)) this.usageByModel[model] = addUsage(this.usageByModel[model] ?? zeroUsage, usage);
    for (const at of next.finishedAt) this.finishedAt.push(at);
    for (const slow of next.slowest) this.noteSlow(slow);
    for (const document of next.review) if (this.review.length < reviewShown) this.review.push(document);
    next.filled.forEach((count, index) => {
      this.filled[index]! += count;
    });
  }

  /** Share of succeeded documents that filled each column. */
  fillRates(): Record<string, number> {
    const { succeeded } = this.counts;
    return Object.fromEntries(this.columns.map((column, index) => [column.name, succeeded === 0 ? 0 : Math.round((this.filled[index]! / succeeded) * 10_000) / 10_000]));
  }

  private noteSlow(document: SlowDocument): void {
    const last = this.slowest.at(-1);
    if (this.slowest.length >= slowestShown && last !== undefined && last.durationMs >= document.durationMs) return;
    this.slowest.push(document);
    this.slowest.sort((a, b) => b.durationMs - a.durationMs);
    if (this.slowest.length > slowestShown) this.slowest.pop();
  }
}

function addCountsByKey(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

/** "line items sum: the 3 line item amounts..." -> "line items sum". */
export function checkName(warning: string): string {
  const colon = warning.indexOf(':');
  return colon < 0 ? warning : warning.slice(0, colon);
}
