import type { DocumentResult } from '../store/document-result';

/**
 * What a worker reports as it extracts, for metrics: injected into the activities (ActivityDeps)
 * and the Claude extractor, so the code that does the work imports no metrics library.
 */
export interface ExtractionObserver {
  /** A document's result was journaled (counted once, however often its chunk is retried). */
  documentFinished(result: DocumentResult, extractor: string): void;
  /** One Messages API response: its HTTP status, or `connection_error` / `timeout` without one. */
  apiResponse(status: string): void;
  /** Time a request waited for the rate limiter before it was sent. */
  rateLimitWait(seconds: number): void;
}
