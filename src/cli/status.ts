import type { Command } from 'commander';
import { action, jsonOption, printJson, printLine, type CliCommand, type JsonOption } from './command';

/** `docbatch status <id>`: where the batch stands now (--json: the Progress object). */
export const statusCommand: CliCommand = {
  register(program: Command) {
    jsonOption(program.command('status <batchId>').description('where a batch stands now (--json: the progress object)')).action(
      action(async (batchId: string, options: JsonOption) => {
        const [{ withSession }, { readProgress }, { progressTable }] = await Promise.all([import('./session'), import('../client/batch-status'), import('./format')]);
        return withSession({ batchId }, async (session) => {
          const progress = await readProgress(session.client, batchId);
          if (options.json) printJson(progress);
          else printLine(progressTable(progress, session.batchUrl(batchId)));
          return 0;
        });
      }),
    );
  },
};
