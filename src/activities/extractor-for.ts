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

/** Loaded on first use: a worker that only runs the local extractor never loads the SDK. */
async function anthropicExtractor(settings: ExtractionSettings, env: Record<string, string | undefined>, observer?: ExtractionObserver): Promise<Extractor> {
  const apiKey = readEnv('anthropicApiKey', env);
  if (!apiKey) {
    throw new BatchFault(
      'credentials_rejected',
      'ANTHROPIC_API_KEY is not set on this worker: set it where the workers run (or start the batch with extractor "local"), then `docbatch resume <id>`',
    );
  }
  const { createAnthropicExtractor } = await import('../extraction/anthropic');
  return createAnthropicExtractor({ apiKey, baseURL: readEnv('anthropicBaseUrl', env), models: settings.models, ...(observer ? { observer } : {}) });
}
