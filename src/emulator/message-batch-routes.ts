import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorBody } from './api-error';
import type { MessageBatches, MessageBatchState } from './message-batches';
import type { MessageBatchSettings } from './options';
import { readBody, type EmulatorStats } from './server';
import { TokenBucket } from './token-bucket';

/** The API's rule for custom_id. */
export const customIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;

type Reply = { status: number; body: unknown; headers?: Record<string, string> | undefined };

/**
 * The Message Batches endpoints over HTTP: POST/GET /v1/messages/batches, GET/DELETE
 * /v1/messages/batches/{id}, POST .../{id}/cancel, GET .../{id}/results (JSONL). Their own
 * requests/min bucket (shared by every batch endpoint) and the limit on requests waiting in the
 * processing queue answer 429 with retry-after; create takes at most maxRequests requests and
 * maxBodyBytes (413 request_too_large beyond); the requests' params are validated when they are
 * processed (errored results), as the API does.
 */
export class MessageBatchRoutes {
  private readonly bucket: TokenBucket | undefined;

  constructor(
    private readonly batches: MessageBatches,
    private readonly settings: MessageBatchSettings,
    now: () => number,
    private readonly stats: EmulatorStats,
    private readonly baseUrl: () => string,
  ) {
    this.bucket = settings.requestsPerMinute > 0 ? new TokenBucket('requests', settings.requestsPerMinute, now) : undefined;
  }

  async handle(request: IncomingMessage, response: ServerResponse, url: URL, requestId: string, count: (status: number) => void): Promise<void> {
    // results_url points back where the client reached the emulator (as the API's points at itself).
    const baseUrl = request.headers.host ? `http://${request.headers.host}` : this.baseUrl();
    const reply = async (): Promise<Reply | 'streamed'> => {
      const admitted = this.bucket?.take(1);
      if (admitted && !admitted.ok) {
        this.stats.batchRateLimited++;
        return this.error(429, 'Number of requests has exceeded your per-minute rate limit for the Message Batches API.', {
          'retry-after': String(Math.max(1, Math.ceil(admitted.waitMs / 1000))),
        });
      }
      const [id, action, extra] = url.pathname.slice('/v1/messages/batches'.length).split('/').filter((part) => part !== '');
      if (extra !== undefined) return this.notFound(request, url);
      if (id === undefined) {
        if (request.method === 'POST') return this.create(request, baseUrl);
        if (request.method === 'GET') return this.list(url.searchParams, baseUrl);
        return this.notFound(request, url);
      }
      const batch = this.batches.get(id);
      if (batch === undefined) return this.error(404, `message_batch not found: ${id}`);
      if (action === undefined && request.method === 'GET') return this.ok(batch, baseUrl);
      if (action === undefined && request.method === 'DELETE') {
        if (batch.status !== 'ended') return this.error(400, `Message Batch ${id} cannot be deleted while it is ${batch.status}: only an ended batch can be deleted; cancel it first.`);
        this.batches.delete(batch);
        return { status: 200, body: { id, type: 'message_batch_deleted' } };
      }
      if (action === 'cancel' && request.method === 'POST') {
        if (batch.status === 'ended') return this.error(400, `Message Batch ${id} has already ended and cannot be canceled.`);
        this.batches.cancel(batch);
        return this.ok(batch, baseUrl);
      }
      if (action === 'results' && request.method === 'GET') {
        if (batch.status !== 'ended') return this.error(400, `Message Batch ${id} is ${batch.status}: its results are available once processing has ended.`);
        count(200);
        response.writeHead(200, { 'content-type': 'application/binary', 'request-id': requestId, ...this.bucket?.headers() });
        await pipeline(Readable.from(resultLines(batch)), response);
        return 'streamed';
      }
      return this.notFound(request, url);
    };
    const result = await reply();
    if (result === 'streamed') return;
    count(result.status);
    if (response.destroyed) return;
    const body = result.status >= 400 ? errorBody(result.status, (result.body as { message: string }).message, requestId) : result.body;
    response.writeHead(result.status, { 'content-type': 'application/json', 'request-id': requestId, ...this.bucket?.headers(), ...result.headers });
    response.end(JSON.stringify(body));
  }

  private async create(request: IncomingMessage, baseUrl: string): Promise<Reply> {
    const { maxBodyBytes, maxRequests, maxQueuedRequests } = this.settings;
    const raw = await readBody(request, maxBodyBytes);
    if (raw === undefined) return this.error(413, `Request exceeds the maximum allowed number of bytes (${maxBodyBytes}) for a Message Batch.`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      return this.error(400, `invalid request body: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
    }
    const problem = createProblem(body, maxRequests);
    if (problem !== undefined) return this.error(400, problem);
    const requests = (body as { requests: { custom_id: string; params: unknown }[] }).requests;
    if (maxQueuedRequests > 0 && this.batches.queued() + requests.length > maxQueuedRequests) {
      this.stats.batchRateLimited++;
      return this.error(
        429,
        `Number of batch requests waiting to be processed would exceed your limit of ${maxQueuedRequests} (${this.batches.queued()} waiting, ${requests.length} in this Message Batch).`,
        { 'retry-after': String(Math.max(1, Math.ceil(this.batches.untilQueueMoves() / 1000))) },
      );
    }
    return this.ok(this.batches.create(requests), baseUrl);
  }

  private list(query: URLSearchParams, baseUrl: string): Reply {
    const limitText = query.get('limit') ?? '20';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return this.error(400, `limit: Input should be an integer between 1 and 1000, not ${limitText}`);
    const beforeId = query.get('before_id');
    const afterId = query.get('after_id');
    if (beforeId !== null && afterId !== null) return this.error(400, 'before_id and after_id cannot both be given');
    const cursor = beforeId ?? afterId;
    const at = cursor === null ? undefined : this.batches.sequenceOf(cursor);
    if (cursor !== null && at === undefined) return this.error(400, `${beforeId !== null ? 'before_id' : 'after_id'}: no Message Batch ${cursor}`);
    // Newest first: after_id pages to older batches, before_id to newer ones (the nearest `limit`).
    const all = this.batches.list();
    const newer = at === undefined ? [] : all.filter((batch) => this.batches.sequenceOf(batch.id)! > at);
    const older = at === undefined ? all : all.filter((batch) => this.batches.sequenceOf(batch.id)! < at);
    const page = beforeId !== null ? newer.slice(-limit) : older.slice(0, limit);
    const hasMore = beforeId !== null ? newer.length > limit : older.length > limit;
    const data = page.map((batch) => this.batches.view(batch, baseUrl));
    return { status: 200, body: { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null } };
  }

  private ok(batch: MessageBatchState, baseUrl: string): Reply {
    return { status: 200, body: this.batches.view(batch, baseUrl) };
  }

  private error(status: number, message: string, headers?: Record<string, string>): Reply {
    return { status, body: { message }, headers };
  }

  private notFound(request: IncomingMessage, url: URL): Reply {
    return this.error(404, `Not found: ${request.method} ${url.pathname}`);
  }
}

function* resultLines(batch: MessageBatchState): Generator<string> {
  for (const line of batch.settled) yield `${JSON.stringify(line)}\n`;
}

/**
 * Why the API refuses a create body (400 invalid_request_error), or undefined: no `requests`
 * list, none or more than `maxRequests`, a request without a custom_id matching the API's pattern
 * or without a params object, a custom_id used twice.
 */
export function createProblem(body: unknown, maxRequests: number): string | undefined {
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (requests === undefined) return 'requests: Field required';
  if (!Array.isArray(requests)) return 'requests: Input should be a valid list';
  if (requests.length === 0) return 'requests: List should have at least 1 item after validation, not 0';
  if (requests.length > maxRequests) return `requests: List should have at most ${maxRequests} items after validation, not ${requests.length}`;
  const seen = new Map<string, number>();
  for (const [index, request] of requests.entries()) {
    const { custom_id: customId, params } = (request ?? {}) as { custom_id?: unknown; params?: unknown };
    if (typeof customId !== 'string') return `requests.${index}.custom_id: Field required (a string)`;
    if (!customIdPattern.test(customId)) return `requests.${index}.custom_id: String should match pattern '${customIdPattern.source}'`;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) return `requests.${index}.params: Input should be a valid dictionary`;
    const first = seen.get(customId);
    if (first !== undefined) return `requests.${index}.custom_id: '${customId}' is also the custom_id of requests.${first}; custom_id must be unique within a Message Batch`;
    seen.set(customId, index);
  }
  return undefined;
}
