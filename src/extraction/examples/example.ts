import { z } from 'zod';

/**
 * Seed examples: documents a person corrected in a review, kept per issuer so the next batches of
 * that issuer's documents read them as the person did (the Claude prompt shows them, the offline
 * extractor learns the labels that hold each field). Every bound is here.
 */

/** Examples kept per issuer: the most recent corrections. */
export const examplesPerIssuer = 3;
/** Characters of a document's text an example keeps (excerpt.ts chooses which). */
export const excerptChars = 4000;
/** Issuers a batch's snapshot holds at most: the most recently corrected. */
export const snapshotIssuers = 200;

export const seedExampleSchema = z.object({
  /** The issuer as the correction names it. */
  issuer: z.string().min(1),
  batchId: z.string(),
  /** The document's index in its batch, and its path. */
  document: z.number().int().nonnegative(),
  path: z.string(),
  correctionId: z.string(),
  /** When the correction was taken (ISO): the newest examples are kept. */
  correctedAt: z.string(),
  changedFields: z.array(z.string()),
  /** The document's text, bounded (excerpt.ts). */
  text: z.string().max(excerptChars + 200),
  /** The corrected data: the whole object, as valid against the schema. */
  data: z.record(z.string(), z.unknown()),
});
export type SeedExample = z.infer<typeof seedExampleSchema>;

/** One issuer's examples, newest first: one object of the store. */
export const issuerExamplesSchema = z.object({
  issuer: z.string().min(1),
  key: z.string().min(1),
  schema: z.string().min(1),
  examples: z.array(seedExampleSchema).max(examplesPerIssuer),
});
export type IssuerExamples = z.infer<typeof issuerExamplesSchema>;

/** What a batch learns from: the store as planning read it, written once into the batch's output. */
export const examplesSnapshotSchema = z.object({
  /** The store's location. */
  from: z.string(),
  schema: z.string(),
  /** Changes whenever any example does: part of the result-cache key. */
  fingerprint: z.string(),
  takenAt: z.string(),
  /** Most recently corrected issuer first. */
  issuers: z.array(issuerExamplesSchema),
});
export type ExamplesSnapshot = z.infer<typeof examplesSnapshotSchema>;

/** The examples an extraction request carries. */
export interface SeedExamples {
  issuers: readonly IssuerExamples[];
  fingerprint: string;
  /** Tokens of examples the Claude prompt may hold. */
  promptTokens: number;
}
