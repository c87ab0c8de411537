import type { AnthropicExtractor } from '../anthropic';
import type { Extractor } from '../extractor';
import type { SeedExamples } from './example';

/**
 * The extractor as a batch with seed examples uses it: every request carries the examples, and
 * the settings key (part of the result-cache key) names them, so a result extracted without these
 * examples is never taken for one extracted with them.
 */
export function withExamples<E extends Extractor & Partial<Pick<AnthropicExtractor, 'firstRequest' | 'extractFrom'>>>(extractor: E, examples: SeedExamples): E {
  const seeded: E = {
    ...extractor,
    settingsKey: `${extractor.settingsKey}:examples=${examples.fingerprint}/${examples.promptTokens}`,
    extract: (request) => extractor.extract({ ...request, examples }),
  };
  if (extractor.firstRequest) seeded.firstRequest = (request, cacheTtl) => extractor.firstRequest!({ ...request, examples }, cacheTtl);
  if (extractor.extractFrom) seeded.extractFrom = (request, first) => extractor.extractFrom!({ ...request, examples }, first);
  return seeded;
}
