import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Anthropic, { APIConnectionTimeoutError, AuthenticationError, RateLimitError } from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentIdentity, emulatorOptionsFromFlags, startEmulator, type Emulator } from '../src/emulator';
import { invoiceSchema } from '../src/extraction/schemas/invoice';

const samples = path.resolve('samples/invoices');

describe('Messages API emulator through the real SDK', () => {
  let emulator: Emulator;
  let text: string;
  const client = (overrides: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
    new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries: 0, ...overrides });
  const ask = (body: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) => ({
    model: 'claude-sonnet-4-5',
    max_tokens: 2048,
    system: [{ type: 'text' as const, text: 'Extract the invoice. '.repeat(300), cache_control: { type: 'ephemeral' as const } }],
    messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: `<document>\n${text}\n</document>` }] }],
    output_config: { format: zodOutputFormat(invoiceSchema) },
    ...body,
  });

  beforeAll(async () => {
    emulator = await startEmulator({ requestsPerMinute: 1000, inputTokensPerMinute: 1_000_000, seed: 7 });
    text = await readFile(path.join(samples, 'invoice-02-two-column.txt'), 'utf8');
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('answers structured output with a schema-valid extraction in the API message shape', async () => {
    const { data: message, response } = await client().messages.create(ask()).withResponse();
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', stop_reason: 'end_turn' });
    const block = message.content[0]!;
    expect(block.type).toBe('text');
    const invoice = invoiceSchema.parse(JSON.parse(block.type === 'text' ? block.text : ''));
    expect(invoice.invoiceNumber).toBeTruthy();
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    for (const limit of ['requests', 'input-tokens']) {
      expect(Number(response.headers.get(`anthropic-ratelimit-${limit}-limit`))).toBeGreaterThan(0);
      expect(response.headers.get(`anthropic-ratelimit-${limit}-remaining`)).not.toBeNull();
      expect(Date.parse(response.headers.get(`anthropic-ratelimit-${limit}-reset`)!)).not.toBeNaN();
    }
    // As the API does: requests exactly, token levels rounded to the nearest thousand.
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('999');
    const inputRemaining = Number(response.headers.get('anthropic-ratelimit-input-tokens-remaining'));
    expect(inputRemaining % 1000).toBe(0);
    expect(inputRemaining).toBeLessThan(1_000_000);
    expect(inputRemaining).toBeGreaterThan(990_000);
  });

  it('works with SDK messages.parse and zodOutputFormat', async () => {
    const message = await client().messages.parse({ ...ask(), output_config: { format: zodOutputFormat(invoiceSchema) } });
    expect(message.parsed_output?.currency).toMatch(/^[A-Z]{3}$/);
  });

  it('answers forced tool use with a tool_use block', async () => {
    const message = await client().messages.create(
      ask({
        output_config: {},
        tools: [{ name: 'record_invoice', input_schema: { type: 'object', properties: {} }, strict: true }],
        tool_choice: { type: 'tool', name: 'record_invoice' },
      }),
    );
    const block = message.content[0]!;
    expect(block.type).toBe('tool_use');
    expect(invoiceSchema.parse(block.type === 'tool_use' ? block.input : null).invoiceNumber).toBeTruthy();
  });

  it('writes the cache_control prefix on first use and reads it after', async () => {
    const body = ask({ system: [{ type: 'text', text: 'A different long stable prefix. '.repeat(200), cache_control: { type: 'ephemeral' } }] });
    const first = await client().messages.create(body);
    const second = await client().messages.create(body);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
  });

  it('does not cache a prefix below the model minimum', async () => {
    const message = await client().messages.create(ask({ system: [{ type: 'text', text: 'Short.', cache_control: { type: 'ephemeral' } }] }));
    expect(message.usage.cache_creation_input_tokens).toBe(0);
    expect(message.usage.cache_read_input_tokens).toBe(0);
  });

  it('checks the API key, and accepts a new one set at run time', async () => {
    await expect(client({ apiKey: 'wrong' }).messages.create(ask())).rejects.toBeInstanceOf(AuthenticationError);
    emulator.setValidKeys(['test-key', 'wrong']);
    await expect(client({ apiKey: 'wrong' }).messages.create(ask())).resolves.toMatchObject({ type: 'message' });
    emulator.setValidKeys(['test-key']);
  });

  it('logs the identity of the document of every request', async () => {
    const bytes = await readFile(path.join(samples, 'invoice-01-classic.pdf'));
    await client().messages.create(
      ask({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: bytes.toString('base64') } },
              { type: 'text', text: 'Extract it.' },
            ],
          },
        ],
      }),
    );
    expect(emulator.callsFor(documentIdentity(bytes))).toHaveLength(1);
    expect(emulator.callsFor(documentIdentity(Buffer.from(text)))).not.toHaveLength(0);
  });

  it('injects faults by count, and by a seeded rate', async () => {
    emulator.setFault({ kind: 'overloaded', count: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(await client().messages.create(ask()).then(() => 200, (error: { status: number }) => error.status));
    }
    expect(statuses).toEqual([529, 529, 200]);

    emulator.setFault({ kind: 'server_error', rate: 0.5 });
    const outcomes: number[] = [];
    for (let i = 0; i < 20; i++) outcomes.push(await client().messages.create(ask()).then(() => 200, (error: { status: number }) => error.status));
    expect(outcomes.filter((status) => status === 500).length).toBeGreaterThan(0);
    expect(outcomes.filter((status) => status === 200).length).toBeGreaterThan(0);
    emulator.setFault(null);
  });

  it('holds a hanging request until the client gives up', async () => {
    emulator.setFault({ kind: 'hang', count: 1 });
    await expect(client({ timeout: 200 }).messages.create(ask())).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('answers 429 with retry-after once the requests/min bucket is empty', async () => {
    const limited = await startEmulator({ requestsPerMinute: 2 });
    try {
      const sdk = new Anthropic({ apiKey: 'test-key', baseURL: limited.url, maxRetries: 0 });
      await sdk.messages.create(ask());
      await sdk.messages.create(ask());
      const error = await sdk.messages.create(ask()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RateLimitError);
      const headers = (error as RateLimitError).headers;
      expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
      expect(limited.stats.rateLimited).toBe(1);
    } finally {
      await limited.stop();
    }
  });

  it('charges answers to the output tokens/min bucket and answers 429 while it is in debt', async () => {
    const limited = await startEmulator({ outputTokensPerMinute: 10 });
    try {
      const sdk = new Anthropic({ apiKey: 'test-key', baseURL: limited.url, maxRetries: 0 });
      const { data: first, response } = await sdk.messages.create(ask()).withResponse();
      expect(first.usage.output_tokens).toBeGreaterThan(10);
      expect(response.headers.get('anthropic-ratelimit-output-tokens-limit')).toBe('10');
      expect(response.headers.get('anthropic-ratelimit-output-tokens-remaining')).toBe('0');
      const error = await sdk.messages.create(ask()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(Number((error as RateLimitError).headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  });

  it('answers 429 when a request would exceed the input tokens/min bucket', async () => {
    const limited = await startEmulator({ inputTokensPerMinute: 1000 });
    try {
      const sdk = new Anthropic({ apiKey: 'test-key', baseURL: limited.url, maxRetries: 0 });
      await sdk.messages.create(ask({ system: 'x' }));
      const error = await sdk.messages.create(ask({ system: 'x' })).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(Number((error as RateLimitError).headers.get('anthropic-ratelimit-input-tokens-limit'))).toBe(1000);
    } finally {
      await limited.stop();
    }
  });

  it('builds its options from docbatch emulator flags', () => {
    expect(emulatorOptionsFromFlags({ port: '4010', rpm: '600', latency: '1000-4000', fault: ['overloaded:0.05', 'hang:x2'] })).toEqual({
      port: 4010,
      requestsPerMinute: 600,
      latency: { minMs: 1000, maxMs: 4000 },
      faults: [
        { kind: 'overloaded', rate: 0.05 },
        { kind: 'hang', count: 2 },
      ],
    });
    expect(() => emulatorOptionsFromFlags({ fault: ['meltdown:1'] })).toThrow(/KIND/);
  });
});
