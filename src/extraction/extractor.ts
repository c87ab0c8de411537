import type { z } from 'zod';
import type { SchemaName } from './schemas';
import type { Usage } from './usage';

export type { MediaType } from './formats/format';
import type { MediaType } from './formats/format';

/** A document read from disk, with its type detected from its bytes. */
export interface SourceDocument {
  path: string;
  mediaType: MediaType;
  bytes: Buffer;
  /** The character encoding a plain-text document was read in (see encoding.ts). */
  encoding?: string;
}

export interface ExtractionRequest {
  document: SourceDocument;
  schemaName: SchemaName;
  schema: z.ZodObject;
}

/** A successful extraction: data already validated against the schema. */
export interface Extraction {
  data: Record<string, unknown>;
  usage: Usage;
  /** The model that produced the data ("local" for the offline extractor). */
  model: string;
  /** Model calls this extraction took (repair turns and escalations included). */
  calls: number;
  /** Where the data came from when not from the extractor's own reading: e-invoice XML. */
  source?: 'e-invoice';
  /** Things the batch owner should know about this result (e.g. an e-invoice that could not be used). */
  warnings?: string[];
}

/**
 * Turns one document into schema-valid data, or throws DocumentError / BatchFault /
 * TransientError (see errors.ts). Implementations: local (offline) and anthropic.
 */
export interface Extractor {
  readonly name: 'local' | 'anthropic';
  /** Everything that changes the output for the same bytes; part of the result-cache key. */
  readonly settingsKey: string;
  extract(request: ExtractionRequest): Promise<Extraction>;
}
