import type { TemporalServer } from '../temporal/dev-server';
import { connectWorkerConnection } from '../temporal/connection';
import { readEnv } from '../env';
import { installWorkerRuntime } from '../logging/runtime';
import { createDocbatchWorker } from '../worker';

export interface InProcessWorker {
  /** Settles with the error if the worker stops on its own (a crash, a bad bundle). */
  readonly crashed: Promise<Error>;
  /** Graceful: chunks in flight get their cancellation and the worker drains, then the connection closes. */
  stop(): Promise<void>;
  /** The file its logs go to; absent when they go to the terminal (--verbose). */
  readonly logFile?: string;
}

export interface InProcessWorkerOptions {
  /** The SDK's and the worker's logs on the terminal (at DOCBATCH_LOG_LEVEL, else INFO) instead of the log file. */
  verbose?: boolean;
}

/**
 * The worker `docbatch run` starts beside the client, so one command does the whole job. Its logs
 * go to a rotated file under the docbatch home (WARN, or DOCBATCH_LOG_LEVEL), so the terminal
 * shows only the progress view and one-line problems; --verbose, or DOCBATCH_LOG_LEVEL, puts them
 * back on the terminal.
 */
export async function startInProcessWorker(server: Pick<TemporalServer, 'connection'>, options: InProcessWorkerOptions = {}): Promise<InProcessWorker> {
  const toTerminal = options.verbose === true || readEnv('logLevel') !== undefined;
  const runtime = installWorkerRuntime({ defaultLevel: options.verbose ? 'INFO' : 'WARN', to: toTerminal ? 'stderr' : 'file' });
  const connection = await connectWorkerConnection(server.connection);
  const worker = await createDocbatchWorker({ connection, namespace: server.connection.namespace });
  let stopping = false;
  const running = worker.run();
  const crashed = new Promise<Error>((resolve) => {
    running.then(
      () => !stopping && resolve(new Error('the in-process worker stopped')),
      (error: unknown) => resolve(error instanceof Error ? error : new Error(String(error))),
    );
  });
  return {
    crashed,
    ...(runtime.file ? { logFile: runtime.file } : {}),
    async stop() {
      stopping = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}
