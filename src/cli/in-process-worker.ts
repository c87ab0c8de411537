import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TemporalServer } from '../temporal/dev-server';
import { connectWorkerConnection } from '../temporal/connection';
import { createDocbatchWorker } from '../worker';

export interface InProcessWorker {
  /** Settles with the error if the worker stops on its own (a crash, a bad bundle). */
  readonly crashed: Promise<Error>;
  /** Graceful: chunks in flight get their cancellation and the worker drains, then the connection closes. */
  stop(): Promise<void>;
}

/**
 * The worker `docbatch run` starts beside the client, so one command does the whole job. Its logs
 * stay at WARN, so they do not tear through the progress bar.
 */
export async function startInProcessWorker(server: Pick<TemporalServer, 'connection'>): Promise<InProcessWorker> {
  installQuietRuntime();
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
    async stop() {
      stopping = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}

let runtimeInstalled = false;

function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already (by an embedding program): keep its logger.
  }
}
