import { controlBatch, type BatchControl } from '../client/batch-controls';
import { printJson, printLine, withSession } from './command';
import { formatState, progressLine } from './format';

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
    printLine(`${done(control)} batch ${batchId}: ${formatState(progress)}`);
    printLine(progressLine(progress));
    return 0;
  });
}

function done(control: BatchControl): string {
  switch (control.action) {
    case 'pause':
      return 'paused';
    case 'resume':
      return 'resumed';
    case 'cancel':
      return 'cancelling (chunks in flight stop, then the partial report is written);';
    case 'setPriority':
      return `priority ${control.priority} for`;
    case 'prioritize':
      return `moved ${control.documents.length} document${control.documents.length === 1 ? '' : 's'} to the front of`;
  }
}
