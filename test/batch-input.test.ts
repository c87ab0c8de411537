import { describe, expect, it } from 'vitest';
import { parseBatchInput } from '../src/batch/input';
import { tolerance } from '../src/workflows/tolerance';
import { searchAttributeUpdate } from '../src/workflows/publish';
import { formatDuration } from '../src/batch/format';
import { currentDetailsMarkdown, progressBar } from '../src/workflows/details';
import type { Progress } from '../src/batch/progress';
import { batchModeProgress } from './helpers/batch-mode-progress';

describe('batch input', () => {
  it('needs only a source directory', () => {
    const parsed = parseBatchInput({ source: { dir: '/data/invoices' } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.input.chunkSize).toBeUndefined();
    expect(parsed.input).toMatchObject({ schema: 'invoice', extractor: 'auto', concurrency: 24, priority: 3, order: 'path', cache: true });
  });

  it('lists every problem, each naming its field', () => {
    const parsed = parseBatchInput({ source: { dir: '/x' }, concurrency: 0, priority: 9, order: 'random', retry: { initialInterval: 'soon' }, surprise: true });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toHaveLength(5);
    expect(parsed.problems.join('\n')).toMatch(/concurrency/);
    expect(parsed.problems.join('\n')).toMatch(/priority/);
    expect(parsed.problems.join('\n')).toMatch(/order/);
    expect(parsed.problems.join('\n')).toMatch(/retry\.initialInterval/);
    expect(parsed.problems.join('\n')).toMatch(/surprise/);
  });

  it('takes seed examples from an output location, never with a credential in it', () => {
    const ok = parseBatchInput({ source: { dir: '/x' }, examples: { from: 's3://docs/output' } });
    expect(ok.ok && ok.input.examples).toEqual({ from: 's3://docs/output', promptTokens: 6000 });
    const problems = (examples: unknown) => {
      const parsed = parseBatchInput({ source: { dir: '/x' }, examples });
      return parsed.ok ? [] : parsed.problems;
    };
    expect(problems({ from: 's3://AKIA:secret@docs/output' }).join('\n')).toMatch(/examples\.from: must not hold credentials .* environment/);
    expect(problems({ from: 'https://example.com/examples' }).join('\n')).toMatch(/examples\.from: expected a path or an s3:\/\/bucket\/prefix URL/);
    expect(problems({ from: '' }).join('\n')).toMatch(/examples\.from: must name the output location/);
    expect(problems({ from: '/out', promptTokens: -1 }).join('\n')).toMatch(/examples\.promptTokens/);
  });

  it('refuses a model it cannot price, before any document is sent', () => {
    const parsed = parseBatchInput({ source: { dir: '/x' }, models: { complex: 'claude-sonet-4-6' } });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([expect.stringMatching(/^models\.complex: expected a model from the pricing table: claude-haiku-4-5, /)]);
    expect(parseBatchInput({ source: { dir: '/x' }, models: { simple: 'claude-haiku-4-5-20251001' } }).ok).toBe(true);
  });

  it('accepts only durations Temporal can use: 1 ms to a year, a retry that never shrinks', () => {
    const problems = (input: Record<string, unknown>) => {
      const parsed = parseBatchInput({ source: { dir: '/x' }, ...input });
      return parsed.ok ? [] : parsed.problems;
    };
    expect(problems({ timeouts: { chunkStartToClose: '0s' } })).toEqual(['timeouts.chunkStartToClose: expected a duration from 1ms to 365d']);
    expect(problems({ timeouts: { chunkHeartbeat: '366d' } })).toEqual(['timeouts.chunkHeartbeat: expected a duration from 1ms to 365d']);
    expect(problems({ retry: { initialInterval: '2m' } })).toEqual([expect.stringMatching(/^retry\.maximumInterval: must be at least retry\.initialInterval/)]);
    expect(problems({ retry: { initialInterval: '3\ts' } })).toEqual(['retry.initialInterval: expected a duration like "30s", "10m" or "2h"']);
    expect(problems({ retry: { maximumAttempts: 0, initialInterval: '1ms', maximumInterval: '365d' }, timeouts: { chunkStartToClose: 1 } })).toEqual([]);
  });

  it('says what a source must look like', () => {
    const parsed = parseBatchInput({});
    expect(parsed).toEqual({ ok: false, problems: ['source: expected {"dir": "<directory>"} or {"manifest": "<file listing paths>"}'] });
  });
});

describe('failure tolerance', () => {
  it('never stops at 100% and stops once failures pass the share of the whole batch', () => {
    expect(tolerance(1000, 1000, 100)).toBeNull();
    expect(tolerance(5, 100, 5)).toBeNull();
    expect(tolerance(6, 100, 5)).toMatch(/6 of 100 documents failed \(6\.0%\), more than the tolerated 5%/);
  });
});

const progress: Progress = {
  batchId: 'b1', state: 'running', priority: 2, total: 200, processed: 57, succeeded: 50, failed: 7, cached: 3, inFlight: 20,
  chunks: { total: 20, done: 5, inFlight: 2 }, percent: 28.5, elapsedMs: 61_000, pausedMs: 0, etaMs: 125_000, docsPerSecond: 1.1,
  usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.1234 }, outputDir: '/out/b1', run: 1,
};

describe('what the Web UI shows', () => {
  it('renders state, a text progress bar, counts, ETA and cost', () => {
    const markdown = currentDetailsMarkdown(progress);
    expect(markdown).toContain('**docbatch b1: running**');
    expect(markdown).toContain(`\`${progressBar(28.5)}\` 28.5% — 57 of 200 documents`);
    expect(markdown).toContain('succeeded 50 · failed 7 · cached 3 · in flight 20 · priority 2');
    expect(markdown).toContain('ETA 2m 05s · 1.10 docs/s · elapsed 1m 01s');
    expect(markdown).toContain('$0.1234');
  });

  it('shows the mode and the Message Batches waiting in the Web UI details', () => {
    const progress = batchModeProgress();
    const markdown = currentDetailsMarkdown(progress);
    expect(markdown).toContain('priority 3 · mode batch');
    expect(markdown).toContain('Message Batches: 120 submitted · 4 resubmitted · 54 waiting at Anthropic in 2 Message Batches · turnaround 12m 00s');
    expect(markdown).toContain('- msgbatch_old (chunk 2): 50 documents, 5m 00s old, expires in 23h 55m');
    expect(markdown).toContain('- msgbatch_new (chunk 3, round 1): 4 documents, 2m 00s old, expires in 23h 58m');
    const many = { ...progress.messageBatches!, waitingBatches: Array.from({ length: 13 }, (_, i) => ({ ...progress.messageBatches!.waitingBatches[0]!, id: `msgbatch_${i}` })) };
    expect(currentDetailsMarkdown({ ...progress, messageBatches: many })).toContain('- and 3 more');
    const { messageBatches: _, ...realtime } = progress;
    expect(currentDetailsMarkdown({ ...realtime, mode: 'realtime' })).not.toContain('Message Batches');
  });

  it('shows the pause reason', () => {
    expect(currentDetailsMarkdown({ ...progress, state: 'paused', pauseReason: 'key rejected' })).toContain('paused — key rejected');
  });

  it('upserts search attributes only on coarse changes', () => {
    const a = searchAttributeUpdate(progress);
    expect(searchAttributeUpdate({ ...progress, percent: 29.9, processed: 59 }).key).toBe(a.key);
    expect(searchAttributeUpdate({ ...progress, percent: 30 }).key).not.toBe(a.key);
    expect(searchAttributeUpdate({ ...progress, priority: 1 }).key).not.toBe(a.key);
    expect(searchAttributeUpdate({ ...progress, state: 'paused' }).key).not.toBe(a.key);
    expect(a.pairs.find((pair) => pair.key.name === 'DocbatchPercent')?.value).toBe(25);
  });

  it('formats durations for people, as the CLI does', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(5_400)).toBe('5.4 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_725_000)).toBe('1h 02m');
    expect(formatDuration(null)).toBe('–');
    expect(progressBar(50, 10)).toBe('█████░░░░░');
  });
});
