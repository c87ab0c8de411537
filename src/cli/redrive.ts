import { inspectSource } from '../client/batch-source';
import { planRedrive, redriveInput } from '../client/redrive-batch';
import { startOrAttachBatch } from '../client/start-batch';
import { settingsOf, type BatchCommandOptions } from './batch-options';
import { note, printJson, printLine, withSession } from './command';

/** `docbatch redrive <id>`: a new batch of only the failed documents of an ended batch. */
export async function redriveCommand(earlierId: string, options: Partial<BatchCommandOptions>): Promise<number> {
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
}
