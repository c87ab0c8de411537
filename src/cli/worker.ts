import type { Command } from 'commander';
import { action, type CliCommand } from './command';

/** `docbatch worker`: a worker for the docbatch task queue, configured from env, until Ctrl-C. */
export const workerCommand: CliCommand = {
  register(program: Command) {
    program
      .command('worker')
      .description('run a worker for the docbatch task queue (configured from env) until Ctrl-C')
      .option('--json', 'accepted for symmetry; the worker prints logs only')
      .action(
        action(async () => {
          const { runWorkerFromEnv } = await import('../worker');
          await runWorkerFromEnv();
          return 0;
        }),
      );
  },
};
