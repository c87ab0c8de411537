import { readProgress } from '../client/batch-status';
import { printJson, printLine, withSession } from './command';
import { progressTable } from './format';

/** `docbatch status <id>`: where the batch stands now (--json: the Progress object). */
export async function statusCommand(batchId: string, options: { json?: boolean }): Promise<number> {
  return withSession({ batchId }, async (session) => {
    const progress = await readProgress(session.client, batchId);
    if (options.json) printJson(progress);
    else printLine(progressTable(progress, session.batchUrl(batchId)));
    return 0;
  });
}
