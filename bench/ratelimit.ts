/**
 * bench/ratelimit: how close to the API's request limit a batch runs, and how often it is told
 * 429, side by side with the loop people write first.
 *
 * Every variant gets its own emulator at R requests/min (latency uniform 1–4 s, the bucket
 * enforcing the limit over 10-second intervals) and the same N distinct text invoices, all at once:
 * - docbatch (1 worker / 3 workers): the Anthropic extractor with SDK retries off, paced by the
 *   adaptive limiter (one per worker process, src/extraction/rate-limit.ts); a TransientError is
 *   retried after its retryAfterMs, as the activity's nextRetryDelay makes Temporal do. Enough
 *   documents in flight to cover R x latency.
 * - plain, semaphore 5 / 20 / 50: `client.messages.create` with the SDK's default retries (2,
 *   honouring retry-after), at most K requests in flight; a document whose retries run out is
 *   retried by the loop, so every variant finishes every document.
 * Reported per variant: sustained documents/min (completions between the 10th and 90th percentile,
 * so ramp-up and the last stragglers do not count) as a fraction of R, overall documents/min, and
 * the share of requests answered 429.
 *
 *   npm run bench:ratelimit -- [--rpm 600] [--documents 500]
 *
 * TODO(real workflow): the docbatch variants run the extractor in-process with the same limiter
 * and retry delay the extractChunk activity uses. Once `createDocbatchWorker` and a client start
 * helper are wired for benchmarks, replace `runDocbatch` with: start N workers (each its own
 * process, so each its own limiter) with ANTHROPIC_BASE_URL = emulator.url, start a batch over the
 * documents' directory with extractor "anthropic", chunkSize 1 and concurrency >= R/60 x 4 s, and
 * time the completions from results.jsonl. Nothing else in this file changes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { startEmulator, type Emulator } from '../src/emulator';
import { createAnthropicExtractor } from '../src/extraction/anthropic';
import { TransientError } from '../src/extraction/errors';
import type { SourceDocument } from '../src/extraction/extractor';
import { createRateLimiter } from '../src/extraction/rate-limit';
import { invoiceSchema } from '../src/extraction/schemas/invoice';
import { readFileSync } from 'node:fs';

const { values: args } = parseArgs({
  options: { rpm: { type: 'string', default: '600' }, documents: { type: 'string', default: '500' } },
});
const rpm = Number(args.rpm);
const documentCount = Number(args.documents);
const latency = { minMs: 1000, maxMs: 4000 };
const models = { simple: 'claude-haiku-4-5', complex: 'claude-sonnet-4-5', escalation: 'claude-sonnet-4-5' };

interface VariantResult {
  variant: string;
  documents: number;
  elapsedMs: number;
  sustainedPerMinute: number;
  sustainedFractionOfR: number;
  overallPerMinute: number;
  requests: number;
  rateLimited: number;
  rateLimitedShare: number;
}

function invoices(count: number): SourceDocument[] {
  const text = readFileSync(path.resolve('samples/invoices/invoice-02-two-column.txt'), 'utf8');
  return Array.from({ length: count }, (_, index) => ({
    path: `bench-${index}.txt`,
    mediaType: 'text/plain' as const,
    bytes: Buffer.from(`${text}\nReference copy ${index}.\n`),
  }));
}

/** Runs `work` over every document with at most `concurrency` at once; returns completion times. */
async function runPool(documents: SourceDocument[], concurrency: number, work: (document: SourceDocument) => Promise<void>): Promise<number[]> {
  const completions: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < documents.length) {
        const document = documents[next++]!;
        await work(document);
        completions.push(Date.now());
      }
    }),
  );
  return completions;
}

async function measure(variant: string, run: (emulator: Emulator) => Promise<number[]>): Promise<VariantResult> {
  const emulator = await startEmulator({ requestsPerMinute: rpm, burstSeconds: 10, latency, seed: 42 });
  const startedAt = Date.now();
  try {
    const completions = (await run(emulator)).sort((a, b) => a - b);
    const elapsedMs = Date.now() - startedAt;
    const at = (fraction: number) => completions[Math.min(completions.length - 1, Math.floor(fraction * completions.length))]!;
    const sustainedPerMinute = ((0.8 * completions.length) / (at(0.9) - at(0.1))) * 60_000;
    const requests = emulator.stats.requests;
    const rateLimited = emulator.stats.byStatus[429] ?? 0;
    return {
      variant,
      documents: completions.length,
      elapsedMs,
      sustainedPerMinute: Math.round(sustainedPerMinute),
      sustainedFractionOfR: Math.round((sustainedPerMinute / rpm) * 1000) / 1000,
      overallPerMinute: Math.round((completions.length / elapsedMs) * 60_000),
      requests,
      rateLimited,
      rateLimitedShare: Math.round((rateLimited / requests) * 10_000) / 10_000,
    };
  } finally {
    await emulator.stop();
  }
}

/** docbatch: extractor + per-process adaptive limiter + retry after retryAfterMs, over `workers` processes. */
function runDocbatch(workers: number) {
  return async (emulator: Emulator): Promise<number[]> => {
    const documents = invoices(documentCount);
    // Enough in flight to cover R x the slowest latency, shared among the workers.
    const inFlight = Math.ceil(((rpm / 60) * latency.maxMs) / 1000 / workers) + 2;
    let next = 0;
    const shared = { take: () => (next < documents.length ? documents[next++] : undefined) };
    const completions = await Promise.all(
      Array.from({ length: workers }, async () => {
        const extractor = createAnthropicExtractor({ apiKey: 'test-key', baseURL: emulator.url, models, rateLimiter: createRateLimiter() });
        const done: number[] = [];
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            for (let document = shared.take(); document; document = shared.take()) {
              for (;;) {
                try {
                  await extractor.extract({ document, schemaName: 'invoice', schema: invoiceSchema });
                  break;
                } catch (error) {
                  if (!(error instanceof TransientError)) throw error;
                  // Temporal: ApplicationFailure with nextRetryDelay = retryAfterMs, else the policy's 1 s.
                  await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 1000));
                }
              }
              done.push(Date.now());
            }
          }),
        );
        return done;
      }),
    );
    return completions.flat();
  };
}

/** The plain loop: a fixed semaphore and the SDK's default retries. */
function runPlain(concurrency: number) {
  return async (emulator: Emulator): Promise<number[]> => {
    const client = new Anthropic({ apiKey: 'test-key', baseURL: emulator.url });
    const format = zodOutputFormat(invoiceSchema);
    return runPool(invoices(documentCount), concurrency, async (document) => {
      for (;;) {
        try {
          await client.messages.create({
            model: models.simple,
            max_tokens: 4096,
            messages: [{ role: 'user', content: [{ type: 'text', text: `<document>\n${document.bytes.toString('utf8')}\n</document>` }, { type: 'text', text: 'Extract the invoice.' }] }],
            output_config: { format: { type: format.type, schema: format.schema } },
          });
          return;
        } catch (error) {
          if (!(error instanceof Anthropic.APIError) || (error.status !== 429 && error.status !== 529)) throw error;
        }
      }
    });
  };
}

process.stderr.write(`bench/ratelimit: R = ${rpm} requests/min, ${documentCount} documents, latency ${latency.minMs}-${latency.maxMs} ms; variants run side by side (a few minutes)\n`);
const results = await Promise.all([
  measure('docbatch, 1 worker', runDocbatch(1)),
  measure('docbatch, 3 workers', runDocbatch(3)),
  measure('plain, semaphore 5', runPlain(5)),
  measure('plain, semaphore 20', runPlain(20)),
  measure('plain, semaphore 50', runPlain(50)),
]);

const header = ['variant', 'docs', 'sustained docs/min', 'x R', 'overall docs/min', 'requests', '429s', '429 share'];
const rows = results.map((result) => [
  result.variant,
  String(result.documents),
  String(result.sustainedPerMinute),
  result.sustainedFractionOfR.toFixed(3),
  String(result.overallPerMinute),
  String(result.requests),
  String(result.rateLimited),
  `${(result.rateLimitedShare * 100).toFixed(2)}%`,
]);
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
process.stdout.write(`${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n${rows.map(line).join('\n')}\n`);
process.stdout.write(`target: docbatch >= 0.950 x R sustained and <= 1.00% 429s\n`);

const outDir = path.resolve('bench/results');
await mkdir(outDir, { recursive: true });
const file = path.join(outDir, `ratelimit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify({ rpm, documents: documentCount, latency, burstSeconds: 10, results }, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
