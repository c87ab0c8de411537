import { controlBatch, type BatchControl } from '../client/batch-controls';
import { printJson, printLine, withSession } from './command';
import type { Progress } from '../batch/progress';
import { progressLine } from './format';

const actionNames: Record<BatchControl['action'], string> = {
  pause: 'pause',
  resume: 'resume',
  cancel: 'cancel',
  setPriority: 'priority change',
  prioritize: 'prioritize',
};

/**
 * pause, resume, cancel, priority and prioritize: each runs the update of the same name and prints
 * the progress it returns, or exits 1 with the workflow's reason for rejecting it.
 */
export async function controlCommand(batchId: string, control: BatchControl, options: { json?: boolean }): Promise<number> {
  return withSession({ batchId, action: actionNames[control.action] }, async (session) => {
    const progress = await controlBatch(session.client, batchId, control);
    if (options.json) {
      printJson(progress);
      return 0;
    }
    printLine(outcomeLine(batchId, control, progress));
    printLine(progressLine(progress));
    return 0;
  });
}

function outcomeLine(batchId: string, control: BatchControl, progress: Progress): string {
  switch (control.action) {
    case 'pause':
      return `paused batch ${batchId}${progress.pauseReason ? ` (${progress.pauseReason})` : ''}: chunks in flight finish, no new chunk starts`;
    case 'resume':
      return `resumed batch ${batchId}`;
    case 'cancel':
      return `cancelling batch ${batchId}: chunks in flight stop, then the partial report is written (\`docbatch watch ${batchId}\` to see it end)`;
    case 'setPriority':
      return `batch ${batchId} now runs at priority ${progress.priority} (1 highest): chunks scheduled from now on carry it`;
    case 'prioritize':
      return `moved the chunks of ${control.documents.length} document${control.documents.length === 1 ? '' : 's'} to the front of batch ${batchId}`;
  }
}
