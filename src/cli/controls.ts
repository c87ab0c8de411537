import type { Command } from 'commander';
import type { Progress } from '../batch/progress';
import type { BatchControl } from '../client/batch-controls';
import { action, integerArg, jsonOption, printJson, printLine, type CliCommand, type JsonOption } from './command';

/**
 * pause, resume, cancel, priority and prioritize: each runs the update of the same name and prints
 * the progress it returns, or exits 1 with the workflow's reason for rejecting it.
 */
export const controlCommands: CliCommand = {
  register(program: Command) {
    type Reason = JsonOption & { reason?: string };
    jsonOption(program.command('pause <batchId>').description('pause: no new chunk starts; chunks in flight finish').option('--reason <text>', 'why, shown in progress and the Web UI')).action(
      action((batchId: string, options: Reason) => control(batchId, { action: 'pause', ...(options.reason !== undefined ? { reason: options.reason } : {}) }, options)),
    );
    jsonOption(program.command('resume <batchId>').description('resume a paused batch')).action(
      action((batchId: string, options: JsonOption) => control(batchId, { action: 'resume' }, options)),
    );
    jsonOption(program.command('cancel <batchId>').description('cancel: chunks in flight stop, the partial report is written').option('--reason <text>', 'why')).action(
      action((batchId: string, options: Reason) => control(batchId, { action: 'cancel', ...(options.reason !== undefined ? { reason: options.reason } : {}) }, options)),
    );
    jsonOption(program.command('priority <batchId> <priority>').description('set the task-queue priority of the chunks still to run: 1 (highest) to 5')).action(
      action((batchId: string, priority: string, options: JsonOption) => control(batchId, { action: 'setPriority', priority: integerArg('priority', 1, 5)(priority) }, options)),
    );
    jsonOption(program.command('prioritize <batchId> <document...>').description('move the chunks holding these documents to the front of the queue')).action(
      action((batchId: string, documents: string[], options: JsonOption) => control(batchId, { action: 'prioritize', documents }, options)),
    );
  },
};

const actionNames: Record<BatchControl['action'], string> = {
  pause: 'pause',
  resume: 'resume',
  cancel: 'cancel',
  setPriority: 'priority change',
  prioritize: 'prioritize',
};

async function control(batchId: string, request: BatchControl, options: JsonOption): Promise<number> {
  const [{ withSession }, { controlBatch }, { progressLine }] = await Promise.all([import('./session'), import('../client/batch-controls'), import('./format')]);
  return withSession({ batchId, action: actionNames[request.action] }, async (session) => {
    const progress = await controlBatch(session.client, batchId, request);
    if (options.json) {
      printJson(progress);
      return 0;
    }
    printLine(outcomeLine(batchId, request, progress));
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
