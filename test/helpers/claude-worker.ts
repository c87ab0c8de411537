import { createAnthropicFor, createExtractorFor, createMessageBatchesClient } from '../../src/activities/extractor-for';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator';
import { startTestWorker, uniqueId } from './batch';

export interface ClaudeWorker {
  emulator: Emulator;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * The emulator and a real docbatch worker whose Claude code (realtime calls and Message Batches
 * alike) talks to it through the real @anthropic-ai/sdk, on a task queue of its own.
 */
export async function startClaudeWorker(name: string, options: EmulatorOptions = {}): Promise<ClaudeWorker> {
  const emulator = await startEmulator({ validKeys: ['test-key'], latency: { minMs: 5, maxMs: 20 }, ...options });
  const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: emulator.url };
  const taskQueue = uniqueId(name);
  const { stop } = await startTestWorker({
    taskQueue,
    activityDeps: {
      extractorFor: createExtractorFor(env),
      anthropicFor: createAnthropicFor(env),
      messageBatchesClient: createMessageBatchesClient(env),
      hasAnthropicKey: () => true,
      resultCache: null,
    },
  });
  return {
    emulator,
    taskQueue,
    stop: async () => {
      await stop();
      await emulator.stop();
    },
  };
}
