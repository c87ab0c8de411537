import { InvalidArgumentError, type Command } from 'commander';

/**
 * What every command module shares, and nothing heavy: `docbatch --help` loads every command's
 * registration, so a command module imports the Temporal client, the worker or the extractors
 * only inside its action (`await import(...)`), when that command runs.
 */

/** A module of src/cli/ that adds its command to the program: arguments, options, and its action. */
export interface CliCommand {
  register(program: Command): void;
}

/** A failure of a command that the CLI prints as it is (one line) and exits with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** What the person asked for, so an error line can name it: the batch, "pause", "change priority". */
export interface CommandContext {
  batchId?: string;
  action?: string;
}

export type JsonOption = { json?: boolean };

export function jsonOption(command: Command): Command {
  return command.option('--json', 'print JSON only');
}

/** An action whose exit code becomes the process's; an error it throws reaches main, which prints it. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    process.exitCode = await run(...args);
  };
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
