import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, Message, MessageCreateParamsNonStreaming, MessageParam, TextBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { BatchFault, DocumentError } from '../errors';
import type { Extraction, ExtractionRequest, Extractor, SourceDocument } from '../extractor';
import { requirePrice, usageOf } from '../pricing';
import { sharedRateLimiter, type RateLimiter } from '../rate-limit';
import { builtInSchemas, isSchemaName, runChecks, type SchemaDefinition } from '../schemas';
import { addUsage, zeroUsage, type Usage } from '../usage';
import { apiResponseStatus, isApiError, retryAfterMs, toExtractionError } from './api-errors';
import { FaultGate } from './fault-gate';
import { imageSize } from '../formats/image';
import { tokenCountsOf } from './token-counts';
import { mergePartData } from './merge';
import { checkOutput, outputFormat, uncheckableOutput, type CheckedOutput } from './output';
import { consistencyRepairInstruction, extractionInstruction, repairInstruction, systemPrompt, type CacheTtl, type DocumentPart } from './prompt';
import { defaultRoutingThresholds, routeModel, type RoutingThresholds } from './routing';
import { apiRequestLimits, fitsOneRequest, type RequestLimits } from './split';
import { isolatedDecoding, type DecoderPool } from '../isolation';
import { weightForBytes } from '../document-slots';
import { imageTokens, pdfTokens, textTokens } from './tokens';
import { schemaIssues } from '../../batch/issues';
import type { ExtractionObserver } from '../../metrics/observer';
import type { SeedExamples } from '../examples/example';

export interface AnthropicModels {
  /** For small text-layer documents. */
  simple: string;
  /** For images, scans, long or large documents. */
  complex: string;
  /** Tried once when the routed model's answer stays invalid after a repair turn. */
  escalation: string;
}

export interface AnthropicExtractorOptions {
  apiKey: string;
  /** Messages API base URL (the emulator in tests). Default: the SDK's (ANTHROPIC_BASE_URL or api.anthropic.com). */
  baseURL?: string | undefined;
  models: AnthropicModels;
  /** One request's time limit; a request that takes longer is a retryable `timeout`. Default 120 s. */
  requestTimeoutMs?: number;
  /** Output budget per call. Default 8192 tokens (an invoice with ~150 line items). */
  maxOutputTokens?: number;
  /** Request limits that make a PDF be split. Default: the API's, 100 pages and 32 MB. */
  limits?: Partial<RequestLimits>;
  /** Where simple ends and complex begins. */
  routing?: Partial<RoutingThresholds>;
  /** Request pacing. Default: the limiter this process shares for this key and endpoint; `false` for none. */
  rateLimiter?: RateLimiter | false;
  /** Told of every API response and rate-limiter wait (metrics). */
  observer?: Pick<ExtractionObserver, 'apiResponse' | 'rateLimitWait'>;
  /** Where documents are profiled, split and converted to content. Default: the shared decoder pool. */
  decoderPool?: DecoderPool;
}

/** Bumped whenever prompts or the repair/escalation/merge rules change, so cached results are redone. */
export const anthropicExtractorVersion = 2;

interface CallResult {
  checked: CheckedOutput;
  usage: Usage;
}

/**
 * A document's first request, built apart from the call for Message Batches: `params` are exactly
 * what `extract` would send first (same routing, content, structured output and system prompt).
 * A PDF beyond one request's limits is `split`: its parts go through `extract`.
 */
export type FirstRequest = { kind: 'request'; model: string; params: MessageCreateParamsNonStreaming } | { kind: 'split' };

/** The answer to a first request that came another way (a Message Batch), with what it cost. */
export interface FirstAnswer {
  model: string;
  message: Message;
  usage: Usage;
}

/** The Claude extractor, plus the two halves of its first call for Message Batches. */
export interface AnthropicExtractor extends Extractor {
  readonly name: 'anthropic';
  /** The document's first request, its system prompt cached for `cacheTtl`; throws DocumentError like `extract`. */
  firstRequest(request: ExtractionRequest, cacheTtl: CacheTtl): Promise<FirstRequest>;
  /** Finishes the extraction from the first answer exactly as `extract` does: validation, then repair turn and escalation as realtime calls. */
  extractFrom(request: ExtractionRequest, first: FirstAnswer): Promise<Extraction>;
}

/** The Messages API parameters of one call: the one place a request's shape is decided. */
function requestParams(model: string, maxTokens: number, system: TextBlockParam[], messages: MessageParam[], schema: z.ZodObject): MessageCreateParamsNonStreaming {
  return { model, max_tokens: maxTokens, system, messages, output_config: { format: outputFormat(schema) } };
}

/** A model's answer checked against the schema: data, or the problems a repair turn names. */
export function checkAnswer(schema: z.ZodObject, message: Message): CheckedOutput {
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  return uncheckableOutput(message) ?? checkOutput(schema, text);
}

/**
 * The Claude extractor. Per document: route to the simple or the complex model (routing.ts); send
 * the document (split into page ranges if beyond the request limits, split.ts) with the stable,
 * cached system prompt and the schema as structured output; check the answer with zod; on an
 * invalid answer, one repair turn that names the errors; still invalid, one fresh try on the
 * escalation model (skipped when that is the model already used); then the document fails as
 * validation_failed with the errors. A valid answer that fails the schema's consistency checks
 * gets one repair turn that names them; what still fails is kept, for review, as warnings. The SDK's own retries are off: API failures become
 * TransientError / DocumentError / BatchFault (api-errors.ts) and Temporal's retry policy decides.
 * A BatchFault is remembered (fault-gate.ts): the extractions already under way fail with it
 * unsent, and later ones probe with one call until the API answers again.
 */
export function createAnthropicExtractor(options: AnthropicExtractorOptions): AnthropicExtractor {
  const { models } = options;
  for (const model of new Set([models.simple, models.complex, models.escalation])) requirePrice(model);
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: options.requestTimeoutMs ?? 120_000,
  });
  const limits: RequestLimits = { ...apiRequestLimits, ...options.limits };
  const thresholds: RoutingThresholds = { ...defaultRoutingThresholds, ...options.routing };
  const maxTokens = options.maxOutputTokens ?? 8192;
  const limiter = options.rateLimiter === false ? undefined : (options.rateLimiter ?? sharedRateLimiter(client.baseURL, options.apiKey));
  const faults = new FaultGate();

  /** One Messages API call of the extraction that began at fault mark `mark` (see fault-gate.ts). */
  async function call(model: string, system: TextBlockParam[], messages: MessageParam[], schema: z.ZodObject, path: string, mark: number): Promise<CallResult> {
    const ticket = await faults.enter(mark);
    const estimated = estimateInputTokens(system, messages);
    try {
      const waitStart = performance.now();
      await limiter?.acquire(estimated);
      if (limiter) options.observer?.rateLimitWait((performance.now() - waitStart) / 1000);
      faults.check(mark);
    } catch (error) {
      // Not sent: a probe hands its turn on.
      faults.undecided(ticket);
      throw error;
    }
    let message: Message;
    const sentAt = performance.now();
    try {
      const { data, response } = await client.messages
        .create(requestParams(model, maxTokens, system, messages, schema))
        .withResponse();
      limiter?.observe(response.headers);
      limiter?.completed({
        latencyMs: performance.now() - sentAt,
        inputTokens: data.usage.input_tokens + (data.usage.cache_creation_input_tokens ?? 0),
        estimatedInputTokens: estimated,
        outputTokens: data.usage.output_tokens,
      });
      options.observer?.apiResponse(String(response.status));
      faults.answered();
      message = data;
    } catch (error) {
      options.observer?.apiResponse(apiResponseStatus(error));
      if (isApiError(error)) {
        limiter?.observe(error.headers);
        if (error.status === 429) limiter?.pause(retryAfterMs(error.headers) ?? 1000);
      }
      const mapped = toExtractionError(error, { path, model });
      if (mapped instanceof BatchFault) faults.failed(mapped);
      else if (mapped instanceof DocumentError) faults.answered();
      else faults.undecided(ticket);
      throw mapped;
    }
    const usage = usageOf(model, tokenCountsOf(message.usage));
    return { checked: checkAnswer(schema, message), usage };
  }

  /** The first turn: the document, then the instruction. */
  async function askFor(document: SourceDocument, part: DocumentPart | undefined, schemaName: string): Promise<MessageParam[]> {
    return [
      { role: 'user', content: [...(await isolatedDecoding.documentContent(document, options.decoderPool)), { type: 'text', text: extractionInstruction(schemaName, part) }] },
    ];
  }

  /** One document or part: first answer (asked here, or `firstAnswer` when it came from a Message Batch), repair turn, escalation. */
  async function extractPart(
    document: SourceDocument,
    part: DocumentPart | undefined,
    model: string,
    schemaName: string,
    definition: SchemaDefinition,
    mark: number,
    examples: SeedExamples | undefined,
    firstAnswer?: FirstAnswer,
  ): Promise<Extraction> {
    const { schema } = definition;
    const system = systemPrompt(definition, '5m', examples);
    // Built when a call needs it: a valid answer from a Message Batch needs no content at all.
    let asked: MessageParam[] | undefined;
    const ask = async () => (asked ??= await askFor(document, part, schemaName));
    let usage = zeroUsage;
    let calls = 0;
    const attempt = async (attemptModel: string, messages: MessageParam[]) => {
      const result = await call(attemptModel, system, messages, schema, document.path, mark).catch((error: unknown) => {
        throw error instanceof DocumentError ? new DocumentError(error.type, error.message, addUsage(usage, error.usage ?? zeroUsage)) : error;
      });
      usage = addUsage(usage, result.usage);
      calls++;
      return result.checked;
    };

    const repairTurn = async (answer: CheckedOutput, instruction: string): Promise<MessageParam[]> => [
      ...(await ask()),
      { role: 'assistant', content: answer.text.trim() === '' ? '(no answer)' : answer.text },
      { role: 'user', content: instruction },
    ];

    let first: CheckedOutput;
    if (firstAnswer) {
      first = checkAnswer(schema, firstAnswer.message);
      usage = firstAnswer.usage;
      calls++;
    } else {
      first = await attempt(model, await ask());
    }
    if (first.valid) {
      // Parts of a split PDF hold only some of the line items: checks run on the merged whole only.
      const failed = part === undefined ? runChecks(definition, first.data) : [];
      if (failed.length === 0) return { data: first.data, usage, model, calls };
      const repaired = await attempt(model, await repairTurn(first, consistencyRepairInstruction(failed)));
      // The repair wins when it validates and fails fewer checks; what still fails becomes warnings (extract-chunk).
      const better = repaired.valid && runChecks(definition, repaired.data).length < failed.length;
      return { data: better ? repaired.data : first.data, usage, model, calls };
    }
    const repaired = await attempt(model, await repairTurn(first, repairInstruction(first.issues)));
    if (repaired.valid) return { data: repaired.data, usage, model, calls };
    let issues = repaired.issues;
    const tried = [model];
    if (models.escalation !== model) {
      const escalated = await attempt(models.escalation, await ask());
      if (escalated.valid) return { data: escalated.data, usage, model: models.escalation, calls };
      issues = escalated.issues;
      tried.push(models.escalation);
    }
    const where = part === undefined ? '' : ` (pages ${part.firstPage}-${part.lastPage})`;
    throw new DocumentError(
      'validation_failed',
      `${document.path}${where}: the answer does not match the ${schemaName} schema after a repair turn on ${model}${tried.length > 1 ? ` and a try on ${models.escalation}` : ''}: ${issues.join('; ')}`,
      usage,
    );
  }

  /** The model a document goes to, and whether it fits one request (else a PDF is split into parts). */
  async function route(request: ExtractionRequest): Promise<{ definition: SchemaDefinition; model: string; oneRequest: boolean }> {
    const { document } = request;
    const definition = definitionOf(request);
    const profile = await isolatedDecoding.profileDocument(document, thresholds.maxSimplePages + 1, options.decoderPool);
    const { model } = routeModel(profile, models, thresholds);
    if (document.mediaType !== 'application/pdf' || fitsOneRequest(document, profile.pages, limits)) {
      if (document.bytes.length * (document.mediaType.startsWith('text/') ? 1 : 4 / 3) > limits.maxRequestBytes) {
        throw new DocumentError('too_large', `${document.path} is too large for one Messages API request (${limits.maxRequestBytes} bytes): split it`);
      }
      return { definition, model, oneRequest: true };
    }
    return { definition, model, oneRequest: false };
  }

  const documentsInFlight = () => limiter?.documentsInFlight() ?? unpacedDocumentsInFlight;

  return {
    name: 'anthropic',
    settingsKey: `anthropic:v${anthropicExtractorVersion}:${models.simple}/${models.complex}/${models.escalation}:routing=${thresholds.maxSimplePages},${thresholds.maxSimpleBytes},${thresholds.maxSimpleTextChars}:max_tokens=${maxTokens}`,
    // The process's limiter sizes the documents in flight; unpaced, the SDK's own pool is the bound.
    documentsInFlight,
    documentWeight: (sizeBytes) => weightForBytes(sizeBytes, documentsInFlight(), ANTHROPIC_BYTES_IN_FLIGHT),
    async firstRequest(request: ExtractionRequest, cacheTtl: CacheTtl): Promise<FirstRequest> {
      const { definition, model, oneRequest } = await route(request);
      if (!oneRequest) return { kind: 'split' };
      const messages = await askFor(request.document, undefined, request.schemaName);
      return { kind: 'request', model, params: requestParams(model, maxTokens, systemPrompt(definition, cacheTtl, request.examples), messages, definition.schema) };
    },
    async extractFrom(request: ExtractionRequest, first: FirstAnswer): Promise<Extraction> {
      return extractPart(request.document, undefined, first.model, request.schemaName, definitionOf(request), faults.mark(), request.examples, first);
    },
    async extract(request: ExtractionRequest): Promise<Extraction> {
      const { document, schemaName } = request;
      const mark = faults.mark();
      const { definition, model, oneRequest } = await route(request);
      if (oneRequest) return extractPart(document, undefined, model, schemaName, definition, mark, request.examples);
      let usage = zeroUsage;
      let calls = 0;
      const data: Record<string, unknown>[] = [];
      const servedBy = new Set<string>();
      for (const { part, document: partDocument } of await isolatedDecoding.splitPdf(document, limits, options.decoderPool)) {
        try {
          const extraction = await extractPart(partDocument, part, model, schemaName, definition, mark, request.examples);
          usage = addUsage(usage, extraction.usage);
          calls += extraction.calls;
          data.push(extraction.data);
          servedBy.add(extraction.model);
        } catch (error) {
          if (error instanceof DocumentError) throw new DocumentError(error.type, error.message, addUsage(usage, error.usage ?? zeroUsage));
          throw error;
        }
      }
      const checked = definition.schema.safeParse(mergePartData(data));
      if (!checked.success) {
        throw new DocumentError('validation_failed', `${document.path}: the merged parts do not match the ${schemaName} schema: ${schemaIssues(checked.error).join('; ')}`, usage);
      }
      return { data: checked.data, usage, model: [...servedBy].join('+'), calls };
    },
  };
}

/** Documents in flight for an extractor built without a rate limiter (tests, benchmarks). */
const unpacedDocumentsInFlight = 64;
/**
 * Document bytes the requests in flight may hold between them: a request holds its document about
 * four times over (the bytes, their base64, the JSON body and the SDK's copy of it), so 48 MB stays
 * near 200 MB of a worker's 512 MB heap however large its PDFs are.
 */
const ANTHROPIC_BYTES_IN_FLIGHT = 48 * 1024 * 1024;

/** The request's definition, with the request's zod schema (a caller may pass a variant of a built-in one). */
function definitionOf({ schemaName, schema, definition }: ExtractionRequest): SchemaDefinition {
  if (definition) return { ...definition, schema };
  if (isSchemaName(schemaName)) return { ...builtInSchemas[schemaName], schema };
  return { name: schemaName, description: `a ${schemaName}`, schema, rules: [], checks: [], extractors: ['anthropic'] };
}

/** Input tokens a request will be billed for, predicted for the rate limiter's token budget. */
function estimateInputTokens(system: TextBlockParam[], messages: MessageParam[]): number {
  let tokens = system.reduce((sum, block) => sum + textTokens(block.text), 0);
  for (const message of messages) {
    const blocks: ContentBlockParam[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    for (const block of blocks) tokens += blockTokens(block);
  }
  return tokens;
}

function blockTokens(block: ContentBlockParam): number {
  if (block.type === 'text') return textTokens(block.text);
  if (block.type === 'image' && block.source.type === 'base64') {
    return imageTokens(imageSize(block.source.media_type, Buffer.from(block.source.data, 'base64')));
  }
  if (block.type === 'document' && block.source.type === 'base64') {
    // Page count is not known here without parsing; a PDF's bytes are a fair proxy (~50 KB a page).
    return pdfTokens(Math.max(1, Math.round((block.source.data.length * 3) / 4 / 50_000)));
  }
  return 0;
}
