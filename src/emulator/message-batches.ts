import { createHash, randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { errorTypeOf } from './api-error';
import type { MessageBatchSettings } from './options';
import { seededRandom } from './random';
import type { Answer } from './server';

/** The API's expiry: a Message Batch ends, what is unprocessed `expired`, 24 hours after create. */
export const messageBatchLifetimeMs = 24 * 60 * 60 * 1000;

/** One line of the results file, exactly as the API writes it. */
export type MessageBatchResultLine = {
  custom_id: string;
  result:
    | { type: 'succeeded'; message: unknown }
    | { type: 'errored'; error: { type: 'error'; error: { type: string; message: string }; request_id: string | null } }
    | { type: 'canceled' }
    | { type: 'expired' };
};

/** What becomes of a request, drawn per custom_id from the seed before processing starts. */
type Fate = 'answer' | 'api_error' | 'overloaded_error' | 'expire';

interface BatchRequestState {
  customId: string;
  /** The Messages API body; dropped once answered. */
  params: unknown;
  fate: Fate;
  /** When it is its turn (spread over processingMs after create). */
  dueAt: number;
  result?: MessageBatchResultLine['result'];
}

export interface MessageBatchState {
  id: string;
  createdAt: number;
  expiresAt: number;
  endedAt: number | undefined;
  cancelInitiatedAt: number | undefined;
  status: 'in_progress' | 'canceling' | 'ended';
  /** While requests are being answered in their turn (false once only expiry or the end is left). */
  answering: boolean;
  requests: BatchRequestState[];
  /** Results in the order they were settled (not the request order, as the API warns). */
  settled: MessageBatchResultLine[];
}

/** Answers one request of a Message Batch with the same code as POST /v1/messages. */
export type AnswerBatchRequest = (params: unknown, request: { id: string; customId: string }) => Promise<Answer>;

const rfc3339 = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * The emulated Message Batches: created, processed in the background (each request answered by
 * the Messages API code, spread over `processingMs`), canceled, expired after 24 h / timeScale,
 * deleted. Requests stay `processing` until the whole batch ends, as the API counts them.
 */
export class MessageBatches {
  private readonly batches = new Map<string, MessageBatchState>();
  /** Creation order, oldest first (list shows newest first). */
  private readonly order: string[] = [];
  /** Each id's place in creation order, deleted ones included: a list cursor stays valid after its batch is deleted. */
  private readonly sequence = new Map<string, number>();
  private readonly wakes = new Map<string, AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private created = 0;
  private stopped = false;

  constructor(
    private readonly settings: MessageBatchSettings,
    private readonly seed: number,
    private readonly now: () => number,
    private readonly answer: AnswerBatchRequest,
  ) {}

  /** Creates a Message Batch from requests already validated (custom_id rules, uniqueness, count) and starts it. */
  create(requests: { custom_id: string; params: unknown }[]): MessageBatchState {
    const createdAt = this.now();
    const id = `msgbatch_${randomId(24)}`;
    const processingOrder = shuffled(requests.length, seededRandom(this.seed + ++this.created));
    const dueAt = new Array<number>(requests.length);
    processingOrder.forEach((index, turn) => (dueAt[index] = createdAt + (this.settings.processingMs * (turn + 1)) / requests.length));
    const batch: MessageBatchState = {
      id,
      createdAt,
      expiresAt: createdAt + messageBatchLifetimeMs / this.settings.timeScale,
      endedAt: undefined,
      cancelInitiatedAt: undefined,
      status: 'in_progress',
      answering: true,
      requests: requests.map((request, index) => ({ customId: request.custom_id, params: request.params, fate: this.fateOf(request.custom_id), dueAt: dueAt[index]! })),
      settled: [],
    };
    this.batches.set(id, batch);
    this.order.push(id);
    this.sequence.set(id, this.sequence.size);
    this.after(batch.expiresAt - createdAt, () => this.end(batch, 'expired'));
    void this.process(batch, processingOrder);
    return batch;
  }

  get(id: string): MessageBatchState | undefined {
    return this.batches.get(id);
  }

  /** Every Message Batch, newest first. */
  list(): MessageBatchState[] {
    return this.order.map((id) => this.batches.get(id)!).reverse();
  }

  /** Where an id (of a batch that exists or existed) is in creation order; undefined for an id never created. */
  sequenceOf(id: string): number | undefined {
    return this.sequence.get(id);
  }

  /** Starts canceling (in progress only): unprocessed requests end `canceled`, those answered keep their result. */
  cancel(batch: MessageBatchState): void {
    if (batch.status !== 'in_progress') return;
    batch.status = 'canceling';
    batch.cancelInitiatedAt = this.now();
    // While requests are being answered, processing ends the batch once those in flight are done;
    // otherwise (only requests left to expire) it ends from here.
    if (batch.answering) this.wakes.get(batch.id)?.abort();
    else this.after(this.settings.cancelingMs, () => this.end(batch, 'canceled'));
  }

  delete(batch: MessageBatchState): void {
    this.batches.delete(batch.id);
    this.order.splice(this.order.indexOf(batch.id), 1);
  }

  /** Requests waiting to be processed, over every Message Batch not ended (the API's processing queue). */
  queued(): number {
    let count = 0;
    for (const batch of this.batches.values()) if (batch.status !== 'ended') count += batch.requests.filter((request) => request.result === undefined).length;
    return count;
  }

  /** Ms until the earliest batch not ended is due to finish processing (a retry-after for a full queue). */
  untilQueueMoves(): number {
    const ends = [...this.batches.values()].filter((batch) => batch.status !== 'ended').map((batch) => batch.createdAt + this.settings.processingMs);
    return ends.length === 0 ? 0 : Math.max(0, Math.min(...ends) - this.now());
  }

  /** The API's `message_batch` object. */
  view(batch: MessageBatchState, baseUrl: string) {
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (batch.status === 'ended') for (const line of batch.settled) counts[line.result.type]++;
    else counts.processing = batch.requests.length;
    return {
      id: batch.id,
      type: 'message_batch' as const,
      processing_status: batch.status,
      request_counts: counts,
      ended_at: rfc3339(batch.endedAt),
      created_at: rfc3339(batch.createdAt)!,
      expires_at: rfc3339(batch.expiresAt)!,
      archived_at: null,
      cancel_initiated_at: rfc3339(batch.cancelInitiatedAt),
      results_url: batch.status === 'ended' ? `${baseUrl}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.wakes.values()) wake.abort();
  }

  private fateOf(customId: string): Fate {
    const digest = createHash('sha256').update(`${this.seed}:${customId}`).digest();
    const draw = digest.readUInt32BE(0) / 2 ** 32;
    const { erroredShare, expiredShare } = this.settings;
    if (draw < erroredShare) return digest[4]! % 2 === 0 ? 'api_error' : 'overloaded_error';
    if (draw < erroredShare + expiredShare) return 'expire';
    return 'answer';
  }

  /** Answers the requests in their turn, `concurrency` at a time, until done, canceled or expired. */
  private async process(batch: MessageBatchState, processingOrder: number[]): Promise<void> {
    const wake = new AbortController();
    const answerers = Math.min(this.settings.concurrency, processingOrder.length);
    // Each answerer waits on `wake` (one listener at a time): more than Node's 10 is expected with a higher concurrency.
    setMaxListeners(Math.max(10, answerers), wake.signal);
    this.wakes.set(batch.id, wake);
    let next = 0;
    const worker = async () => {
      while (batch.status === 'in_progress' && next < processingOrder.length) {
        const request = batch.requests[processingOrder[next++]!]!;
        await this.until(request.dueAt, wake.signal);
        if (batch.status !== 'in_progress') return;
        await this.settle(batch, request);
      }
    };
    await Promise.all(Array.from({ length: answerers }, worker));
    this.wakes.delete(batch.id);
    batch.answering = false;
    if (this.stopped || batch.status === 'ended') return;
    if (batch.status === 'canceling') this.after(this.settings.cancelingMs, () => this.end(batch, 'canceled'));
    // Requests left unanswered (drawn to expire, or a hang) keep the batch in progress until its expiry.
    else if (batch.requests.every((request) => request.result !== undefined)) this.end(batch, 'expired');
  }

  private async settle(batch: MessageBatchState, request: BatchRequestState): Promise<void> {
    let result: MessageBatchResultLine['result'] | undefined;
    if (request.fate === 'api_error') result = errored('api_error', 'Internal server error', null);
    else if (request.fate === 'overloaded_error') result = errored('overloaded_error', 'Overloaded', null);
    else if (request.fate === 'answer') {
      // A request the emulator cannot answer (it throws) is a server error of that request, not of the batch.
      const outcome = await this.answer(request.params, { id: batch.id, customId: request.customId }).catch(
        (error: unknown): Answer => ({ kind: 'error', status: 500, message: `Internal server error: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}` }),
      );
      if (outcome.kind === 'message') result = { type: 'succeeded', message: outcome.message };
      else if (outcome.kind === 'error') result = errored(errorTypeOf(outcome.status), outcome.message, null);
    }
    if (result === undefined || batch.status === 'ended') return;
    request.result = result;
    request.params = undefined;
    batch.settled.push({ custom_id: request.customId, result });
  }

  /** Ends the batch (once): what has no result yet becomes `canceled` or `expired`. */
  private end(batch: MessageBatchState, unsettled: 'canceled' | 'expired'): void {
    if (batch.status === 'ended') return;
    this.wakes.get(batch.id)?.abort();
    for (const request of batch.requests) {
      if (request.result !== undefined) continue;
      const result = { type: unsettled };
      request.result = result;
      request.params = undefined;
      batch.settled.push({ custom_id: request.customId, result });
    }
    batch.status = 'ended';
    batch.endedAt = this.now();
  }

  private after(ms: number, run: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, Math.max(0, ms));
    timer.unref();
    this.timers.add(timer);
  }

  private until(at: number, signal: AbortSignal): Promise<void> {
    const wait = at - this.now();
    // Even when due, yield to I/O: a batch being answered must not starve the process it runs in
    // (in tests, the worker's heartbeats and the SDK's responses share it).
    if (wait <= 0 || signal.aborted) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function errored(type: string, message: string, requestId: string | null): MessageBatchResultLine['result'] {
  return { type: 'errored', error: { type: 'error', error: { type, message }, request_id: requestId } };
}

function shuffled(length: number, random: () => number): number[] {
  const indices = Array.from({ length }, (_, index) => index);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices;
}

const idAlphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function randomId(length: number): string {
  return Array.from({ length }, () => idAlphabet[randomInt(idAlphabet.length)]).join('');
}
