import { SingleBar } from 'cli-progress';
import type { Progress } from '../batch/progress';
import { formatDuration, formatRate } from '../batch/format';
import { formatState, progressLine } from './format';

/** Shows a batch's progress while a command watches it. */
export interface ProgressView {
  /** How often progress is worth reading for this view; null when it shows none (--json). */
  readonly refreshMs: number | null;
  update(progress: Progress): void;
  /** Progress cannot be read right now; shown once per distinct reason. */
  waiting(why: string): void;
  stop(): void;
}

export interface ProgressViewOptions {
  /** --json: nothing but the final JSON on stdout, so no progress at all. */
  json: boolean;
  stream?: NodeJS.WriteStream;
  /** Without a TTY: least time between one-line updates (a state change prints at once). Default 5 s. */
  lineIntervalMs?: number;
}

/** A live bar on a terminal, periodic lines in logs and pipes, silence for --json. */
export function createProgressView(options: ProgressViewOptions): ProgressView {
  const stream = options.stream ?? process.stderr;
  if (options.json) return { refreshMs: null, update() {}, waiting() {}, stop() {} };
  if (stream.isTTY) return barView(stream);
  return lineView(stream, options.lineIntervalMs ?? 5_000);
}

function barView(stream: NodeJS.WriteStream): ProgressView {
  const bar = new SingleBar({
    stream,
    format: '{bar} {percentage}% | {value}/{total} documents | {rate} | ETA {etaText} | {failed} failed | {stateText}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    // The ETA comes from the workflow (recent throughput, paused time left out), not from the bar.
    etaBuffer: 1,
    fps: 4,
  });
  let started = false;
  const payload = (p: Progress) => ({
    rate: formatRate(p.docsPerSecond),
    etaText: formatDuration(p.etaMs),
    failed: p.failed,
    stateText: formatState(p) + (p.messageBatches ? ` | ${p.messageBatches.waiting} waiting at Anthropic` : ''),
  });
  return {
    refreshMs: 500,
    update(progress) {
      if (!started) {
        bar.start(Math.max(progress.total, 1), progress.processed, payload(progress));
        started = true;
      }
      if (progress.total > 0) bar.setTotal(progress.total);
      bar.update(progress.processed, payload(progress));
    },
    waiting(why) {
      if (started) bar.update({ stateText: `waiting: ${why}` });
      else stream.write(`waiting: ${why}\n`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineView(stream: NodeJS.WriteStream, intervalMs: number): ProgressView {
  let lastAt = 0;
  let lastState = '';
  let lastFigures = '';
  let lastWaiting = '';
  return {
    // Often enough that a state change prints within a few seconds; lines themselves stay `intervalMs` apart.
    refreshMs: Math.max(500, intervalMs / 2),
    update(progress) {
      const state = formatState(progress);
      const now = Date.now();
      const elapsed = now - lastAt;
      const figures = figuresOf(progress);
      // A state change at once; new figures at most every interval; otherwise a sign of life now and then.
      const due = state !== lastState || (figures !== lastFigures && elapsed >= intervalMs) || elapsed >= intervalMs * 12;
      if (!due) return;
      lastAt = now;
      lastState = state;
      lastFigures = figures;
      lastWaiting = '';
      stream.write(`${progressLine(progress)}\n`);
    },
    waiting(why) {
      if (why === lastWaiting) return;
      lastWaiting = why;
      stream.write(`waiting: ${why}\n`);
    },
    stop() {},
  };
}

/**
 * What a new line is printed for: documents processed and, in batch mode, the Message Batches'
 * figures (for a long while only these move: documents wait at Anthropic, none is processed yet).
 */
function figuresOf(progress: Progress): string {
  const mb = progress.messageBatches;
  return [progress.processed, ...(mb ? [mb.submitted, mb.waiting, mb.waitingBatches.length] : [])].join('/');
}
