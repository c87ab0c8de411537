import type { Command } from 'commander';
import { addSettingsOptions, settingsOf, type BatchCommandOptions } from './batch-options';
import { action, jsonOption, note, printJson, printLine, type CliCommand } from './command';

/** `docbatch redrive <id>`: a new batch of only the failed documents of an ended batch. */
export const redriveCommand: CliCommand = {
  register(program: Command) {
    jsonOption(
      addSettingsOptions(program.command('redrive <batchId>').description('start a new batch of only the failed documents of a finished batch')).option(
        '--rerun',
        'start again even if this redrive already completed',
      ),
    ).action(
      action(async (earlierId: string, options: Partial<BatchCommandOptions>) => {
        const [{ withSession }, { inspectSource }, { planRedrive, redriveInput }, { startOrAttachBatch }] = await Promise.all([
          import('./session'),
          import('../client/batch-source'),
          import('../client/redrive-batch'),
          import('../client/start-batch'),
        ]);
        return withSession({ batchId: earlierId, action: 'redrive' }, async (session) => {
          const plan = await planRedrive(session.client, earlierId, settingsOf(options));
          const { json, input } = await redriveInput(plan);
          const source = await inspectSource(input);
          const outcome = await startOrAttachBatch(session.client, { batchId: plan.batchId, json, input, taskQueue: session.taskQueue, source, rerun: options.rerun === true });
          const uiUrl = session.batchUrl(plan.batchId);
          if (options.json) {
            printJson({ batchId: plan.batchId, redriveOf: earlierId, documents: plan.documents, manifest: plan.manifest, uiUrl });
            return 0;
          }
          printLine(plan.batchId);
          const verb = outcome.kind === 'started' ? 'started' : outcome.kind === 'attached' ? 'already running:' : 'completed earlier:';
          note(`${verb} batch ${plan.batchId} redrives the ${plan.documents} failed documents of ${earlierId} (listed in ${plan.manifest})`);
          note(`Web UI: ${uiUrl}\nfollow it: docbatch watch ${plan.batchId}`);
          return 0;
        });
      }),
    );
  },
};
