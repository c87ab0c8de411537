import { Command } from 'commander';
import { CliError } from '../client/errors';
import { batchStates } from '../batch/progress';
import { addBatchOptions, addSettingsOptions, type BatchCommandOptions } from './batch-options';
import { asCliError, integerArg } from './command';
import type { BatchControl } from '../client/batch-controls';
import type { EmulatorFlags } from '../emulator';
import type { RunCommandOptions } from './run';
import type { ServerCommandOptions } from './services';

type JsonOption = { json?: boolean };

// Command modules load on use: `docbatch --help` or `status` never loads the worker and its native runtime.
const runCommand = async (dir: string | undefined, o: RunCommandOptions) => (await import('./run')).runCommand(dir, o);
const startCommand = async (dir: string | undefined, o: BatchCommandOptions) => (await import('./start')).startCommand(dir, o);
const watchCommand = async (id: string, o: JsonOption) => (await import('./watch')).watchCommand(id, o);
const statusCommand = async (id: string, o: JsonOption) => (await import('./status')).statusCommand(id, o);
const controlCommand = async (id: string, control: BatchControl, o: JsonOption) => (await import('./controls')).controlCommand(id, control, o);
const listCommand = async (o: JsonOption & { state?: string; limit?: number }) => (await import('./list')).listCommand(o);
const reportCommand = async (id: string, o: JsonOption & { open?: boolean }) => (await import('./report')).reportCommand(id, o);
const redriveCommand = async (id: string, o: Partial<BatchCommandOptions>) => (await import('./redrive')).redriveCommand(id, o);
const workerCommand = async () => (await import('./services')).workerCommand();
const serverCommand = async (o: ServerCommandOptions) => (await import('./services')).serverCommand(o);
const emulatorCommand = async (o: EmulatorFlags) => (await import('./services')).emulatorCommand(o);

/** The `docbatch` command: every subcommand returns its exit code; errors end as one line on stderr. */
export function buildProgram(): Command {
  const program = new Command('docbatch')
    .description('Durable batch extraction of structured data from documents, on Temporal')
    .configureHelp({ sortSubcommands: false });

  const json = (command: Command) => command.option('--json', 'print JSON only');

  addBatchOptions(
    program
      .command('run [dir]')
      .description('run a batch to the end with a live progress bar (starts a dev server and a worker when needed)')
      .option('--no-worker', 'do not run a worker in this process (workers run elsewhere)')
      .option('--estimate', 'print the expected tokens and cost, then exit without calling the API'),
  ).action(exitWith((dir: string | undefined, options: RunCommandOptions) => runCommand(dir, options)));

  addBatchOptions(program.command('start [dir]').description('start a batch and return at once; prints the batch id')).action(
    exitWith((dir: string | undefined, options: BatchCommandOptions) => startCommand(dir, options)),
  );

  json(program.command('watch <batchId>').description('follow a batch with a live progress bar until it ends; Ctrl-C detaches')).action(
    exitWith((batchId: string, options: JsonOption) => watchCommand(batchId, options)),
  );

  json(program.command('status <batchId>').description('where a batch stands now (--json: the progress object)')).action(
    exitWith((batchId: string, options: JsonOption) => statusCommand(batchId, options)),
  );

  json(program.command('pause <batchId>').description('pause: no new chunk starts; chunks in flight finish').option('--reason <text>', 'why, shown in progress and the Web UI')).action(
    exitWith((batchId: string, options: JsonOption & { reason?: string }) =>
      controlCommand(batchId, { action: 'pause', ...(options.reason !== undefined ? { reason: options.reason } : {}) }, options),
    ),
  );

  json(program.command('resume <batchId>').description('resume a paused batch')).action(
    exitWith((batchId: string, options: JsonOption) => controlCommand(batchId, { action: 'resume' }, options)),
  );

  json(program.command('cancel <batchId>').description('cancel: chunks in flight stop, the partial report is written').option('--reason <text>', 'why')).action(
    exitWith((batchId: string, options: JsonOption & { reason?: string }) =>
      controlCommand(batchId, { action: 'cancel', ...(options.reason !== undefined ? { reason: options.reason } : {}) }, options),
    ),
  );

  json(program.command('priority <batchId> <priority>').description('set the task-queue priority of the chunks still to run: 1 (highest) to 5')).action(
    exitWith((batchId: string, priority: string, options: JsonOption) => controlCommand(batchId, { action: 'setPriority', priority: integerArg('priority', 1, 5)(priority) }, options)),
  );

  json(program.command('prioritize <batchId> <document...>').description('move the chunks holding these documents to the front of the queue')).action(
    exitWith((batchId: string, documents: string[], options: JsonOption) => controlCommand(batchId, { action: 'prioritize', documents }, options)),
  );

  json(
    program
      .command('list')
      .description('batches, newest first, from their search attributes')
      .option('--state <state>', `only batches in this state (${batchStates.join(', ')})`)
      .option('--limit <n>', 'at most this many (default 20)', integerArg('--limit', 1, 10_000)),
  ).action(exitWith((options: JsonOption & { state?: string; limit?: number }) => listCommand(options)));

  json(program.command('report <batchId>').description('the summary of a finished batch and where its files (report.html among them) are').option('--open', 'open report.html in the default browser (xdg-open / open)')).action(
    exitWith((batchId: string, options: JsonOption & { open?: boolean }) => reportCommand(batchId, options)),
  );

  json(
    addSettingsOptions(program.command('redrive <batchId>').description('start a new batch of only the failed documents of a finished batch')).option(
      '--rerun',
      'start again even if this redrive already completed',
    ),
  ).action(exitWith((batchId: string, options: Partial<BatchCommandOptions>) => redriveCommand(batchId, options)));

  program
    .command('worker')
    .description('run a worker for the docbatch task queue (configured from env) until Ctrl-C')
    .option('--json', 'accepted for symmetry; the worker prints logs only')
    .action(exitWith(() => workerCommand()));

  json(
    program
      .command('server')
      .description('run the embedded Temporal dev server (with the Web UI) in the foreground')
      .option('--port <port>', 'gRPC port (default 7233)', integerArg('--port', 1, 65535))
      .option('--ui-port <port>', 'Web UI port (default 8233)', integerArg('--ui-port', 1, 65535))
      .option('--db-file <file>', 'SQLite file of the dev server (default .docbatch/temporal.db)')
      .option('--headless', 'no Web UI'),
  ).action(exitWith((options: ServerCommandOptions) => serverCommand(options)));

  program
    .command('emulator')
    .description('run the local emulator of the Anthropic Messages API until Ctrl-C')
    .option('--port <port>', 'port (default: a free one)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--rpm <n>', 'requests per minute before 429 (default unlimited)')
    .option('--itpm <n>', 'input tokens per minute before 429 (default unlimited)')
    .option('--latency <min-max>', 'latency of answers in ms, e.g. 1000-4000')
    .option('--seed <n>', 'seed of the random latency and faults')
    .option('--keys <key...>', 'accepted API keys (default test-key)')
    .option('--fault <spec...>', 'injected faults: KIND:RATE (overloaded:0.05) or KIND:xCOUNT (hang:x2)')
    .option('--json', 'accepted for symmetry; the emulator prints where it listens')
    .action(exitWith((options: EmulatorFlags) => emulatorCommand(options)));

  return program;
}

/** Wraps an action: its exit code becomes the process's; an error becomes one line on stderr. */
function exitWith<A extends unknown[]>(action: (...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    process.exitCode = await action(...args);
  };
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const cliError = error instanceof CliError ? error : asCliError(error, {});
    process.stderr.write(`error: ${cliError.message}\n`);
    return cliError.exitCode;
  }
}

// Exit explicitly: a closed client can leave timers behind that would keep a finished command alive.
process.exit(await main(process.argv));
