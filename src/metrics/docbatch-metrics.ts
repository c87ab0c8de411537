import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExtractionObserver } from './observer';

/** docbatch's own Prometheus metrics (prom-client), fed through the ExtractionObserver interface. */
export interface DocbatchMetrics extends ExtractionObserver {
  registry: Registry;
}

const tokenKinds = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cache_read', 'cacheReadTokens'],
  ['cache_write', 'cacheWriteTokens'],
] as const;

export function createDocbatchMetrics(registry = new Registry()): DocbatchMetrics {
  // Node's own process metrics (memory, CPU, event loop lag), prefixed like the rest.
  collectDefaultMetrics({ register: registry, prefix: 'docbatch_' });
  const documents = new Counter({
    name: 'docbatch_documents_total',
    help: 'Documents finished (journaled), by status (succeeded, failed), extractor and model',
    labelNames: ['status', 'extractor', 'model'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'docbatch_document_duration_seconds',
    help: 'Time to extract one document (load, cache lookup, extraction, validation)',
    labelNames: ['extractor'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'docbatch_tokens_total',
    help: 'Claude tokens used, by kind (input, output, cache_read, cache_write) and model',
    labelNames: ['kind', 'model'] as const,
    registers: [registry],
  });
  const cost = new Counter({
    name: 'docbatch_cost_usd_total',
    help: 'Cost of the Claude calls in US dollars, by model (src/extraction/pricing.ts)',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  const apiResponses = new Counter({
    name: 'docbatch_api_responses_total',
    help: 'Messages API responses by HTTP status (connection_error, timeout without one)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const rateLimitWait = new Histogram({
    name: 'docbatch_rate_limit_wait_seconds',
    help: 'Time a Messages API request waited for the rate limiter before it was sent',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });

  return {
    registry,
    documentFinished(result, extractor) {
      const model = result.model ?? 'none';
      documents.inc({ status: result.status, extractor, model });
      duration.observe({ extractor }, result.durationMs / 1000);
      if (!result.usage) return;
      for (const [kind, field] of tokenKinds) if (result.usage[field] > 0) tokens.inc({ kind, model }, result.usage[field]);
      if (result.usage.costUsd > 0) cost.inc({ model }, result.usage.costUsd);
    },
    apiResponse(status) {
      apiResponses.inc({ status });
    },
    rateLimitWait(seconds) {
      rateLimitWait.observe(seconds);
    },
  };
}
