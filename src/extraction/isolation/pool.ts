import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DocumentError } from '../errors';
import type { DecodeRequest, DecodeTask, DecodeTaskName, DecodeTasks, DecoderMessage, WireError } from './protocol';
import { builtFile, runsCompiled } from '../../package-layout';

/**
 * A pool of decoder processes: every document is parsed, rendered and OCR'd in a child process,
 * never in the worker. Child processes rather than worker threads, because what goes wrong while
 * decoding happens mostly outside the JS heap that a thread's `resourceLimits` bound: tesseract's
 * WASM memory, @napi-rs/canvas pixel buffers, native aborts. A thread that blows up there takes the
 * process with it; a child is killed and replaced. Its RSS is watched from /proc (Linux), and a
 * document without progress for `timeoutMs` is a timeout. A pool of warm children costs a start
 * (~0.5 s, tsx included) only on the first document and after a crash.
 */
export interface DecoderPoolOptions {
  /** Decoder processes at most. @default os.availableParallelism() */
  size?: number;
  /** Time a document may go without progress (one page, or the whole of an image). @default 120_000 */
  timeoutMs?: number;
  /** RSS a decoder process may reach; above it the document is too_large. @default 1536 */
  maxMemoryMb?: number;
  /** The decoder's entry module (tests use their own). @default ./decoder-process.ts */
  entry?: string;
}

const defaults: Required<DecoderPoolOptions> = {
  size: availableParallelism(),
  timeoutMs: 120_000,
  maxMemoryMb: 1536,
  // Compiled, the build's bundle of decoder-process.ts (see src/package-layout.ts).
  entry: runsCompiled ? builtFile('decoder-process.js') : fileURLToPath(new URL('./decoder-process.ts', import.meta.url)),
};

/** How often a busy decoder's memory is looked at. */
const memoryCheckIntervalMs = 100;
/** A decoder that crashes on a document is given it once more, fresh, before the document fails. */
const attemptsOnCrash = 2;

/** The tsx loader, by absolute URL: children may run with any working directory. */
const tsxLoader = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Job {
  task: DecodeTask;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

type Ending = 'timeout' | 'memory' | 'closed';

class Decoder {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  job: (Job & { id: number }) | undefined;
  private started = false;
  private stderrTail = '';
  private ending: Ending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private memoryWatch: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: Required<DecoderPoolOptions>,
    private readonly events: { done: (decoder: Decoder) => void; exited: (decoder: Decoder) => void },
  ) {
    this.process = fork(options.entry, [], {
      // A TypeScript entry runs through tsx; the build's JavaScript runs as it is.
      execArgv: [...(/\.[cm]?ts$/.test(options.entry) ? ['--import', tsxLoader()] : []), `--max-old-space-size=${Math.max(128, Math.floor(options.maxMemoryMb / 2))}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.process.stderr!.on('data', (data: Buffer) => {
      this.stderrTail = (this.stderrTail + data.toString()).slice(-2000);
    });
    this.ready = new Promise((resolve, reject) => {
      this.process.once('message', (message: DecoderMessage) => {
        if (message.type === 'ready') resolve();
      });
      this.process.once('exit', (code, signal) => reject(new Error(`docbatch's decoder process could not start (${exitReason(code, signal)}): ${this.stderrTail.trim() || 'no output'}`)));
      this.process.once('error', reject);
    });
    this.ready.catch(() => undefined);
    this.process.on('message', (message: DecoderMessage) => this.receive(message));
    this.process.on('exit', (code, signal) => this.exited(code, signal));
    this.idle();
  }

  /** Takes a job; it is sent once the process is ready. A decoder with a job keeps this process alive. */
  claim(job: Job & { id: number }): void {
    this.job = job;
    this.hold();
  }

  /** Keeps this process alive until the decoder answers or exits. */
  hold(): void {
    this.process.ref();
    (this.process.channel as { ref?: () => void } | undefined)?.ref?.();
    (this.process.stderr as Socket | null)?.ref();
  }

  start(job: Job & { id: number }): void {
    this.started = true;
    this.restartTimer();
    this.memoryWatch = setInterval(() => this.checkMemory(), memoryCheckIntervalMs);
    const request: DecodeRequest = { id: job.id, task: job.task };
    this.process.send(request);
  }

  kill(ending: Ending): void {
    this.ending ??= ending;
    this.process.kill('SIGKILL');
  }

  private receive(message: DecoderMessage): void {
    const job = this.job;
    if (message.type === 'ready' || job === undefined || message.id !== job.id) return;
    if (message.type === 'progress') {
      this.restartTimer();
      return;
    }
    this.finish();
    if (message.type === 'result') job.resolve(message.value);
    else job.reject(fromWireError(message.error));
    this.events.done(this);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    const job = this.job;
    this.finish();
    this.events.exited(this);
    // A job not sent yet is failed by the `ready` promise, with the reason the process did not start.
    if (job === undefined || !this.started) return;
    const path = job.task.document.path;
    if (this.ending === 'timeout') {
      const seconds = Math.round(this.options.timeoutMs / 1000);
      job.reject(new DocumentError('timeout', `${path} made no progress for ${seconds} s while being decoded (a page or image that never finishes): check the file, re-export it, or raise DOCBATCH_DECODE_TIMEOUT_SECONDS`));
    } else if (this.ending === 'memory' || /heap out of memory|allocation failed/i.test(this.stderrTail)) {
      job.reject(new DocumentError('too_large', `${path} needed more than ${this.options.maxMemoryMb} MB of memory to decode: reduce its resolution or page size, or split it`));
    } else if (this.ending === 'closed') {
      job.reject(new Error(`docbatch's decoder pool was closed while ${path} was being decoded`));
    } else {
      job.reject(new DecoderCrash(path, exitReason(code, signal), this.stderrTail));
    }
  }

  private finish(): void {
    clearTimeout(this.timer);
    clearInterval(this.memoryWatch);
    this.job = undefined;
    this.idle();
  }

  /** An idle decoder does not keep the process alive (a CLI run ends when its work does). */
  private idle(): void {
    this.process.unref();
    (this.process.channel as { unref?: () => void } | undefined)?.unref?.();
    (this.process.stderr as Socket | null)?.unref();
  }

  private restartTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kill('timeout'), this.options.timeoutMs);
  }

  private checkMemory(): void {
    const rssMb = processRssMb(this.process.pid);
    if (rssMb !== undefined && rssMb > this.options.maxMemoryMb) this.kill('memory');
  }
}

/** A decoder process ended in the middle of a document for no reason docbatch chose. */
class DecoderCrash extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly output: string,
  ) {
    super(`the decoder crashed on ${path} (${reason})`);
  }
}

export class DecoderPool {
  private readonly options: Required<DecoderPoolOptions>;
  private readonly decoders = new Set<Decoder>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: DecoderPoolOptions = {}) {
    this.options = { ...defaults, ...options };
    if (!Number.isInteger(this.options.size) || this.options.size < 1) throw new Error(`a decoder pool needs at least one process, not ${this.options.size}`);
  }

  get size(): number {
    return this.options.size;
  }

  /** Process ids of the decoders running now (tests, benchmarks). */
  pids(): number[] {
    return [...this.decoders].flatMap((decoder) => (decoder.process.pid === undefined ? [] : [decoder.process.pid]));
  }

  /**
   * Runs one task in a decoder process. A DocumentError from the decoder is rethrown as is; a
   * decoder that crashes, hangs or outgrows its memory is killed and replaced, and the document
   * fails with `corrupt`, `timeout` or `too_large`.
   */
  async run<K extends DecodeTaskName>(task: { name: K } & DecodeTasks[K]['input']): Promise<DecodeTasks[K]['output']> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.schedule(task as DecodeTask)) as DecodeTasks[K]['output'];
      } catch (error) {
        if (!(error instanceof DecoderCrash)) throw error;
        if (attempt >= attemptsOnCrash) {
          throw new DocumentError(
            'corrupt',
            `${error.path} crashed docbatch's decoder ${attempt} times (${error.reason}${lastError(error.output)}): the file is damaged or uses features the decoder cannot handle; re-export or re-scan it`,
          );
        }
      }
    }
  }

  /** Kills every decoder; queued and running tasks fail. The pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error("docbatch's decoder pool was closed"));
    const exits = [...this.decoders].map((decoder) => {
      const exited = new Promise((resolve) => decoder.process.once('exit', resolve));
      if (decoder.process.exitCode !== null || decoder.process.signalCode !== null) return Promise.resolve();
      decoder.hold();
      decoder.kill('closed');
      return exited;
    });
    await Promise.all(exits);
  }

  private schedule(task: DecodeTask): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("docbatch's decoder pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let decoder = [...this.decoders].find((candidate) => candidate.job === undefined);
      if (decoder === undefined && this.decoders.size < this.options.size) decoder = this.spawn();
      if (decoder === undefined) return;
      const job = { ...this.queue.shift()!, id: this.nextId++ };
      // A decoder that cannot start fails the task with the reason.
      decoder.claim(job);
      const claimed = decoder;
      claimed.ready.then(
        () => (claimed.job === job ? claimed.start(job) : undefined),
        (error: unknown) => {
          if (claimed.job === job) claimed.job = undefined;
          job.reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  }

  private spawn(): Decoder {
    const decoder = new Decoder(this.options, {
      done: () => this.dispatch(),
      exited: (ended) => {
        this.decoders.delete(ended);
        if (!this.closed) setImmediate(() => this.dispatch());
      },
    });
    this.decoders.add(decoder);
    return decoder;
  }
}

function fromWireError(error: WireError): Error {
  if (error.documentErrorType !== undefined) return new DocumentError(error.documentErrorType, error.message);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}

function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `killed by ${signal}` : `exit code ${code}`;
}

/** The error a crashed decoder printed last (Node ends an uncaught error with its version line). */
function lastError(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  const line = lines.findLast((candidate) => /^(\w*Error\b|Error:|FATAL|#)/.test(candidate)) ?? lines.findLast((candidate) => candidate !== '' && !candidate.startsWith('Node.js v'));
  return line ? `: ${line.slice(0, 200)}` : '';
}

/** Resident memory of a process, from /proc; undefined where there is no /proc (macOS, Windows). */
function processRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}
