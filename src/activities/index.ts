import type { Extractor } from '../extraction/extractor';
import type { ExtractionObserver } from '../metrics/observer';
import type { ResultCache } from '../store/result-cache';
import type { ExtractionSettings } from './contracts';
import { extractChunk } from './extract-chunk';
import { locateDocuments } from './locate-documents';
import { planBatch } from './plan-batch';
import { writeReport } from './write-report';

export interface ActivityDeps {
  /** The extractor for a batch's settings (`extractor` is already resolved to local or anthropic). */
  extractorFor: (settings: ExtractionSettings) => Extractor | Promise<Extractor>;
  resultCache: ResultCache | null;
  hasAnthropicKey: () => boolean;
  now: () => number;
  /** Told of each journaled document (metrics, src/metrics); none by default. */
  observer?: ExtractionObserver;
}

/**
 * The activities of docbatch, bound to their dependencies. The worker wires the real ones; tests
 * wire the same code with other settings (a slower extractor, a counting one, another cache).
 */
export function createActivities(deps: ActivityDeps) {
  return {
    planBatch: planBatch.bind(null, deps),
    extractChunk: extractChunk.bind(null, deps),
    locateDocuments,
    writeReport: writeReport.bind(null, deps),
  };
}

export type DocbatchActivities = ReturnType<typeof createActivities>;
