import { CliError } from '../client/errors';
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

export async function emulatorCommand(_options: Record<string, unknown>): Promise<number> {
  // Wired to src/emulator (runEmulatorForeground) once it lands.
  throw new CliError('the Messages API emulator is not available in this build yet');
}
