import type { Command } from 'commander';
import { firstLine } from '../client/errors';
import type { TemporalSession } from '../client/session';
import type { StartOutcome } from '../client/start-batch';
import type { TemporalServer } from '../temporal/dev-server';
import { addBatchOptions, toBatchOptions, type BatchCommandOptions } from './batch-options';
import { action, CliError, INTERRUPTED_EXIT_CODE, interruptSignal, note, type CliCommand } from './command';
import type { InProcessWorker } from './in-process-worker';

interface RunOptions extends BatchCommandOptions {
  /** false with --no-worker. */
  worker: boolean;
  estimate?: boolean;
}

/**
 * `docbatch run [dir]`, the main job: a Temporal server (found or embedded), an in-process worker,
 * the batch started or resumed under its derived id, a live progress bar, then the report.
 */
export const runCommand: CliCommand = {
  register(program: Command) {
    addBatchOptions(
      program
        .command('run [dir]')
        .description('run a batch to the end with a live progress bar (starts a dev server and a worker when needed)')
        .option('--no-worker', 'do not run a worker in this process (workers run elsewhere)')
        .option('--estimate', 'print the expected tokens and cost, then exit without calling the API'),
    ).action(action(runBatch));
  },
};

async function runBatch(dir: string | undefined, options: RunOptions): Promise<number> {
  const json = options.json === true;
  const { batchInputFromOptions } = await import('../client/batch-input');
  const { json: inputJson, input } = await batchInputFromOptions(toBatchOptions(dir, options));
  if (options.estimate) return (await import('./estimate')).printEstimate(input, json);

  const [{ deriveBatchId }, { inspectSource }, { openSession }, { startOrAttachBatch }, { ensureTemporalServer }, { cliError }, { followBatch, printOutcome }] = await Promise.all([
    import('../client/batch-id'),
    import('../client/batch-source'),
    import('../client/session'),
    import('../client/start-batch'),
    import('../temporal/dev-server'),
    import('./errors'),
    import('./follow'),
  ]);
  const source = await inspectSource(input);
  const batchId = options.id ?? deriveBatchId(inputJson);
  const interrupt = interruptSignal();
  let server: TemporalServer | undefined;
  let session: TemporalSession | undefined;
  let worker: InProcessWorker | undefined;
  try {
    server = await ensureTemporalServer({ log: note }).catch((error: unknown) => {
      throw new CliError(firstLine(error instanceof Error ? error.message : String(error)));
    });
    session = await openSession({ settings: server.connection, uiUrl: server.uiUrl });
    if (options.worker) worker = await (await import('./in-process-worker')).startInProcessWorker(server);
    if (interrupt.signal.aborted) return INTERRUPTED_EXIT_CODE;

    const outcome = await startOrAttachBatch(session.client, { batchId, json: inputJson, input, taskQueue: session.taskQueue, source, rerun: options.rerun === true });
    announce(session, outcome, source.label);
    if (outcome.kind === 'completed-earlier') {
      return printOutcome(session, { batchId, state: outcome.summary.state, summary: outcome.summary }, json);
    }

    const workerCrash = new AbortController();
    let crash: Error | undefined;
    void worker?.crashed.then((error) => {
      crash = error;
      workerCrash.abort();
    });
    const followed = await followBatch(session, outcome.handle, {
      json,
      signal: AbortSignal.any([interrupt.signal, workerCrash.signal]),
      detachHint: () => (crash ? '' : detachHint(batchId, options.worker)),
    });
    if (crash) throw new CliError(`the in-process worker stopped (${firstLine(crash.message)}): re-run the command to resume batch ${batchId}`);
    return followed.kind === 'ended' ? followed.exitCode : INTERRUPTED_EXIT_CODE;
  } catch (error) {
    throw cliError(error, { batchId, ...(server ? { address: server.address, namespace: server.namespace } : {}) });
  } finally {
    interrupt.dispose();
    await worker?.stop();
    await session?.close().catch(() => {});
    if (server?.started) {
      note('stopping the embedded Temporal server (run `docbatch server` to keep it and its Web UI up between commands)');
      await server.stop();
    }
  }
}

function announce(session: TemporalSession, outcome: StartOutcome, label: string): void {
  const url = session.batchUrl(outcome.batchId);
  if (outcome.kind === 'started') note(`batch ${outcome.batchId}: documents from ${label}\nWeb UI: ${url}`);
  if (outcome.kind === 'attached') note(`batch ${outcome.batchId} is already running: following it\nWeb UI: ${url}`);
  if (outcome.kind === 'completed-earlier') note(`batch ${outcome.batchId} completed earlier: its report follows (--rerun starts it again)`);
}

function detachHint(batchId: string, inProcessWorker: boolean): string {
  const waiting = inProcessWorker
    ? 'the in-process worker stopped; the batch waits in Temporal with its finished work kept'
    : 'it keeps running on the workers';
  return `detached from batch ${batchId}: ${waiting}. Resume by re-running the same command, or \`docbatch watch ${batchId}\` with a worker running (\`docbatch worker\`).`;
}
