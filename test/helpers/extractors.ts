import { setTimeout as sleep } from 'node:timers/promises';
import type { Extractor } from '../../src/extraction/extractor';
import { createLocalExtractor } from '../../src/extraction/local/extractor';

/** The local extractor, slowed down by `delayMs` per document, counting calls per document path. */
export function countingExtractor(delayMs = 0): Extractor & { calls: Map<string, number> } {
  const local = createLocalExtractor();
  const calls = new Map<string, number>();
  return {
    name: 'local',
    settingsKey: local.settingsKey,
    calls,
    async extract(request) {
      calls.set(request.document.path, (calls.get(request.document.path) ?? 0) + 1);
      if (delayMs > 0) await sleep(delayMs);
      return local.extract(request);
    },
  };
}

/** Documents wait at the gate until the test opens it, so a batch is still running when a test steers it. */
export class Gate {
  private release: () => void = () => {};
  private opened: Promise<void> = Promise.resolve();
  private closed = false;
  /** Callers waiting at the gate right now. */
  held = 0;
  close(): void {
    this.closed = true;
    this.opened = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.closed = false;
    this.release();
  }
  async wait(): Promise<void> {
    if (!this.closed) return;
    this.held++;
    try {
      await this.opened;
    } finally {
      this.held--;
    }
  }
}

/** The local extractor held at a gate: documents in flight stay in flight until the test opens it. */
export function gatedExtractor(gate: Gate): Extractor {
  const local = createLocalExtractor();
  return {
    name: 'local',
    settingsKey: local.settingsKey,
    async extract(request) {
      await gate.wait();
      return local.extract(request);
    },
  };
}
