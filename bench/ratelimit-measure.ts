/**
 * What bench/ratelimit measures, the same way for every variant: from the emulator's side (its
 * request log), never from the client's own account of itself.
 */
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Emulator, RequestLogEntry } from '../src/emulator';

/**
 * Records when each request the emulator logged was answered. The log holds each request's
 * arrival time and, once answered, its status; a 25 ms poll turns "status became non-zero" into
 * a completion time (so completion times are exact to within ~25 ms).
 */
export class CompletionRecorder {
  private seen = 0;
  private readonly pending = new Set<RequestLogEntry>();
  /** Answered requests: arrival, answer time, status. */
  readonly answered: Array<{ at: number; doneAt: number; status: number; inputTokens: number }> = [];
  /** Requests the emulator was working on (admitted, not yet answered), sampled every poll. */
  readonly inFlight: Array<{ at: number; count: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly emulator: Emulator) {
    this.timer = setInterval(() => this.poll(), 25);
  }

  private poll(): void {
    const { log } = this.emulator;
    this.inFlight.push({ at: Date.now(), count: this.emulator.stats.inFlight });
    for (; this.seen < log.length; this.seen++) this.pending.add(log[this.seen]!);
    const now = Date.now();
    for (const entry of this.pending) {
      if (entry.status === 0) continue;
      this.pending.delete(entry);
      // What the input-token bucket was charged: uncached input and cache writes (cache reads are free).
      this.answered.push({ at: entry.at, doneAt: now, status: entry.status, inputTokens: entry.inputTokens + entry.cacheWriteTokens });
    }
  }

  stop(): void {
    this.poll();
    clearInterval(this.timer);
  }
}

export interface Throughput {
  /** Successful (200) answers. */
  succeeded: number;
  requests: number;
  rateLimited: number;
  /** rateLimited / requests. */
  rateLimitedShare: number;
  /**
   * Successful answers per minute between the 10th and the 90th percentile of their completion
   * times: (i90 - i10) / (t[i90] - t[i10]) with i = floor(p × n) over the sorted times.
   */
  sustainedPerMinute: number;
  sustainedFractionOfR: number;
  /** The window the sustained rate was measured over, ms from the variant's start. */
  window: { fromMs: number; toMs: number };
  /**
   * The most the emulator's bucket could have admitted over that window if it started full:
   * R plus the bucket's capacity spread over the window. A sustained rate above R but below this
   * spent the initial burst; it is not a rate that can be held.
   */
  bucketCeilingPerMinute: number;
  /** Successful answers per minute over the second half of the window (p50 to p90): after any initial burst is spent. */
  latePerMinute: number;
  lateFractionOfR: number;
  /** Input tokens the emulator charged a successful request, on average (uncached input and cache writes). */
  inputTokensPerRequest: number;
  /** Input tokens charged per minute over the sustained window (by answer time). */
  inputTokensPerMinute: number;
  /**
   * The limit that binds, in requests/min: R, or the input-tokens limit divided by the tokens a
   * request costs when that is lower; `sustainedFractionOfBinding` is the sustained rate over it.
   */
  binding: { limit: 'requests' | 'input tokens'; perMinute: number };
  sustainedFractionOfBinding: number;
  /**
   * Seconds from the variant's start until successful answers first came at 0.9 x the binding
   * rate over a sliding window (10 s, or 30 answers' worth when that is longer); null if never.
   */
  secondsTo90: number | null;
  /** First request to last answer. */
  spanMs: number;
  /**
   * Per 5-second bin from the start: successful answers and 429s (by answer time), and the mean
   * number of requests the emulator was working on — below R/60 x 2.5 s (25 at 600/min) the
   * clients were not sending enough to use the limit.
   */
  timeline: Array<{ second: number; ok: number; rateLimited: number; meanInFlight: number }>;
}

export interface Limits {
  requestsPerMinute: number;
  /** 0: no input-tokens limit. */
  inputTokensPerMinute: number;
  /** Seconds of each limit the emulator's buckets hold. */
  burstSeconds: number;
}

export function throughput(recorder: CompletionRecorder, startedAt: number, limits: Limits): Throughput {
  const { answered } = recorder;
  const rpm = limits.requestsPerMinute;
  const bucketCapacity = (rpm * limits.burstSeconds) / 60;
  const requests = answered.length;
  const rateLimited = answered.filter((entry) => entry.status === 429).length;
  const ok = answered.filter((entry) => entry.status === 200).map((entry) => entry.doneAt).sort((a, b) => a - b);
  const index = (fraction: number) => Math.min(ok.length - 1, Math.floor(fraction * ok.length));
  const rateBetween = (from: number, to: number) => {
    const [i, j] = [index(from), index(to)];
    return ok[j]! > ok[i]! ? ((j - i) / (ok[j]! - ok[i]!)) * 60_000 : 0;
  };
  const sustained = ok.length >= 10 ? rateBetween(0.1, 0.9) : 0;
  const late = ok.length >= 10 ? rateBetween(0.5, 0.9) : 0;
  const windowMs = ok.length >= 10 ? ok[index(0.9)]! - ok[index(0.1)]! : 0;
  const binMs = 5000;
  const timeline: Throughput['timeline'] = [];
  for (const entry of answered) {
    const bin = Math.max(0, Math.floor((entry.doneAt - startedAt) / binMs));
    while (timeline.length <= bin) timeline.push({ second: timeline.length * (binMs / 1000), ok: 0, rateLimited: 0, meanInFlight: 0 });
    if (entry.status === 200) timeline[bin]!.ok++;
    if (entry.status === 429) timeline[bin]!.rateLimited++;
  }
  for (const bin of timeline) {
    const samples = recorder.inFlight.filter((sample) => sample.at - startedAt >= bin.second * 1000 && sample.at - startedAt < bin.second * 1000 + binMs);
    bin.meanInFlight = samples.length > 0 ? round(samples.reduce((sum, sample) => sum + sample.count, 0) / samples.length, 1) : 0;
  }
  const okEntries = answered.filter((entry) => entry.status === 200);
  const inputTokensPerRequest = okEntries.length > 0 ? okEntries.reduce((sum, entry) => sum + entry.inputTokens, 0) / okEntries.length : 0;
  const windowTokens = windowMs > 0 ? okEntries.filter((entry) => entry.doneAt > ok[index(0.1)]! && entry.doneAt <= ok[index(0.9)]!).reduce((sum, entry) => sum + entry.inputTokens, 0) : 0;
  const tokenBound = limits.inputTokensPerMinute > 0 && inputTokensPerRequest > 0 ? limits.inputTokensPerMinute / inputTokensPerRequest : Infinity;
  const binding = tokenBound < rpm ? { limit: 'input tokens' as const, perMinute: Math.round(tokenBound) } : { limit: 'requests' as const, perMinute: rpm };
  const first = Math.min(...answered.map((entry) => entry.at));
  const last = Math.max(...answered.map((entry) => entry.doneAt));
  return {
    succeeded: ok.length,
    requests,
    rateLimited,
    rateLimitedShare: requests > 0 ? round(rateLimited / requests, 4) : 0,
    sustainedPerMinute: Math.round(sustained),
    sustainedFractionOfR: round(sustained / rpm, 3),
    window: ok.length >= 10 ? { fromMs: ok[index(0.1)]! - startedAt, toMs: ok[index(0.9)]! - startedAt } : { fromMs: 0, toMs: 0 },
    bucketCeilingPerMinute: windowMs > 0 ? Math.round(rpm + (bucketCapacity / windowMs) * 60_000) : rpm,
    inputTokensPerRequest: Math.round(inputTokensPerRequest),
    inputTokensPerMinute: windowMs > 0 ? Math.round((windowTokens / windowMs) * 60_000) : 0,
    binding,
    sustainedFractionOfBinding: round(sustained / binding.perMinute, 3),
    secondsTo90: secondsToReach(ok, startedAt, 0.9 * binding.perMinute),
    latePerMinute: Math.round(late),
    lateFractionOfR: round(late / rpm, 3),
    spanMs: requests > 0 ? last - first : 0,
    timeline,
  };
}

/**
 * Seconds from `startedAt` to the end of the first sliding window over which the sorted answer
 * times `ok` came at `perMinute` or faster. The window is 10 s, or the time 30 answers take at
 * that rate when longer (at 50/min a 10 s window holds 8 answers: too few to call a rate).
 */
export function secondsToReach(ok: number[], startedAt: number, perMinute: number): number | null {
  const windowMs = Math.max(10_000, (30 / perMinute) * 60_000);
  // (rounded: 30 answers' worth must count as 30, not 30.000000001)
  const needed = Math.round(((perMinute * windowMs) / 60_000) * 1000) / 1000;
  let from = 0;
  for (let to = 0; to < ok.length; to++) {
    while (ok[from]! <= ok[to]! - windowMs) from++;
    if (to - from + 1 >= needed && ok[to]! - startedAt >= windowMs) return round((ok[to]! - startedAt) / 1000, 1);
  }
  return null;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Machine-wide CPU use between two samples: busy share of all cores, and the core count. */
export function cpuSample(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

export function busyShare(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? round((after.busy - before.busy) / total, 3) : 0;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null when unreadable. */
export async function processCpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? round(ticks / 100, 2) : null;
  } catch {
    return null;
  }
}

export type ProcessCpu = Map<number, { seconds: number; command: string }>;

/** CPU seconds of every process on the machine (this bench's, its children's, and anyone else's). */
export async function allProcessCpu(): Promise<ProcessCpu> {
  const result: ProcessCpu = new Map();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const seconds = await processCpuSeconds(pid);
    if (seconds === null) continue;
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8')
      .then((text) => text.replace(/\0/g, ' ').trim())
      .catch(() => '');
    result.set(pid, { seconds, command });
  }
  return result;
}

/** The processes that used the most CPU between two samples, whoever they belong to. */
export function topCpu(before: ProcessCpu, after: ProcessCpu, count = 8): Array<{ pid: number; command: string; cpuSeconds: number }> {
  const used: Array<{ pid: number; command: string; cpuSeconds: number }> = [];
  for (const [pid, { seconds, command }] of after) {
    const delta = seconds - (before.get(pid)?.seconds ?? 0);
    if (delta >= 0.5) used.push({ pid, command: shorten(command), cpuSeconds: round(delta, 1) });
  }
  return used.sort((a, b) => b.cpuSeconds - a.cpuSeconds).slice(0, count);
}

/** "node --import tsx bench/fixtures/ratelimit-worker.ts" rather than a page of flags. */
function shorten(command: string): string {
  const temporal = /temporal server start-dev .*--db-filename (\S+)/.exec(command);
  if (temporal) return `temporal server start-dev (${temporal[1]})`;
  return command.length > 100 ? `${command.slice(0, 100)}…` : command;
}
