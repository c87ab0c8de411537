import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic, { AnthropicError, APIError, BadRequestError, NotFoundError, RateLimitError } from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorOptionsFromFlags, startEmulator, type Emulator, type EmulatorOptions } from '../src/emulator';
import { invoiceSchema } from '../src/extraction/schemas/invoice';

const samples = path.resolve('samples/invoices');
type MessageBatch = Anthropic.Messages.MessageBatch;
type BatchRequest = Anthropic.Messages.BatchCreateParams.Request;

let invoiceText = '';
beforeAll(async () => {
  invoiceText = await readFile(path.join(samples, 'invoice-02-two-column.txt'), 'utf8');
});

/** What docbatch sends per document: structured output, a long system prompt cached for 1 hour. */
const params = (text = invoiceText): Anthropic.MessageCreateParamsNonStreaming => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 2048,
  system: [{ type: 'text', text: 'Extract the invoice fields. '.repeat(300), cache_control: { type: 'ephemeral', ttl: '1h' } }],
  messages: [{ role: 'user', content: [{ type: 'text', text: `<document>\n${text}\n</document>` }] }],
  output_config: { format: zodOutputFormat(invoiceSchema) },
});
const requests = (count: number, prefix = 'doc'): BatchRequest[] => Array.from({ length: count }, (_, index) => ({ custom_id: `${prefix}-${index}`, params: params() }));

async function withEmulator(options: EmulatorOptions, run: (client: Anthropic, emulator: Emulator) => Promise<void>): Promise<void> {
  const emulator = await startEmulator(options);
  try {
    await run(new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries: 0 }), emulator);
  } finally {
    await emulator.stop();
  }
}

/** Polls until the batch has ended, checking on every look what the API promises before that. */
async function untilEnded(client: Anthropic, id: string, seen: MessageBatch[] = []): Promise<MessageBatch> {
  for (;;) {
    const batch = await client.messages.batches.retrieve(id);
    seen.push(batch);
    if (batch.processing_status === 'ended') return batch;
    await sleep(50);
  }
}

async function resultsOf(client: Anthropic, id: string): Promise<Anthropic.Messages.MessageBatchIndividualResponse[]> {
  const lines: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
  for await (const line of await client.messages.batches.results(id)) lines.push(line);
  return lines;
}

const counts = (batch: MessageBatch) => batch.request_counts;
const total = (batch: MessageBatch) => {
  const { processing, succeeded, errored, canceled, expired } = counts(batch);
  return processing + succeeded + errored + canceled + expired;
};

describe('Message Batches API emulator through the real SDK', () => {
  it('creates a batch in the API shape, keeps every request processing until it ends, then serves the results', async () => {
    await withEmulator({ messageBatches: { processingMs: 600 } }, async (client) => {
      const created = await client.messages.batches.create({ requests: requests(5) });
      expect(created).toMatchObject({
        type: 'message_batch',
        processing_status: 'in_progress',
        request_counts: { processing: 5, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
        ended_at: null,
        archived_at: null,
        cancel_initiated_at: null,
        results_url: null,
      });
      expect(created.id).toMatch(/^msgbatch_[A-Za-z0-9]+$/);
      expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(24 * 60 * 60 * 1000);

      const seen: MessageBatch[] = [];
      const ended = await untilEnded(client, created.id, seen);
      for (const batch of seen.filter((look) => look.processing_status !== 'ended')) {
        expect(counts(batch)).toEqual({ processing: 5, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
        expect(batch.results_url).toBeNull();
        expect(batch.ended_at).toBeNull();
      }
      expect(counts(ended)).toEqual({ processing: 0, succeeded: 5, errored: 0, canceled: 0, expired: 0 });
      expect(ended.results_url).toBe(`${client.baseURL}/v1/messages/batches/${created.id}/results`);
      expect(Date.parse(ended.ended_at!)).toBeGreaterThanOrEqual(Date.parse(created.created_at));

      const results = await resultsOf(client, created.id);
      expect(results.map((line) => line.custom_id).sort()).toEqual(['doc-0', 'doc-1', 'doc-2', 'doc-3', 'doc-4']);
      for (const line of results) {
        expect(line.result.type).toBe('succeeded');
        if (line.result.type !== 'succeeded') continue;
        const { message } = line.result;
        expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', stop_reason: 'end_turn' });
        expect(message.usage.service_tier).toBe('batch');
        const block = message.content[0]!;
        expect(invoiceSchema.parse(JSON.parse(block.type === 'text' ? block.text : '')).invoiceNumber).toBeTruthy();
      }
    });
  });

  it('answers many requests of a batch at once without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      await withEmulator({ messageBatches: { processingMs: 300, concurrency: 16 } }, async (client) => {
        const created = await client.messages.batches.create({ requests: requests(40) });
        expect(counts(await untilEnded(client, created.id))).toMatchObject({ succeeded: 40 });
        // Node emits the warning on a later tick.
        await new Promise((resolve) => setImmediate(resolve));
      });
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message)).toEqual([]);
  });

  it('answers each request with the same code as POST /v1/messages, 1-hour cache writes counted by TTL', async () => {
    await withEmulator({ messageBatches: { processingMs: 200 } }, async (client, emulator) => {
      const created = await client.messages.batches.create({ requests: requests(3) });
      await untilEnded(client, created.id);
      const messages = (await resultsOf(client, created.id)).map((line) => (line.result.type === 'succeeded' ? line.result.message : undefined));
      const writes = messages.filter((message) => (message?.usage.cache_creation_input_tokens ?? 0) > 0);
      expect(writes).toHaveLength(1);
      const write = writes[0]!.usage;
      expect(write.cache_creation).toEqual({ ephemeral_1h_input_tokens: write.cache_creation_input_tokens, ephemeral_5m_input_tokens: 0 });
      const reads = messages.filter((message) => (message?.usage.cache_read_input_tokens ?? 0) > 0);
      expect(reads).toHaveLength(2);
      expect(reads.every((message) => message!.usage.cache_read_input_tokens === write.cache_creation_input_tokens)).toBe(true);

      // The same request made realtime: the same answer, and (the 1-hour entry alive) a cache read.
      const realtime = await client.messages.create(params());
      const batchAnswer = messages[0]!.content[0]!;
      const realtimeAnswer = realtime.content[0]!;
      expect(realtimeAnswer.type === 'text' && realtimeAnswer.text).toBe(batchAnswer.type === 'text' && batchAnswer.text);
      expect(realtime.usage.cache_read_input_tokens).toBe(write.cache_creation_input_tokens);
      expect(realtime.usage.service_tier).toBe('standard');
      expect(emulator.log.filter((entry) => entry.via === 'message-batch').map((entry) => entry.customId).sort()).toEqual(['doc-0', 'doc-1', 'doc-2']);
    });
  });

  it('caches each breakpoint at its own TTL: the longest live prefix is read, the segments after it written by TTL', async () => {
    await withEmulator({}, async (client) => {
      const ask = (document: string): Anthropic.MessageCreateParamsNonStreaming => ({
        ...params(),
        messages: [{ role: 'user', content: [{ type: 'text', text: `<document>\n${document}\n</document>`, cache_control: { type: 'ephemeral' } }] }],
      });
      const first = (await client.messages.create(ask(invoiceText))).usage;
      const second = (await client.messages.create(ask(`${invoiceText}\nNote: paid in full.`))).usage;
      const again = (await client.messages.create(ask(invoiceText))).usage;
      // First: the 1-hour system prompt and the 5-minute document, both written.
      const system = first.cache_creation!.ephemeral_1h_input_tokens;
      expect(system).toBeGreaterThan(1024);
      expect(first.cache_creation!.ephemeral_5m_input_tokens).toBeGreaterThan(0);
      expect(first.cache_creation_input_tokens).toBe(system + first.cache_creation!.ephemeral_5m_input_tokens);
      expect(first.cache_read_input_tokens).toBe(0);
      // Another document: the system prompt read, only the new document written (5 minutes).
      expect(second.cache_read_input_tokens).toBe(system);
      expect(second.cache_creation).toEqual({ ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: second.cache_creation_input_tokens });
      // The first document again: the whole prefix read.
      expect(again.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
      expect(again.cache_creation_input_tokens).toBe(0);
    });
  });

  it('returns malformed params as errored results (invalid_request_error) after the batch ends, not at create', async () => {
    await withEmulator({ messageBatches: { processingMs: 100 } }, async (client) => {
      const malformed = { model: 'claude-sonnet-4-6', messages: [] } as unknown as Anthropic.MessageCreateParamsNonStreaming;
      const created = await client.messages.batches.create({ requests: [{ custom_id: 'good', params: params() }, { custom_id: 'bad', params: malformed }] });
      const ended = await untilEnded(client, created.id);
      expect(counts(ended)).toMatchObject({ succeeded: 1, errored: 1 });
      const bad = (await resultsOf(client, created.id)).find((line) => line.custom_id === 'bad')!;
      expect(bad.result).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error' } } });
    });
  });

  it('ends a request the emulator cannot answer errored with api_error, and goes on', async () => {
    await withEmulator({ messageBatches: { processingMs: 100 } }, async (client) => {
      const byUrl: Anthropic.MessageCreateParamsNonStreaming = {
        ...params(),
        messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://example.com/invoice.pdf' } }] }],
      };
      const created = await client.messages.batches.create({ requests: [{ custom_id: 'by-url', params: byUrl }, { custom_id: 'fine', params: params() }] });
      const ended = await untilEnded(client, created.id);
      expect(counts(ended)).toMatchObject({ succeeded: 1, errored: 1 });
      const results = await resultsOf(client, created.id);
      expect(results.find((line) => line.custom_id === 'by-url')!.result).toMatchObject({ type: 'errored', error: { error: { type: 'api_error' } } });
    });
  });

  it('lists batches newest first with limit / after_id / before_id, and the SDK auto-paginates', async () => {
    await withEmulator({ messageBatches: { processingMs: 60_000 } }, async (client) => {
      const ids: string[] = [];
      for (let index = 0; index < 5; index++) ids.push((await client.messages.batches.create({ requests: requests(1, `b${index}`) })).id);
      const newestFirst = [...ids].reverse();

      // No results before the batch ends: the SDK finds no results_url; the URL itself is refused.
      await expect(client.messages.batches.results(ids[0]!)).rejects.toBeInstanceOf(AnthropicError);
      const early = await fetch(`${client.baseURL}/v1/messages/batches/${ids[0]}/results`, { headers: { 'x-api-key': 'test-key' } });
      expect(early.status).toBe(400);
      expect(await early.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });

      const first = await client.messages.batches.list({ limit: 2 });
      expect(first.data.map((batch) => batch.id)).toEqual(newestFirst.slice(0, 2));
      expect(first).toMatchObject({ has_more: true, first_id: newestFirst[0], last_id: newestFirst[1] });

      const all: string[] = [];
      for await (const batch of client.messages.batches.list({ limit: 2 })) all.push(batch.id);
      expect(all).toEqual(newestFirst);

      const after = await client.messages.batches.list({ limit: 10, after_id: newestFirst[2]! });
      expect(after.data.map((batch) => batch.id)).toEqual(newestFirst.slice(3));
      expect(after.has_more).toBe(false);
      const before = await client.messages.batches.list({ limit: 2, before_id: newestFirst[3]! });
      expect(before.data.map((batch) => batch.id)).toEqual(newestFirst.slice(1, 3));
      expect(before.has_more).toBe(true);
      const backwards: string[] = [];
      for await (const batch of client.messages.batches.list({ limit: 1, before_id: newestFirst[3]! })) backwards.push(batch.id);
      expect(backwards.sort()).toEqual(newestFirst.slice(0, 3).sort());
    });
  });

  it('cancels: canceling, then ended with what was answered kept and the rest canceled', async () => {
    await withEmulator({ messageBatches: { processingMs: 16_000, cancelingMs: 200 } }, async (client, emulator) => {
      const created = await client.messages.batches.create({ requests: requests(8) });
      // Wait until the first request has been answered (the emulator's own state), then cancel.
      while ((emulator.messageBatches.get(created.id)?.settled.length ?? 0) === 0) await sleep(20);
      const canceling = await client.messages.batches.cancel(created.id);
      expect(canceling.processing_status).toBe('canceling');
      expect(canceling.cancel_initiated_at).not.toBeNull();
      expect(counts(canceling)).toEqual({ processing: 8, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
      const ended = await untilEnded(client, created.id);
      expect(total(ended)).toBe(8);
      expect(counts(ended).succeeded).toBeGreaterThanOrEqual(1);
      expect(counts(ended).canceled).toBeGreaterThanOrEqual(1);
      expect(counts(ended).succeeded + counts(ended).canceled).toBe(8);
      const results = await resultsOf(client, created.id);
      const answered = new Set(emulator.log.filter((entry) => entry.batchId === created.id).map((entry) => entry.customId));
      for (const line of results) expect(line.result.type).toBe(answered.has(line.custom_id) ? 'succeeded' : 'canceled');
      await expect(client.messages.batches.cancel(created.id)).rejects.toBeInstanceOf(BadRequestError);
    });
  });

  it('cancels a batch whose remaining requests only wait to expire', async () => {
    await withEmulator({ messageBatches: { processingMs: 50, expiredShare: 1, cancelingMs: 0 } }, async (client, emulator) => {
      const created = await client.messages.batches.create({ requests: requests(3) });
      // Every request is drawn to expire: once their turns have passed, only the 24-hour expiry is left.
      while (emulator.messageBatches.get(created.id)!.answering) await sleep(20);
      expect((await client.messages.batches.retrieve(created.id)).processing_status).toBe('in_progress');
      await client.messages.batches.cancel(created.id);
      const ended = await untilEnded(client, created.id);
      expect(counts(ended)).toEqual({ processing: 0, succeeded: 0, errored: 0, canceled: 3, expired: 0 });
      expect(emulator.log.filter((entry) => entry.batchId === created.id)).toHaveLength(0);
    });
  });

  it('keeps a deleted batch id usable as a list cursor', async () => {
    await withEmulator({ messageBatches: { processingMs: 60_000, cancelingMs: 0 } }, async (client) => {
      const [oldest, middle, newest] = [
        await client.messages.batches.create({ requests: requests(1, 'o') }),
        await client.messages.batches.create({ requests: requests(1, 'm') }),
        await client.messages.batches.create({ requests: requests(1, 'n') }),
      ];
      await client.messages.batches.cancel(middle.id);
      await untilEnded(client, middle.id);
      await client.messages.batches.delete(middle.id);
      expect((await client.messages.batches.list({ after_id: middle.id })).data.map((batch) => batch.id)).toEqual([oldest.id]);
      expect((await client.messages.batches.list({ before_id: middle.id })).data.map((batch) => batch.id)).toEqual([newest.id]);
      await expect(client.messages.batches.list({ after_id: 'msgbatch_never' })).rejects.toBeInstanceOf(BadRequestError);
    });
  });

  it('deletes only an ended batch', async () => {
    await withEmulator({ messageBatches: { processingMs: 300_000, cancelingMs: 0 } }, async (client) => {
      const created = await client.messages.batches.create({ requests: requests(2) });
      await expect(client.messages.batches.delete(created.id)).rejects.toBeInstanceOf(BadRequestError);
      await client.messages.batches.cancel(created.id);
      await untilEnded(client, created.id);
      expect(await client.messages.batches.delete(created.id)).toEqual({ id: created.id, type: 'message_batch_deleted' });
      await expect(client.messages.batches.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
      const listed: string[] = [];
      for await (const batch of client.messages.batches.list()) listed.push(batch.id);
      expect(listed).not.toContain(created.id);
    });
  });
});

describe('Message Batches API emulator: validation, shares, faults, limits', () => {
  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);
  const tiny = (custom_id: string): BatchRequest => ({ custom_id, params: { model: 'claude-sonnet-4-6', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] } });

  it('refuses at create what the API refuses: custom_id pattern, duplicates, no requests, more than 100,000', async () => {
    await withEmulator({ messageBatches: { processingMs: 60_000 } }, async (client) => {
      for (const customId of ['has space', '', 'x'.repeat(65), 'caf\u00e9', 'a.b']) {
        const error = await refusal(client.messages.batches.create({ requests: [tiny('ok'), tiny(customId)] }));
        expect(error).toBeInstanceOf(BadRequestError);
        expect((error as BadRequestError).message).toContain("requests.1.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
        expect((error as BadRequestError).type).toBe('invalid_request_error');
      }
      const duplicate = await refusal(client.messages.batches.create({ requests: [tiny('a'), tiny('b'), tiny('a')] }));
      expect(duplicate).toBeInstanceOf(BadRequestError);
      expect((duplicate as BadRequestError).message).toMatch(/requests\.2\.custom_id: 'a' is also the custom_id of requests\.0/);
      expect(await refusal(client.messages.batches.create({ requests: [] }))).toBeInstanceOf(BadRequestError);

      const tooMany = await refusal(client.messages.batches.create({ requests: Array.from({ length: 100_001 }, (_, index) => tiny(`r${index}`)) }));
      expect(tooMany).toBeInstanceOf(BadRequestError);
      expect((tooMany as BadRequestError).message).toContain('at most 100000 items');

      // Nothing refused was created; the longest custom_id the pattern allows is accepted.
      expect((await client.messages.batches.list()).data).toHaveLength(0);
      await expect(client.messages.batches.create({ requests: [tiny('x'.repeat(64)), tiny('A_b-9')] })).resolves.toMatchObject({ processing_status: 'in_progress' });
    });
  });

  it('answers 413 request_too_large for a create body over the size limit', async () => {
    await withEmulator({ messageBatches: { maxBodyBytes: 256 * 1024 } }, async (client) => {
      const big = (count: number) => Array.from({ length: count }, (_, index) => ({ custom_id: `big-${index}`, params: params('Invoice number: X-1\n'.repeat(2000)) }));
      const error = await refusal(client.messages.batches.create({ requests: big(8) }));
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(413);
      expect((error as APIError).type).toBe('request_too_large');
      await expect(client.messages.batches.create({ requests: big(2) })).resolves.toMatchObject({ type: 'message_batch' });
    });
  });

  it('ends the drawn shares errored (server errors) and expired, the same per custom_id for a seed; a batch with expired requests runs to its expiry', async () => {
    const outcomes = async (seed: number) => {
      let byCustomId: Record<string, string> = {};
      // 24 h / 8640 = 10 s of expiry: ample time to answer the rest first, even on a loaded machine.
      await withEmulator({ seed, messageBatches: { processingMs: 300, erroredShare: 0.2, expiredShare: 0.1, timeScale: 8640 } }, async (client, emulator) => {
        const created = await client.messages.batches.create({ requests: requests(100) });
        const ended = await untilEnded(client, created.id);
        expect(total(ended)).toBe(100);
        expect(counts(ended).errored).toBeGreaterThan(5);
        expect(counts(ended).expired).toBeGreaterThan(2);
        expect(counts(ended).succeeded).toBeGreaterThan(50);
        expect(Date.parse(ended.ended_at!)).toBeGreaterThanOrEqual(Date.parse(ended.expires_at));
        const results = await resultsOf(client, created.id);
        const answered = new Set(emulator.log.filter((entry) => entry.batchId === created.id).map((entry) => entry.customId));
        for (const line of results) {
          if (line.result.type === 'errored') expect(['api_error', 'overloaded_error']).toContain(line.result.error.error.type);
          // Errored and expired requests were never answered (never billed).
          expect(answered.has(line.custom_id)).toBe(line.result.type === 'succeeded');
        }
        byCustomId = Object.fromEntries(results.map((line) => [line.custom_id, line.result.type === 'errored' ? line.result.error.error.type : line.result.type]));
      });
      return byCustomId;
    };
    const [first, again, other] = await Promise.all([outcomes(11), outcomes(11), outcomes(12)]);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(Object.values(first))).toEqual(new Set(['succeeded', 'api_error', 'overloaded_error', 'expired']));
  });

  it('applies injected faults to batch requests: an output fault in the message, an error fault as an errored result', async () => {
    await withEmulator({ messageBatches: { processingMs: 100, concurrency: 1 } }, async (client, emulator) => {
      emulator.addFault({ kind: 'invalid_output', count: 1 });
      emulator.addFault({ kind: 'overloaded', count: 1 });
      const created = await client.messages.batches.create({ requests: requests(4) });
      await untilEnded(client, created.id);
      const results = await resultsOf(client, created.id);
      const texts = results.flatMap((line) => (line.result.type === 'succeeded' && line.result.message.content[0]?.type === 'text' ? [line.result.message.content[0].text] : []));
      expect(texts).toHaveLength(3);
      expect(texts.filter((text) => !invoiceSchema.safeParse(JSON.parse(text)).success)).toHaveLength(1);
      expect(results.filter((line) => line.result.type === 'errored' && line.result.error.error.type === 'overloaded_error')).toHaveLength(1);
    });
  });

  it('limits requests per minute across the batch endpoints (429 + retry-after), apart from the Messages limits', async () => {
    await withEmulator({ requestsPerMinute: 100, messageBatches: { requestsPerMinute: 3, processingMs: 60_000 } }, async (client, emulator) => {
      const created = await client.messages.batches.create({ requests: [tiny('one')] });
      await client.messages.batches.retrieve(created.id);
      await client.messages.batches.list();
      const error = await refusal(client.messages.batches.retrieve(created.id));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(Number((error as RateLimitError).headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(emulator.stats.batchRateLimited).toBe(1);
      await expect(client.messages.create(params())).resolves.toMatchObject({ type: 'message' });
    });
  });

  it('limits the requests waiting in the processing queue: create beyond it is 429 until batches end', async () => {
    await withEmulator({ messageBatches: { maxQueuedRequests: 5, processingMs: 60_000, cancelingMs: 0 } }, async (client) => {
      const first = await client.messages.batches.create({ requests: [tiny('a'), tiny('b'), tiny('c')] });
      const error = await refusal(client.messages.batches.create({ requests: [tiny('d'), tiny('e'), tiny('f')] }));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(Number((error as RateLimitError).headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await client.messages.batches.create({ requests: [tiny('d'), tiny('e')] });
      await client.messages.batches.cancel(first.id);
      await untilEnded(client, first.id);
      await expect(client.messages.batches.create({ requests: [tiny('f'), tiny('g'), tiny('h')] })).resolves.toMatchObject({ processing_status: 'in_progress' });
    });
  });

  it('takes the processing time, shares, time scale and limits from docbatch emulator flags', () => {
    expect(
      emulatorOptionsFromFlags({ batchProcessing: '5000', batchErrored: '0.05', batchExpired: '0.02', batchTimeScale: '86400', batchRpm: '50', batchQueue: '100000' }).messageBatches,
    ).toEqual({ processingMs: 5000, erroredShare: 0.05, expiredShare: 0.02, timeScale: 86400, requestsPerMinute: 50, maxQueuedRequests: 100_000 });
    expect(emulatorOptionsFromFlags({}).messageBatches).toBeUndefined();
    expect(() => emulatorOptionsFromFlags({ batchErrored: '5' })).toThrow(/share between 0 and 1/);
    expect(() => emulatorOptionsFromFlags({ batchErrored: '0.6', batchExpired: '0.5' })).toThrow(/more than 1/);
    expect(() => emulatorOptionsFromFlags({ batchTimeScale: '0' })).toThrow(/positive/);
  });
});
