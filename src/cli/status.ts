import type { Command } from 'commander';
import { action, jsonOption, note, printJson, printLine, type CliCommand, type JsonOption } from './command';

/**
 * `docbatch status <id>`: where the batch stands now (--json: the Progress object). A batch that
 * ended other than completed, or that a fault paused, also gets its cause line and exit code.
 */
export const statusCommand: CliCommand = {
  register(program: Command) {
    jsonOption(program.command('status <batchId>').description('where a batch stands now (--json: the progress object)')).action(
      action(async (batchId: string, options: JsonOption) => {
        const [{ withSession }, { readBatchStatus }, { causeLine }, { outcomeReport, progressTable }] = await Promise.all([
          import('./session'),
          import('../client/batch-status'),
          import('../client/batch-cause'),
          import('./format'),
        ]);
        return withSession({ batchId }, async (session) => {
          const { progress, outcome, cause } = await readBatchStatus(session.client, batchId);
          const state = outcome?.state ?? (cause?.kind === 'fault' ? 'paused' : 'running');
          if (options.json) printJson({ ...(progress ?? { batchId, state }), ...(cause ? { cause } : {}) });
          else if (progress) printLine(progressTable(progress, session.batchUrl(batchId)));
          else if (outcome) printLine(outcomeReport(outcome, session.batchUrl(batchId)));
          if (!cause) return 0;
          note(causeLine(batchId, cause.kind === 'workflow-task' ? 'is stuck' : state, cause));
          return cause.exitCode;
        });
      }),
    );
  },
};
