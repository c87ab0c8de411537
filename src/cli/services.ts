import { CliError } from '../client/errors';
import type { EmulatorFlags } from '../emulator';
import { runServerForeground } from '../temporal/dev-server';

/** The long-running processes docbatch ships: a worker, the dev server, the Messages API emulator. */

export async function workerCommand(): Promise<number> {
  const { runWorkerFromEnv } = await import('../worker');
  await runWorkerFromEnv();
  return 0;
}

export interface ServerCommandOptions {
  port?: number;
  uiPort?: number;
  dbFile?: string;
  headless?: boolean;
}

export async function serverCommand(options: ServerCommandOptions): Promise<number> {
  await runServerForeground({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.uiPort !== undefined ? { uiPort: options.uiPort } : {}),
    ...(options.dbFile !== undefined ? { dbFile: options.dbFile } : {}),
    ...(options.headless !== undefined ? { headless: options.headless } : {}),
  });
  return 0;
}

/** `docbatch emulator`: the Messages API emulator in the foreground until Ctrl-C. */
export async function emulatorCommand(flags: EmulatorFlags): Promise<number> {
  const { emulatorOptionsFromFlags, runEmulatorForeground } = await import('../emulator');
  let options;
  try {
    options = emulatorOptionsFromFlags(flags);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  await runEmulatorForeground(options);
  return 0;
}
