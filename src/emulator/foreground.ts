import { faultKinds, type EmulatorOptions, type Fault, type FaultKind, type MessageBatchOptions } from './options';
import { startEmulator } from './server';

/** The `docbatch emulator` flags, as strings from the command line. */
export interface EmulatorFlags {
  port?: string;
  host?: string;
  /** Requests per minute; 0 or absent: unlimited. */
  rpm?: string;
  /** Input tokens per minute; 0 or absent: unlimited. */
  itpm?: string;
  otpm?: string;
  /** "MIN-MAX" milliseconds, or one number. */
  latency?: string;
  seed?: string;
  /** Accepted API keys. */
  keys?: string[];
  /** "KIND:RATE" (e.g. overloaded:0.05) or "KIND:xCOUNT" (e.g. hang:x2). */
  fault?: string[];
  /** Message Batches: processing time of a batch in ms. */
  batchProcessing?: string;
  /** Message Batches: share (0-1) of requests that end errored with a server error. */
  batchErrored?: string;
  /** Message Batches: share (0-1) of requests that end expired. */
  batchExpired?: string;
  /** Message Batches: the 24-hour expiry is 24 h / this. */
  batchTimeScale?: string;
  /** Message Batches: requests per minute across the batch endpoints; 0 or absent: unlimited. */
  batchRpm?: string;
  /** Message Batches: most requests waiting in the processing queue; 0 or absent: unlimited. */
  batchQueue?: string;
}

export function emulatorOptionsFromFlags(flags: EmulatorFlags): EmulatorOptions {
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} ${value} is not a non-negative number`);
    return parsed;
  };
  const options: EmulatorOptions = {};
  const port = number('port', flags.port);
  if (port !== undefined) options.port = port;
  if (flags.host !== undefined) options.host = flags.host;
  const rpm = number('rpm', flags.rpm);
  if (rpm !== undefined) options.requestsPerMinute = rpm;
  const itpm = number('itpm', flags.itpm);
  if (itpm !== undefined) options.inputTokensPerMinute = itpm;
  const otpm = number('otpm', flags.otpm);
  if (otpm !== undefined) options.outputTokensPerMinute = otpm;
  const seed = number('seed', flags.seed);
  if (seed !== undefined) options.seed = Math.trunc(seed);
  if (flags.keys !== undefined && flags.keys.length > 0) options.validKeys = flags.keys;
  if (flags.latency !== undefined) {
    const [min, max = min] = flags.latency.split('-').map((part) => number('latency', part));
    if (min === undefined || max === undefined || max < min) throw new Error(`--latency ${flags.latency}: expected MIN-MAX milliseconds, like 1000-4000`);
    options.latency = { minMs: min, maxMs: max };
  }
  if (flags.fault !== undefined) options.faults = flags.fault.map(parseFault);
  const share = (name: string, value: string | undefined): number | undefined => {
    const parsed = number(name, value);
    if (parsed !== undefined && parsed > 1) throw new Error(`--${name} ${value} is not a share between 0 and 1 (e.g. 0.05 for 5%)`);
    return parsed;
  };
  const batches: MessageBatchOptions = {};
  const processingMs = number('batch-processing', flags.batchProcessing);
  if (processingMs !== undefined) batches.processingMs = processingMs;
  const erroredShare = share('batch-errored', flags.batchErrored);
  if (erroredShare !== undefined) batches.erroredShare = erroredShare;
  const expiredShare = share('batch-expired', flags.batchExpired);
  if (expiredShare !== undefined) batches.expiredShare = expiredShare;
  if ((erroredShare ?? 0) + (expiredShare ?? 0) > 1) throw new Error(`--batch-errored ${erroredShare} and --batch-expired ${expiredShare} add up to more than 1`);
  const timeScale = number('batch-time-scale', flags.batchTimeScale);
  if (timeScale !== undefined) {
    if (timeScale === 0) throw new Error('--batch-time-scale 0: expected a positive number (86400 makes the 24-hour expiry one second)');
    batches.timeScale = timeScale;
  }
  const batchRpm = number('batch-rpm', flags.batchRpm);
  if (batchRpm !== undefined) batches.requestsPerMinute = batchRpm;
  const batchQueue = number('batch-queue', flags.batchQueue);
  if (batchQueue !== undefined) batches.maxQueuedRequests = Math.trunc(batchQueue);
  if (Object.keys(batches).length > 0) options.messageBatches = batches;
  return options;
}

const percent = (share: number | undefined) => `${Math.round((share ?? 0) * 1000) / 10}%`;

function parseFault(spec: string): Fault {
  const [kind, amount] = spec.split(':');
  if (!faultKinds.includes(kind as FaultKind) || amount === undefined) {
    throw new Error(`--fault ${spec}: expected KIND:RATE or KIND:xCOUNT with KIND one of ${faultKinds.join(', ')}`);
  }
  if (amount.startsWith('x')) return { kind: kind as FaultKind, count: Number(amount.slice(1)) };
  return { kind: kind as FaultKind, rate: Number(amount) };
}

/**
 * `docbatch emulator`: runs the emulator until SIGINT/SIGTERM, printing where it listens and how
 * to point docbatch at it. Resolves when it has stopped.
 */
export async function runEmulatorForeground(options: EmulatorOptions, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  const emulator = await startEmulator(options);
  write(`Messages API emulator listening on ${emulator.url} (POST /v1/messages and the Message Batches API)`);
  write(`  export ANTHROPIC_BASE_URL=${emulator.url} ANTHROPIC_API_KEY=${(options.validKeys ?? ['test-key'])[0]}`);
  write(
    `  limits: ${options.requestsPerMinute ? `${options.requestsPerMinute} requests/min` : 'unlimited requests'}, ${options.inputTokensPerMinute ? `${options.inputTokensPerMinute} input tokens/min` : 'unlimited input tokens'}, ${options.outputTokensPerMinute ? `${options.outputTokensPerMinute} output tokens/min` : 'unlimited output tokens'}; latency ${options.latency ? `${options.latency.minMs}-${options.latency.maxMs} ms` : '0 ms'}`,
  );
  const batches = options.messageBatches ?? {};
  write(
    `  Message Batches: processing ${batches.processingMs ?? 1000} ms, ${percent(batches.erroredShare)} errored, ${percent(batches.expiredShare)} expired, expiry 24 h${batches.timeScale ? ` / ${batches.timeScale}` : ''}; ${batches.requestsPerMinute ? `${batches.requestsPerMinute} requests/min` : 'unlimited requests'}, ${batches.maxQueuedRequests ? `${batches.maxQueuedRequests} queued requests at most` : 'unlimited queue'}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emulator.stop();
  write(`emulator stopped after ${emulator.stats.requests} requests`);
}
