import { InvalidArgumentError } from 'commander';
import { CliError, describeError } from '../client/errors';
import { openSession, type SessionOptions, type TemporalSession } from '../client/session';
import { temporalSettingsFromEnv } from '../temporal/connection';

/** Plumbing every command shares: sessions, --json output, interrupts, argument parsers. */

export interface CommandContext {
  batchId?: string;
  /** What the person asked for, for error lines: "pause", "change priority". */
  action?: string;
}

/**
 * Runs `fn` with a connected session and closes it after; any error becomes a CliError whose one
 * line names the batch, the server and the fix.
 */
export async function withSession<T>(context: CommandContext, fn: (session: TemporalSession) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const session = await openSession(options);
  try {
    return await fn(session);
  } catch (error) {
    throw asCliError(error, { ...context, address: session.address, namespace: session.namespace });
  } finally {
    await session.close().catch(() => {});
  }
}

export function asCliError(error: unknown, context: CommandContext & { address?: string; namespace?: string }): CliError {
  if (error instanceof CliError) return error;
  const settings = temporalSettingsFromEnv();
  return new CliError(
    describeError(error, {
      address: context.address ?? settings.address,
      namespace: context.namespace ?? settings.namespace,
      ...(context.batchId !== undefined ? { batchId: context.batchId } : {}),
      ...(context.action !== undefined ? { action: context.action } : {}),
    }),
  );
}

/** For --json: the value and nothing else on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printLine(text: string): void {
  process.stdout.write(text + '\n');
}

/** Progress, hints and notes go to stderr, so stdout stays the command's result. */
export function note(text: string): void {
  process.stderr.write(text + '\n');
}

/** Aborted on the first Ctrl-C (or SIGTERM): the command detaches and says how to come back. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose() {
      process.removeListener('SIGINT', abort);
      process.removeListener('SIGTERM', abort);
    },
  };
}

/** Exit code after Ctrl-C, as shells expect (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

export function integerArg(name: string, min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return value;
  };
}

export function numberArg(name: string, min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}.`);
    }
    return value;
  };
}
