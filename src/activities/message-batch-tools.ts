import type Anthropic from '@anthropic-ai/sdk';
import type { AnthropicExtractor } from '../extraction/anthropic';
import { BatchFault } from '../extraction/errors';
import type { Extractor } from '../extraction/extractor';
import type { MessageBatchLimits } from '../extraction/message-batches/grouping';
import type { LoadedSchema } from '../extraction/schemas';
import { loadSchema, SchemaError } from '../extraction/schemas/load';
import type { ExtractionObserver } from '../metrics/observer';
import type { ExtractionSettings } from '../batch/activities';
import type { MessageBatchRef } from '../batch/message-batches';
import type { CreatedRecord } from '../store/message-batch-records';
import type { DocumentOutcomeDeps } from './document-outcome';
import { toActivityFailure } from './failures';
import { seededForChunk } from './chunk-examples';

/** What batch mode's activities work with (the worker's real ones, or tests' own). */
export interface MessageBatchDeps extends DocumentOutcomeDeps {
  /** The realtime extractor of the settings: its settingsKey keys the cache (shared with realtime batches); it extracts split PDFs and documents whose resubmits ran out. */
  extractorFor: (settings: ExtractionSettings) => Extractor | Promise<Extractor>;
  /** Builds the first requests and finishes extractions from their answers. */
  anthropicFor: (settings: ExtractionSettings) => Promise<AnthropicExtractor>;
  messageBatchesClient: () => Promise<Anthropic>;
  /** Default: the API's (grouping.ts); tests make groups small. */
  messageBatchLimits?: MessageBatchLimits;
  observer?: ExtractionObserver;
}

export interface BatchModeTools {
  extractor: Extractor;
  anthropic: AnthropicExtractor;
  schema: LoadedSchema;
  client: Anthropic;
}

/** The extractors, schema and client of a chunk in batch mode; a schema that cannot be used pauses the batch, as in realtime. */
export async function batchModeTools(deps: MessageBatchDeps, batchDir: string, settings: ExtractionSettings): Promise<BatchModeTools> {
  try {
    const extractor = await seededForChunk(batchDir, settings, await deps.extractorFor(settings));
    const anthropic = await seededForChunk(batchDir, settings, await deps.anthropicFor(settings));
    const client = await deps.messageBatchesClient();
    const schema = await loadSchema(settings.schema).catch((error: unknown) => {
      if (!(error instanceof SchemaError)) throw error;
      throw new BatchFault(error.reason === 'changed' ? 'schema_changed' : 'schema_unusable', error.message);
    });
    return { extractor, anthropic, schema, client };
  } catch (error) {
    throw toActivityFailure(error);
  }
}

export function refOf(chunkIndex: number, created: CreatedRecord): MessageBatchRef {
  return { id: created.id, chunkIndex, requests: created.requests, createdAt: created.createdAt, expiresAt: created.expiresAt };
}
