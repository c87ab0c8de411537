import { z } from 'zod';
import { defaultChunkSize } from '../batch/chunk-size';
import { outputFormat } from './anthropic/output';
import { extractionInstruction, systemPrompt } from './anthropic/prompt';
import { defaultRoutingThresholds, routeModel, type RoutingThresholds } from './anthropic/routing';
import { apiRequestLimits } from './anthropic/split';
import { assumedPdfPageChars, textTokens } from './anthropic/tokens';
import { loadDocument } from './document';
import { isolatedDecoding } from './isolation';
import { readEInvoice } from './einvoice';
import { DocumentError } from './errors';
import type { SourceDocument } from './extractor';
import { costOf, requirePrice, type TokenCounts } from './pricing';
import { schemaReferenceSchema } from './schemas';
import { loadSchema } from './schemas/load';

/**
 * `docbatch run --estimate`: the tokens and cost a batch is expected to take on Claude, computed
 * from the documents alone — no API call. Heuristics (see anthropic/tokens.ts for the token ones):
 * - each document is routed exactly as the extractor routes it (simple vs complex model);
 * - input = the system prefix (rules + schema), the structured-output schema, the instruction and
 *   the document: text at 4 characters a token; a PDF page as a page image (1,550 tokens) plus its
 *   text layer (read for the first pages, 2,000 characters assumed for the rest); an image at
 *   width x height / 750 after the API's downscaling;
 * - a PDF beyond 100 pages is sent in parts, each repeating the prefix;
 * - output = 120 tokens of JSON framing and header fields plus 45 per expected line item (one per
 *   400 characters of text, at least 3) — invoices answer in a few hundred tokens;
 * - prompt caching: where the prefix reaches the model's minimum cacheable length, the first
 *   document on each model writes it (1.25x) and every later one reads it (0.1x), as when a batch
 *   runs continuously (the cache lives 5 minutes from its last use);
 * - batch mode (`batch`, always computed from the same documents): each chunk is one Message Batch
 *   whose first request on each model writes the prefix with the 1-hour TTL (2x) and the others
 *   read it, all at half the price; a PDF split into parts is extracted in realtime (realtime price). Anthropic serves cache hits in Message Batches on a best-effort
 *   basis, so `batch.noCacheHitsCostUsd` is the same documents with every request writing the
 *   prefix, the figure's ceiling;
 * - invoices carrying e-invoice XML are read from it (einvoice/): no call, no cost;
 * - every document succeeds on its first call: repair turns and escalations (rare, and reported
 *   per document after the run) are not included, so treat the figure as a floor plus ~5%.
 */
export const estimateSettingsSchema = z.object({
  schema: schemaReferenceSchema.default('invoice'),
  models: z.object({ simple: z.string().min(1), complex: z.string().min(1), escalation: z.string().min(1) }),
  /** Documents per chunk: in batch mode, per Message Batch. @default the size planning chooses for Claude (batch/chunk-size.ts) */
  chunkSize: z.number().int().positive().default(defaultChunkSize),
});
export type EstimateSettings = z.input<typeof estimateSettingsSchema>;

export interface ModelEstimate {
  model: string;
  documents: number;
  inputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Tokens and cost of the documents in one mode, in total and per model. */
export interface ModeEstimate {
  inputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  outputTokens: number;
  costUsd: number;
  byModel: ModelEstimate[];
}

/** The realtime figures at the top level; the same documents as Message Batches under `batch`. */
export interface BatchEstimate extends ModeEstimate {
  documents: number;
  /** Invoices read from their e-invoice XML (Factur-X/ZUGFeRD/XRechnung, CII or UBL): no model call, free. */
  eInvoices: number;
  /** Documents that cannot be sent at all (corrupt, empty, unsupported…): they would fail, at no cost. */
  unreadable: number;
  batch: ModeEstimate & {
    /** Batch mode with no cache hit at all: every request writes the prefix (1-hour TTL). */
    noCacheHitsCostUsd: number;
  };
}

interface DocumentEstimate {
  model: string;
  /** Requests (parts of a split PDF each are one). */
  requests: number;
  documentTokens: number;
  outputTokens: number;
}

const outputBaseTokens = 120;
const outputTokensPerItem = 45;
const charsPerLineItem = 400;

export async function estimateBatch(paths: readonly string[], settings: EstimateSettings, routing: Partial<RoutingThresholds> = {}): Promise<BatchEstimate> {
  const { schema: reference, models, chunkSize } = estimateSettingsSchema.parse(settings);
  for (const model of new Set(Object.values(models))) requirePrice(model);
  const definition = await loadSchema(reference);
  const thresholds = { ...defaultRoutingThresholds, ...routing };
  const prefix: Prefix = {
    tokens: textTokens(systemPrompt(definition)[0]!.text),
    perRequestTokens: textTokens(JSON.stringify(outputFormat(definition.schema).schema)) + textTokens(extractionInstruction(definition.name)),
  };

  const sent: SentDocument[] = [];
  let unreadable = 0;
  let eInvoices = 0;
  for (const [index, path] of paths.entries()) {
    try {
      const document = await loadDocument(path);
      if (reference === 'invoice' && (await readEInvoice(document, definition.schema)).status === 'read') {
        eInvoices++;
        continue;
      }
      sent.push({ ...(await estimateDocument(document, models, thresholds)), chunk: Math.floor(index / chunkSize) });
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      unreadable++;
    }
  }

  const realtime = modeEstimate(sent, prefix, { cacheScope: () => 'batch', batch: false });
  const batch = modeEstimate(sent, prefix, { cacheScope: (document) => `chunk-${document.chunk}`, batch: true });
  const noCacheHits = modeEstimate(sent, prefix, { cacheScope: (_, request) => `request-${request}`, batch: true });
  return { documents: paths.length, eInvoices, unreadable, ...realtime, batch: { ...batch, noCacheHitsCostUsd: noCacheHits.costUsd } };
}

interface Prefix {
  /** The cacheable system prefix (rules + schema). */
  tokens: number;
  /** Sent with every request, uncached: the structured-output schema and the instruction. */
  perRequestTokens: number;
}

interface SentDocument extends DocumentEstimate {
  chunk: number;
}

interface ModeRules {
  /** Requests in the same scope share one prompt cache: the first request on a model writes it, the others read. */
  cacheScope: (document: SentDocument, request: number) => string;
  batch: boolean;
}

function modeEstimate(documents: readonly SentDocument[], prefix: Prefix, rules: ModeRules): ModeEstimate {
  const byModel = new Map<string, ModelEstimate>();
  // Per model, the tokens priced as Message Batches requests and those priced as realtime calls.
  const priced = new Map<string, { batched: TokenCounts; realtime: TokenCounts }>();
  const written = new Set<string>();
  let request = 0;
  for (const document of documents) {
    const totals = byModel.get(document.model) ?? { model: document.model, documents: 0, inputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, outputTokens: 0, costUsd: 0 };
    const tokens = priced.get(document.model) ?? { batched: noTokens(), realtime: noTokens() };
    // In batch mode a PDF split into parts is extracted in realtime (its parts' answers are merged).
    const viaBatch = rules.batch && document.requests === 1;
    const counts = viaBatch ? tokens.batched : tokens.realtime;
    const cacheable = prefix.tokens >= requirePrice(document.model).minCacheableTokens;
    for (let part = 0; part < document.requests; part++, request++) {
      counts.inputTokens += prefix.perRequestTokens + (cacheable ? 0 : prefix.tokens);
      if (!cacheable) continue;
      const cache = `${document.model} ${viaBatch || !rules.batch ? rules.cacheScope(document, request) : 'realtime'}`;
      if (written.has(cache)) counts.cacheReadTokens += prefix.tokens;
      else counts.cacheWriteTokens += prefix.tokens;
      written.add(cache);
    }
    counts.inputTokens += document.documentTokens;
    counts.outputTokens += document.outputTokens;
    totals.documents++;
    byModel.set(document.model, totals);
    priced.set(document.model, tokens);
  }
  const modelTotals = [...byModel.values()].map((totals) => {
    const { batched, realtime } = priced.get(totals.model)!;
    const sum = (key: keyof TokenCounts) => (batched[key] ?? 0) + (realtime[key] ?? 0);
    return {
      ...totals,
      inputTokens: sum('inputTokens'),
      cacheWriteTokens: sum('cacheWriteTokens'),
      cacheReadTokens: sum('cacheReadTokens'),
      outputTokens: sum('outputTokens'),
      // Message Batches requests cache with the 1-hour TTL (a Message Batch outlives 5 minutes).
      costUsd: costOf(totals.model, { ...batched, cacheWrite1hTokens: batched.cacheWriteTokens }, { batch: true }) + costOf(totals.model, realtime),
    };
  });
  const sum = (key: 'inputTokens' | 'cacheWriteTokens' | 'cacheReadTokens' | 'outputTokens' | 'costUsd') => modelTotals.reduce((total, entry) => total + entry[key], 0);
  return {
    inputTokens: sum('inputTokens'),
    cacheWriteTokens: sum('cacheWriteTokens'),
    cacheReadTokens: sum('cacheReadTokens'),
    outputTokens: sum('outputTokens'),
    costUsd: Math.round(sum('costUsd') * 1e6) / 1e6,
    byModel: modelTotals,
  };
}

function noTokens(): TokenCounts {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}

async function estimateDocument(document: SourceDocument, models: { simple: string; complex: string }, thresholds: RoutingThresholds): Promise<DocumentEstimate> {
  const readPages = thresholds.maxSimplePages + 1;
  const profile = await isolatedDecoding.profileDocument(document, readPages);
  const { model } = routeModel(profile, models, thresholds);
  const unreadPages = Math.max(0, profile.pages - readPages);
  const textChars = profile.textChars + unreadPages * assumedPdfPageChars;
  // Output: line items scale with the text; an image's pages are each assumed to hold a few.
  const expectedItems = Math.max(3, Math.round((document.mediaType.startsWith('image/') ? 1200 * profile.pages : textChars) / charsPerLineItem));
  const requests = document.mediaType === 'application/pdf' ? Math.max(1, Math.ceil(profile.pages / apiRequestLimits.maxPdfPages)) : 1;
  const documentTokens = profile.tokens;
  return { model, requests, documentTokens, outputTokens: requests * outputBaseTokens + expectedItems * outputTokensPerItem };
}
