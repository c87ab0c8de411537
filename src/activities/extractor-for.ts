import type Anthropic from '@anthropic-ai/sdk';
import type { AnthropicExtractor } from '../extraction/anthropic';
import { BatchFault } from '../extraction/errors';
import type { Extractor } from '../extraction/extractor';
import { withEInvoiceReader } from '../extraction/einvoice/extractor';
import { createLocalExtractor } from '../extraction/local/extractor';
import { readEnv } from '../env';
import type { ExtractionObserver } from '../metrics/observer';
import type { ExtractionSettings } from '../batch/activities';

/**
 * The worker's extractors, one per distinct setting, reused across chunks. The API key is read
 * from the worker's environment, never from workflow input: secrets stay out of history.
 */
export function createExtractorFor(
  env: Record<string, string | undefined> = process.env,
  observer?: ExtractionObserver,
): (settings: ExtractionSettings) => Promise<Extractor> {
  const extractors = new Map<string, Extractor>();
  return async (settings) => {
    const key = JSON.stringify([settings.extractor, settings.models]);
    const known = extractors.get(key);
    if (known) return known;
    // E-invoices are read from their XML before either extractor looks at them.
    const extractor = withEInvoiceReader(settings.extractor === 'anthropic' ? await anthropicExtractor(settings, env, observer) : createLocalExtractor());
    extractors.set(key, extractor);
    return extractor;
  };
}

/**
 * Batch mode's Claude extractors (their first requests go in Message Batches), one per model
 * setting, reused across chunks, from the worker's environment like the realtime ones.
 */
export function createAnthropicFor(
  env: Record<string, string | undefined> = process.env,
  observer?: ExtractionObserver,
): (settings: ExtractionSettings) => Promise<AnthropicExtractor> {
  const extractors = new Map<string, AnthropicExtractor>();
  return async (settings) => {
    const key = JSON.stringify(settings.models);
    const extractor = extractors.get(key) ?? (await anthropicExtractor(settings, env, observer));
    extractors.set(key, extractor);
    return extractor;
  };
}

/**
 * The worker's client of the Message Batches API (create, retrieve, list, cancel, results). No SDK
 * retries: a `create` retried by the SDK after a lost answer could pay twice, so every retry is
 * Temporal's, after the submission records (see submit-chunk.ts).
 */
export function createMessageBatchesClient(env: Record<string, string | undefined> = process.env): () => Promise<Anthropic> {
  let client: Anthropic | undefined;
  return async () => {
    if (client) return client;
    const { default: Sdk } = await import('@anthropic-ai/sdk');
    const baseURL = readEnv('anthropicBaseUrl', env);
    client = new Sdk({ apiKey: requireApiKey(env), ...(baseURL !== undefined ? { baseURL } : {}), maxRetries: 0, timeout: 120_000 });
    return client;
  };
}

function requireApiKey(env: Record<string, string | undefined>): string {
  const apiKey = readEnv('anthropicApiKey', env);
  if (!apiKey) {
    throw new BatchFault(
      'credentials_rejected',
      'ANTHROPIC_API_KEY is not set on this worker: set it where the workers run (or start the batch with extractor "local"), then `docbatch resume <id>`',
    );
  }
  return apiKey;
}

/** Loaded on first use: a worker that only runs the local extractor never loads the SDK. */
async function anthropicExtractor(settings: ExtractionSettings, env: Record<string, string | undefined>, observer?: ExtractionObserver): Promise<AnthropicExtractor> {
  const apiKey = requireApiKey(env);
  const { createAnthropicExtractor } = await import('../extraction/anthropic');
  return createAnthropicExtractor({ apiKey, baseURL: readEnv('anthropicBaseUrl', env), models: settings.models, ...(observer ? { observer } : {}) });
}
