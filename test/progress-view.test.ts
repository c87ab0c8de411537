import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Progress } from '../src/batch/progress';
import { createProgressView } from '../src/cli/progress-view';
import { batchModeProgress } from './helpers/batch-mode-progress';

/** A stream that is not a terminal (output piped or in a log), keeping what is written. */
function pipe(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(...text.split('\n').filter(Boolean)) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, lines };
}

/** The progress with its batch-mode figures changed. */
function withMessageBatches(progress: Progress, change: Partial<NonNullable<Progress['messageBatches']>>): Progress {
  return { ...progress, messageBatches: { ...progress.messageBatches!, ...change } };
}

describe('the progress lines of a watched batch without a terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-11-23T12:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('print again when only the batch-mode figures change, no more often than the interval', () => {
    const { stream, lines } = pipe();
    const view = createProgressView({ json: false, stream, lineIntervalMs: 5_000 });
    const first = batchModeProgress();
    view.update(first);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('120 submitted · 54 waiting at Anthropic in 2 Message Batches');

    // More documents submitted and waiting, none processed yet: a new line, once the interval has passed.
    const more = withMessageBatches(first, { submitted: 170, waiting: 104 });
    vi.advanceTimersByTime(1_000);
    view.update(more);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    view.update(more);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('60/200');
    expect(lines[1]).toContain('170 submitted · 104 waiting at Anthropic in 2 Message Batches');

    // A Message Batch more with the same counts is news too.
    vi.advanceTimersByTime(6_000);
    const oneMore = withMessageBatches(more, { waitingBatches: [...more.messageBatches!.waitingBatches, more.messageBatches!.waitingBatches[0]!] });
    view.update(oneMore);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('in 3 Message Batches');

    // Nothing changed: no line until the occasional sign of life.
    vi.advanceTimersByTime(6_000);
    view.update(oneMore);
    expect(lines).toHaveLength(3);
  });

  it('of a realtime batch print when documents are processed, as before', () => {
    const { stream, lines } = pipe();
    const view = createProgressView({ json: false, stream, lineIntervalMs: 5_000 });
    const { messageBatches: _, mode: __, ...realtime } = batchModeProgress();
    view.update(realtime);
    vi.advanceTimersByTime(6_000);
    view.update(realtime);
    expect(lines).toHaveLength(1);
    view.update({ ...realtime, processed: 80 });
    expect(lines).toHaveLength(2);
    expect(lines[1]).not.toContain('Anthropic');
  });
});
