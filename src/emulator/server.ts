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
  fault: FaultKind | undefined;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface EmulatorStats {
  requests: number;
  byStatus: Record<string, number>;
  /** Requests answered 429 by the rate-limit buckets (injected 429s not included). */
  rateLimited: number;
  inFlight: number;
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
  /** Log entries of one document (by identity), in order. */
  callsFor(documentId: string): RequestLogEntry[];
  stop(): Promise<void>;
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const maxRequestBytes = 32 * 1024 * 1024;

/**
 * A local emulator of the Messages API (POST /v1/messages) for tests, benchmarks and offline
 * demos, answering the real SDK over HTTP with the API's own response and error shapes:
 * x-api-key checking; structured output (output_config.format) or forced tool use; document,
 * image and text blocks; usage with prompt-cache accounting; requests/min and input-tokens/min
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
  const cache = new PromptCache(settings.cacheTtlMs, now);
  const buckets = [
    settings.requestsPerMinute > 0 ? new TokenBucket('requests', settings.requestsPerMinute, now, settings.burstSeconds) : undefined,
    settings.inputTokensPerMinute > 0 ? new TokenBucket('input-tokens', settings.inputTokensPerMinute, now, settings.burstSeconds) : undefined,
  ];
  let validKeys = new Set(settings.validKeys);
  let latency = settings.latency;
  const log: RequestLogEntry[] = [];
  const stats: EmulatorStats = { requests: 0, byStatus: {}, rateLimited: 0, inFlight: 0 };

  const rateLimitHeaders = (): Record<string, string> => buckets.reduce<Record<string, string>>((headers, bucket) => ({ ...headers, ...bucket?.headers() }), {});

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = `req_${randomBytes(12).toString('hex')}`;
    const entry: RequestLogEntry = {
      requestId,
      at: now(),
      status: 0,
      model: undefined,
      documentId: undefined,
      mediaTypes: [],
      turn: 'first',
      fault: undefined,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (response.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...rateLimitHeaders(), ...headers });
      response.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}) =>
      send(status, { type: 'error', error: { type: errorTypes[status] ?? 'api_error', message }, request_id: requestId }, headers);

    stats.requests++;
    log.push(entry);
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/messages') {
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
    const body = await readBody(request);
    if (body === undefined) {
      fail(413, `Request exceeds the maximum allowed number of bytes (${maxRequestBytes}).`);
      return;
    }
    let parsed: MessagesRequest;
    try {
      parsed = messagesRequestSchema.parse(JSON.parse(body.toString('utf8')));
    } catch (error) {
      fail(400, `invalid request body: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
      return;
    }
    if (parsed.stream) {
      fail(400, 'stream: the docbatch emulator does not stream');
      return;
    }
    const problem = sourceProblem(parsed);
    if (problem !== undefined) {
      fail(400, problem);
      return;
    }
    const document = requestDocument(parsed);
    entry.model = parsed.model;
    entry.documentId = document?.id;
    entry.mediaTypes = document?.parts.flatMap((part) => (part.mediaType === 'text/plain' ? [] : [part.mediaType])) ?? [];
    entry.turn = parsed.messages.length > 1 ? 'repair' : 'first';

    const drawn = faults.draw({ model: parsed.model, documentId: document?.id });
    const fault = drawn?.kind;
    entry.fault = fault;
    switch (fault) {
      case 'unauthorized':
        return fail(401, 'invalid x-api-key');
      case 'permission_denied':
        return fail(403, `Your API key does not have permission to use ${parsed.model}.`);
      case 'billing':
        return fail(400, 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.');
      case 'rate_limited':
        return fail(429, 'Number of request tokens has exceeded your per-minute rate limit (injected)', { 'retry-after': '1' });
      case 'overloaded':
        return fail(529, 'Overloaded');
      case 'server_error':
        return fail(500, 'Internal server error');
      case 'hang':
        await new Promise<void>((resolve) => response.once('close', () => resolve()));
        entry.status = -1;
        return;
      default:
        break;
    }

    const reading = document ? await reader.read(document) : undefined;
    const usage = inputUsage(parsed, reading?.tokens ?? 0);
    entry.inputTokens = usage.input;
    entry.cacheReadTokens = usage.cacheRead;
    entry.cacheWriteTokens = usage.cacheWrite;

    const [requests, inputTokens] = buckets;
    const admission = [requests?.take(1), inputTokens?.take(usage.input + usage.cacheWrite)];
    const refused = admission.find((result) => result !== undefined && !result.ok);
    if (refused && !refused.ok) {
      stats.rateLimited++;
      return fail(429, 'This request would exceed your organization\u2019s rate limit. Please reduce the prompt length or the number of requests per minute.', {
        'retry-after': String(Math.max(1, Math.ceil(refused.waitMs / 1000))),
      });
    }

    stats.inFlight++;
    try {
      await sleep(latency.minMs + random() * Math.max(0, latency.maxMs - latency.minMs));
    } finally {
      stats.inFlight--;
    }
    const answerSchema = parsed.output_config?.format?.schema ?? parsed.tools?.find((tool) => tool.name === parsed.tool_choice?.name)?.input_schema;
    const answer = reading && answerSchema ? answerForSchema(answerSchema, reading.invoice, reading.text) : {};
    const answerText = answerFor(answer, drawn);
    entry.outputTokens = textTokens(answerText);
    send(200, messageBody(parsed, answerText, fault, entry));
  }

  function inputUsage(request: MessagesRequest, documentTokens: number): { input: number; cacheRead: number; cacheWrite: number } {
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
    const breakpoint = blocks.findLastIndex((entry) => entry.cached);
    if (breakpoint < 0) return { input: total, cacheRead: 0, cacheWrite: 0 };
    const prefixTokens = perBlock.slice(0, breakpoint + 1).reduce((sum, tokens) => sum + tokens, 0);
    const minimum = settings.minCacheableTokens ?? priceOf(request.model)?.minCacheableTokens ?? 1024;
    if (prefixTokens < minimum) return { input: total, cacheRead: 0, cacheWrite: 0 };
    const outcome = cache.use(
      request.model,
      blocks.slice(0, breakpoint + 1).map(({ block }) => block),
    );
    return outcome === 'read'
      ? { input: total - prefixTokens, cacheRead: prefixTokens, cacheWrite: 0 }
      : { input: total - prefixTokens, cacheRead: 0, cacheWrite: prefixTokens };
  }

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
  const { port } = server.address() as AddressInfo;

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
    callsFor(documentId) {
      return log.filter((entry) => entry.documentId === documentId);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBytes) return undefined;
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
      cache_creation: { ephemeral_5m_input_tokens: entry.cacheWriteTokens, ephemeral_1h_input_tokens: 0 },
      output_tokens: entry.outputTokens,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      inference_geo: null,
      speed: null,
    },
  };
}
