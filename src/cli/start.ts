import type { Command } from 'commander';
import { addBatchOptions, toBatchOptions, type BatchCommandOptions } from './batch-options';
import { action, note, printJson, printLine, type CliCommand } from './command';

/** `docbatch start [dir]`: starts (or finds) the batch and returns at once; workers do the rest. */
export const startCommand: CliCommand = {
  register(program: Command) {
    addBatchOptions(program.command('start [dir]').description('start a batch and return at once; prints the batch id')).action(
      action(async (dir: string | undefined, options: BatchCommandOptions) => {
        const [{ withSession }, { deriveBatchId }, { batchInputFromOptions }, { inspectSource }, { startOrAttachBatch }] = await Promise.all([
          import('./session'),
          import('../client/batch-id'),
          import('../client/batch-input'),
          import('../client/batch-source'),
          import('../client/start-batch'),
        ]);
        const { json: inputJson, input } = await batchInputFromOptions(toBatchOptions(dir, options));
        const source = await inspectSource(input);
        const batchId = options.id ?? deriveBatchId(inputJson);
        return withSession({ batchId }, async (session) => {
          const outcome = await startOrAttachBatch(session.client, { batchId, json: inputJson, input, taskQueue: session.taskQueue, source, rerun: options.rerun === true });
          const uiUrl = session.batchUrl(batchId);
          const state = outcome.kind === 'started' ? 'started' : outcome.kind === 'attached' ? 'running' : 'completed';
          if (options.json) {
            printJson({ batchId, uiUrl, state });
            return 0;
          }
          printLine(batchId);
          if (outcome.kind === 'started') note(`started batch ${batchId}: documents from ${source.label}`);
          if (outcome.kind === 'attached') note(`batch ${batchId} was already running`);
          if (outcome.kind === 'completed-earlier') note(`batch ${batchId} completed earlier: \`docbatch report ${batchId}\` (--rerun starts it again)`);
          note(`Web UI: ${uiUrl}\nfollow it: docbatch watch ${batchId}`);
          return 0;
        });
      }),
    );
  },
};
