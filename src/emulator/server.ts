import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { textTokens } from '../extraction/anthropic/tokens';
import { priceOf } from '../extraction/pricing';
import { DocumentReader } from './answer';
import { answerForSchema } from './schema-answer';
import { FaultInjector } from './faults';
import { emulatorOptionsSchema, faultSchema, type EmulatorOptions, type Fault, type FaultKind } from './options';
import { PromptCache } from './prompt-cache';
import { seededRandom } from './random';
import { messagesRequestSchema, promptBlocks, requestDocument, sourceProblem, type MessagesRequest } from './request';
import { TokenBucket } from './token-bucket';
import { errorBody } from './api-error';
import { MessageBatches } from './message-batches';
import { MessageBatchRoutes } from './message-batch-routes';

/** One request as the emulator saw it: tests count calls per document and turn from these. */
export interface RequestLogEntry {
  requestId: string;
  at: number;
  status: number;
  model: string | undefined;
  /** sha256 of the document's bytes (see documentIdentity). */
  documentId: string | undefined;
  /** Media types of the request's document and image blocks, in order (one per page of a multi-page image). */
  mediaTypes: string[];
  /** 'first' for a one-message request, 'repair' when earlier turns are replayed. */
  turn: 'first' | 'repair';
  /** How the request came: POST /v1/messages, or as a request of a Message Batch (then its batch and custom_id). */
  via: 'messages' | 'message-batch';
  batchId?: string;
  customId?: string;
  fault: FaultKind | undefined;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** All cache writes; of them, `cacheWrite1hTokens` with the 1-hour TTL. */
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
}

export interface EmulatorStats {
  requests: number;
  byStatus: Record<string, number>;
  /** Requests answered 429 by the rate-limit buckets (injected 429s not included). */
  rateLimited: number;
  inFlight: number;
  /** Requests to the Message Batches endpoints answered 429 (their requests/min or the processing queue). */
  batchRateLimited: number;
}

export interface Emulator {
  /** Base URL for the SDK (`baseURL`) or ANTHROPIC_BASE_URL. */
  url: string;
  log: RequestLogEntry[];
  stats: EmulatorStats;
  /** Replaces the injected faults with this one (null: none). */
  setFault(fault: Fault | null): void;
  addFault(fault: Fault): void;
  /** The API keys accepted from now on ("fix the key" in tests). */
  setValidKeys(keys: string[]): void;
  setLatency(latency: { minMs: number; maxMs: number }): void;
  /** The emulated Message Batches (for tests: their state without going through the API). */
  messageBatches: MessageBatches;
  /** Log entries of one document (by identity), in order: realtime calls and Message Batch requests alike. */
  callsFor(documentId: string): RequestLogEntry[];
  stop(): Promise<void>;
}

/** Input usage of one request (tokens). */
export interface Usage {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
}

/** What a Messages API request gets: the Message, an error (status, message), or no answer at all (the hang fault). */
export type Answer =
  | { kind: 'message'; message: ReturnType<typeof messageBody> }
  | { kind: 'error'; status: number; message: string; headers?: Record<string, string> }
  | { kind: 'hang' };

/** Steps only realtime calls take: the rate-limit buckets (admit/charge) and the latency (think). */
interface AnswerHooks {
  admit?: (usage: Usage) => Answer | undefined;
  think?: () => Promise<void>;
  charge?: (outputTokens: number) => void;
}

const maxRequestBytes = 32 * 1024 * 1024;

/**
 * A local emulator of the Messages API (POST /v1/messages) for tests, benchmarks and offline
 * demos, answering the real SDK over HTTP with the API's own response and error shapes:
 * x-api-key checking; structured output (output_config.format) or forced tool use; document,
 * image and text blocks; usage with prompt-cache accounting; requests/min, input-tokens/min and output-tokens/min
 * buckets answering 429 with retry-after and anthropic-ratelimit-* headers (on every response);
 * a seeded latency distribution; injected faults; a request log. Its "model" is docbatch's local
 * extractor, so answers are schema-valid extractions computed from the document's text.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = emulatorOptionsSchema.parse(options);
  const now = () => Date.now();
  const random = seededRandom(settings.seed);
  const faults = new FaultInjector(random, settings.faults);
  const reader = new DocumentReader();
  const cache = new PromptCache(now);
  const buckets = [
    settings.requestsPerMinute > 0 ? new TokenBucket('requests', settings.requestsPerMinute, now, settings.burstSeconds) : undefined,
    settings.inputTokensPerMinute > 0 ? new TokenBucket('input-tokens', settings.inputTokensPerMinute, now, settings.burstSeconds) : undefined,
    settings.outputTokensPerMinute > 0 ? new TokenBucket('output-tokens', settings.outputTokensPerMinute, now, settings.burstSeconds) : undefined,
  ];
  let validKeys = new Set(settings.validKeys);
  let latency = settings.latency;
  const log: RequestLogEntry[] = [];
  const stats: EmulatorStats = { requests: 0, byStatus: {}, rateLimited: 0, inFlight: 0, batchRateLimited: 0 };

  const messageBatches = new MessageBatches(settings.messageBatches, settings.seed, now, async (params, batch) => {
    const entry = newEntry(`req_${randomBytes(12).toString('hex')}`, 'message-batch');
    entry.batchId = batch.id;
    entry.customId = batch.customId;
    log.push(entry);
    const outcome = await answer(params, entry);
    entry.status = outcome.kind === 'message' ? 200 : outcome.kind === 'error' ? outcome.status : -1;
    return outcome;
  });
  const messageBatchRoutes = new MessageBatchRoutes(messageBatches, settings.messageBatches, now, stats, () => `http://${settings.host}:${port}`);

  const rateLimitHeaders = (): Record<string, string> => buckets.reduce<Record<string, string>>((headers, bucket) => ({ ...headers, ...bucket?.headers() }), {});

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = `req_${randomBytes(12).toString('hex')}`;
    const entry = newEntry(requestId, 'messages');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (response.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...rateLimitHeaders(), ...headers });
      response.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}) => send(status, errorBody(status, message, requestId), headers);

    stats.requests++;
    const url = new URL(request.url ?? '/', 'http://emulator');
    const batchRoute = url.pathname === '/v1/messages/batches' || url.pathname.startsWith('/v1/messages/batches/');
    if (!batchRoute) log.push(entry);
    if (!batchRoute && (request.method !== 'POST' || url.pathname !== '/v1/messages')) {
      fail(404, `Not found: ${request.method} ${request.url}`);
      return;
    }
    // The API takes the key as x-api-key; SDK 1.x sends it as a bearer token. Either will do.
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const key = request.headers['x-api-key'] ?? bearer;
    if (typeof key !== 'string' || !validKeys.has(key)) {
      fail(401, 'invalid x-api-key');
      return;
    }
    if (batchRoute) {
      await messageBatchRoutes.handle(request, response, url, requestId, (status) => {
        stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      });
      return;
    }
    const body = await readBody(request, maxRequestBytes);
    if (body === undefined) {
      fail(413, `Request exceeds the maximum allowed number of bytes (${maxRequestBytes}).`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      fail(400, `invalid request body: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
      return;
    }
    const outcome = await answer(json, entry, {
      admit: (usage) => {
        const [requests, inputTokens, outputTokens] = buckets;
        // Output tokens are not known before the answer: a request is refused while the bucket is in
        // debt, and each answer is charged its tokens when it is sent.
        const admission = [requests?.take(1), inputTokens?.take(usage.input + usage.cacheWrite), outputTokens?.take(0)];
        const refused = admission.find((result) => result !== undefined && !result.ok);
        if (!refused || refused.ok) return undefined;
        stats.rateLimited++;
        return {
          kind: 'error',
          status: 429,
          message: 'This request would exceed your organization\u2019s rate limit. Please reduce the prompt length or the number of requests per minute.',
          headers: { 'retry-after': String(Math.max(1, Math.ceil(refused.waitMs / 1000))) },
        };
      },
      think: async () => {
        stats.inFlight++;
        try {
          await sleep(latency.minMs + random() * Math.max(0, latency.maxMs - latency.minMs));
        } finally {
          stats.inFlight--;
        }
      },
      charge: (tokens) => buckets[2]?.charge(tokens),
    });
    if (outcome.kind === 'hang') {
      await new Promise<void>((resolve) => response.once('close', () => resolve()));
      entry.status = -1;
      return;
    }
    if (outcome.kind === 'error') return fail(outcome.status, outcome.message, outcome.headers);
    send(200, outcome.message);
  }

  function newEntry(requestId: string, via: RequestLogEntry['via']): RequestLogEntry {
    return {
      requestId,
      at: now(),
      status: 0,
      model: undefined,
      documentId: undefined,
      mediaTypes: [],
      turn: 'first',
      via,
      fault: undefined,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
    };
  }

  /**
   * Answers one Messages API request body, as POST /v1/messages and every request of a Message
   * Batch do: validation, the document, injected faults, usage with prompt caching, the answer.
   * The hooks are what only realtime calls have: the rate-limit buckets and the latency.
   */
  async function answer(raw: unknown, entry: RequestLogEntry, hooks: AnswerHooks = {}): Promise<Answer> {
    const parsed = messagesRequestSchema.safeParse(raw);
    if (!parsed.success) return { kind: 'error', status: 400, message: `invalid request body: ${parsed.error.message.slice(0, 500)}` };
    const request = parsed.data;
    if (request.stream) return { kind: 'error', status: 400, message: 'stream: the docbatch emulator does not stream' };
    const problem = sourceProblem(request);
    if (problem !== undefined) return { kind: 'error', status: 400, message: problem };
    const document = requestDocument(request);
    entry.model = request.model;
    entry.documentId = document?.id;
    entry.mediaTypes = document?.parts.flatMap((part) => (part.mediaType === 'text/plain' ? [] : [part.mediaType])) ?? [];
    entry.turn = request.messages.length > 1 ? 'repair' : 'first';

    const drawn = faults.draw({ model: request.model, documentId: document?.id });
    const fault = drawn?.kind;
    entry.fault = fault;
    switch (fault) {
      case 'unauthorized':
        return { kind: 'error', status: 401, message: 'invalid x-api-key' };
      case 'permission_denied':
        return { kind: 'error', status: 403, message: `Your API key does not have permission to use ${request.model}.` };
      case 'billing':
        return { kind: 'error', status: 400, message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.' };
      case 'rate_limited':
        return { kind: 'error', status: 429, message: 'Number of request tokens has exceeded your per-minute rate limit (injected)', headers: { 'retry-after': '1' } };
      case 'overloaded':
        return { kind: 'error', status: 529, message: 'Overloaded' };
      case 'server_error':
        return { kind: 'error', status: 500, message: 'Internal server error' };
      case 'hang':
        return { kind: 'hang' };
      default:
        break;
    }

    const reading = document ? await reader.read(document) : undefined;
    const usage = inputUsage(request, reading?.tokens ?? 0);
    entry.inputTokens = usage.input;
    entry.cacheReadTokens = usage.cacheRead;
    entry.cacheWriteTokens = usage.cacheWrite;
    entry.cacheWrite1hTokens = usage.cacheWrite1h;
    const refused = hooks.admit?.(usage);
    if (refused) return refused;
    await hooks.think?.();
    const answerSchema = request.output_config?.format?.schema ?? request.tools?.find((tool) => tool.name === request.tool_choice?.name)?.input_schema;
    const extraction = reading && answerSchema ? answerForSchema(answerSchema, reading.invoice, reading.text) : {};
    const answerText = answerFor(extraction, drawn);
    entry.outputTokens = textTokens(answerText);
    hooks.charge?.(entry.outputTokens);
    return { kind: 'message', message: messageBody(request, answerText, fault, entry) };
  }

  /**
   * Input usage with prompt caching: the longest breakpoint prefix still cached is read; the
   * segments after it up to the last cacheable breakpoint are written, each at its breakpoint's TTL;
   * every cacheable breakpoint prefix is (re)written. A prefix under the model's minimum is not cached.
   */
  function inputUsage(request: MessagesRequest, documentTokens: number): Usage {
    const blocks = promptBlocks(request);
    let documentCounted = false;
    const tokensOf = (block: unknown): number => {
      const type = (block as { type?: string }).type;
      // The reading prices all of the document's blocks (every page of a multi-page image) at once.
      if (type === 'document' || type === 'image') {
        if (documentCounted) return 0;
        documentCounted = true;
        return documentTokens;
      }
      if (type === 'text') return textTokens((block as { text: string }).text);
      return textTokens(JSON.stringify(block));
    };
    const perBlock = blocks.map(({ block }) => tokensOf(block));
    const formatTokens = request.output_config?.format ? textTokens(JSON.stringify(request.output_config.format.schema)) : 0;
    const total = perBlock.reduce((sum, tokens) => sum + tokens, 0) + formatTokens;
    const prefixTokens = (index: number) => perBlock.slice(0, index + 1).reduce((sum, tokens) => sum + tokens, 0);
    const prefix = (index: number) => blocks.slice(0, index + 1).map(({ block }) => block);
    const minimum = settings.minCacheableTokens ?? priceOf(request.model)?.minCacheableTokens ?? 1024;
    const breakpoints = blocks.flatMap((entry, index) =>
      entry.cacheTtl !== undefined && prefixTokens(index) >= minimum ? [{ index, ttl: entry.cacheTtl, tokens: prefixTokens(index) }] : [],
    );
    const last = breakpoints.at(-1);
    if (last === undefined) return { input: total, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0 };
    const hit = breakpoints.findLast((breakpoint) => cache.has(request.model, prefix(breakpoint.index)));
    let written = hit?.tokens ?? 0;
    let cacheWrite = 0;
    let cacheWrite1h = 0;
    for (const breakpoint of breakpoints) {
      if (breakpoint.tokens > written) {
        cacheWrite += breakpoint.tokens - written;
        if (breakpoint.ttl === '1h') cacheWrite1h += breakpoint.tokens - written;
        written = breakpoint.tokens;
      }
      cache.put(request.model, prefix(breakpoint.index), breakpoint.ttl === '1h' ? settings.cacheTtl1hMs : settings.cacheTtlMs);
    }
    return { input: total - last.tokens, cacheRead: hit?.tokens ?? 0, cacheWrite, cacheWrite1h };
  }

  let port = 0;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  ({ port } = server.address() as AddressInfo);

  return {
    url: `http://${settings.host}:${port}`,
    log,
    stats,
    setFault(fault) {
      faults.clear();
      if (fault) faults.add(faultSchema.parse(fault));
    },
    addFault(fault) {
      faults.add(faultSchema.parse(fault));
    },
    setValidKeys(keys) {
      validKeys = new Set(keys);
    },
    setLatency(next) {
      latency = next;
    },
    messageBatches,
    callsFor(documentId) {
      return log.filter((entry) => entry.documentId === documentId);
    },
    async stop() {
      messageBatches.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The request's body, or undefined when it is over `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The answer's text: the extraction as JSON, or the broken output a fault asks for. */
function answerFor(answer: Record<string, unknown>, fault: Fault | undefined): string {
  if (fault?.kind === 'malformed_output') return `Here is the extracted data: ${JSON.stringify(answer).slice(0, 40)}`;
  if (fault?.kind === 'invalid_output') return JSON.stringify({ ...answer, issueDate: 'the third of March', currency: 'euros' });
  if (fault?.kind === 'inconsistent_output') {
    return JSON.stringify({ ...answer, ...(fault.patch ?? { total: (typeof answer.total === 'number' ? answer.total : 0) + 100 }) });
  }
  return JSON.stringify(answer);
}

/** The Message object, exactly as the API shapes it. */
function messageBody(request: MessagesRequest, text: string, fault: FaultKind | undefined, entry: RequestLogEntry) {
  const forcedTool = request.tool_choice?.type === 'tool' ? request.tool_choice.name : undefined;
  const content =
    forcedTool !== undefined && fault !== 'malformed_output'
      ? [{ type: 'tool_use', id: `toolu_${randomBytes(12).toString('hex')}`, name: forcedTool, input: JSON.parse(text) as unknown, caller: null }]
      : [{ type: 'text', text, citations: null }];
  return {
    id: `msg_${randomBytes(12).toString('hex')}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: forcedTool !== undefined ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: entry.inputTokens,
      cache_creation_input_tokens: entry.cacheWriteTokens,
      cache_read_input_tokens: entry.cacheReadTokens,
      cache_creation: { ephemeral_5m_input_tokens: entry.cacheWriteTokens - entry.cacheWrite1hTokens, ephemeral_1h_input_tokens: entry.cacheWrite1hTokens },
      output_tokens: entry.outputTokens,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: entry.via === 'message-batch' ? 'batch' : 'standard',
      inference_geo: null,
      speed: null,
    },
  };
}
