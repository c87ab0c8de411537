import type { Command } from 'commander';
import { batchStates } from '../batch/progress';
import { action, integerArg, jsonOption, printJson, printLine, type CliCommand, type JsonOption } from './command';

/** `docbatch list [--state s] [--limit n]`: batches from the search attributes, newest first. */
export const listCommand: CliCommand = {
  register(program: Command) {
    jsonOption(
      program
        .command('list')
        .description('batches, newest first, from their search attributes')
        .option('--state <state>', `only batches in this state (${batchStates.join(', ')})`)
        .option('--limit <n>', 'at most this many (default 20)', integerArg('--limit', 1, 10_000)),
    ).action(
      action(async (options: JsonOption & { state?: string; limit?: number }) => {
        const [{ withSession }, { listBatches }, { listingTable }, { definedOnly }] = await Promise.all([
          import('./session'),
          import('../client/list-batches'),
          import('./format'),
          import('../client/defined-only'),
        ]);
        return withSession({}, async (session) => {
          const batches = await listBatches(session.client, definedOnly({ state: options.state, limit: options.limit }));
          if (options.json) printJson(batches);
          else printLine(listingTable(batches));
          return 0;
        });
      }),
    );
  },
};
