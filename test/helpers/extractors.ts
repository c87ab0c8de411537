import { setTimeout as sleep } from 'node:timers/promises';
import type { Extractor } from '../../src/extraction/extractor';
import { createLocalExtractor } from '../../src/extraction/local/extractor';

/** The local extractor, slowed down by `delayMs` per document, counting calls per document path. */
export function countingExtractor(delayMs = 0): Extractor & { calls: Map<string, number> } {
  const local = createLocalExtractor();
  const calls = new Map<string, number>();
  return {
    name: 'local',
    settingsKey: local.settingsKey,
    calls,
    async extract(request) {
      calls.set(request.document.path, (calls.get(request.document.path) ?? 0) + 1);
      if (delayMs > 0) await sleep(delayMs);
      return local.extract(request);
    },
  };
}
