import type { Command } from 'commander';
import type { EmulatorFlags } from '../emulator';
import { action, CliError, type CliCommand } from './command';

/** `docbatch emulator`: the Messages API emulator in the foreground until Ctrl-C. */
export const emulatorCommand: CliCommand = {
  register(program: Command) {
    program
      .command('emulator')
      .description('run the local emulator of the Anthropic Messages API (and its Message Batches API) until Ctrl-C')
      .option('--port <port>', 'port (default: a free one)')
      .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
      .option('--rpm <n>', 'requests per minute before 429 (default unlimited)')
      .option('--itpm <n>', 'input tokens per minute before 429 (default unlimited)')
      .option('--otpm <n>', 'output tokens per minute before 429 (default unlimited)')
      .option('--latency <min-max>', 'latency of answers in ms, e.g. 1000-4000')
      .option('--seed <n>', 'seed of the random latency and faults')
      .option('--keys <key...>', 'accepted API keys (default test-key)')
      .option('--fault <spec...>', 'injected faults: KIND:RATE (overloaded:0.05) or KIND:xCOUNT (hang:x2)')
      .option('--batch-processing <ms>', 'Message Batches: how long a batch takes to process, in ms (default 1000)')
      .option('--batch-errored <share>', 'Message Batches: share of requests ending errored with a server error, 0-1 (default 0)')
      .option('--batch-expired <share>', 'Message Batches: share of requests ending expired, 0-1 (default 0); their batch runs until its expiry')
      .option('--batch-time-scale <n>', 'Message Batches: the 24-hour expiry lasts 24 h / n (86400: one second)')
      .option('--batch-rpm <n>', 'Message Batches: requests per minute across the batch endpoints before 429 (default unlimited)')
      .option('--batch-queue <n>', 'Message Batches: most requests waiting to be processed before create answers 429 (default unlimited)')
      .option('--json', 'accepted for symmetry; the emulator prints where it listens')
      .action(
        action(async (flags: EmulatorFlags) => {
          const { emulatorOptionsFromFlags, runEmulatorForeground } = await import('../emulator');
          let options;
          try {
            options = emulatorOptionsFromFlags(flags);
          } catch (error) {
            throw new CliError(error instanceof Error ? error.message : String(error));
          }
          await runEmulatorForeground(options);
          return 0;
        }),
      );
  },
};
