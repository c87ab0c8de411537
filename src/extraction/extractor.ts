import type { z } from 'zod';
import type { SchemaDefinition } from './schemas';
import type { Usage } from './usage';
import type { SeedExamples } from './examples/example';

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
  /** The schema's name ("invoice", or a schema file's base name). */
  schemaName: string;
  schema: z.ZodObject;
  /** The rest of the schema's definition (description, prompt rules, checks); default: the built-in schema of that name. */
  definition?: SchemaDefinition;
  /** Corrected documents of known issuers to learn from (the batch's `examples`): Claude sees them, the offline extractor reads their labels. */
  examples?: SeedExamples;
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
  /** Things the batch owner should know about this result (e.g. an e-invoice that could not be used); part of the result line's `warnings`. */
  warnings?: string[];
  /** A person should check this result even though it passed its schema's checks (e.g. fields read from words OCR was unsure of, named in `warnings`). */
  needsReview?: boolean;
}

/**
 * Turns one document into schema-valid data, or throws DocumentError / BatchFault /
 * TransientError (see errors.ts). Implementations: local (offline) and anthropic.
 */
export interface Extractor {
  readonly name: 'local' | 'anthropic';
  /** Everything that changes the output for the same bytes; part of the result-cache key. */
  readonly settingsKey: string;
  /**
   * Documents this process should work on at once with this extractor, asked again as slots free
   * (see document-slots.ts): the rate limiter's estimate, or the decoder pool's size. Unset: a few.
   */
  documentsInFlight?(): number;
  /**
   * Slots of that pool a document of `sizeBytes` takes (default 1): a large document counts as
   * several, so many small files run at once while large PDFs (bytes waiting for a decoder, or
   * base64 in a request body) stay few, within the worker's heap (bin/heap.js).
   */
  documentWeight?(sizeBytes: number): number;
  extract(request: ExtractionRequest): Promise<Extraction>;
}
