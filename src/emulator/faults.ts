import type { Fault } from './options';

export interface FaultContext {
  model: string;
  documentId: string | undefined;
}

/**
 * The injected faults: each request takes the first fault that matches it — by count (the next N
 * matching requests) or by rate (a seeded draw per request).
 */
export class FaultInjector {
  private faults: { fault: Fault; left: number }[] = [];

  constructor(
    private readonly random: () => number,
    faults: readonly Fault[] = [],
  ) {
    for (const fault of faults) this.add(fault);
  }

  add(fault: Fault): void {
    this.faults.push({ fault, left: fault.count ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  draw(context: FaultContext): Fault | undefined {
    for (const entry of this.faults) {
      const { fault } = entry;
      if (entry.left <= 0) continue;
      if (fault.model !== undefined && fault.model !== context.model) continue;
      if (fault.documentId !== undefined && fault.documentId !== context.documentId) continue;
      if (fault.rate !== undefined && this.random() >= fault.rate) continue;
      entry.left--;
      return fault;
    }
    return undefined;
  }
}
