import type { Client } from '@temporalio/client';
import * as messages from '../batch/messages';
import type { Progress } from '../batch/progress';
import { describeBatch } from './batch-record';
import { BatchEndedError } from './errors';

/** The control updates of a batch and their arguments (see src/batch/messages.ts). */
export type BatchControl =
  | { action: 'pause'; reason?: string }
  | { action: 'resume' }
  | { action: 'cancel'; reason?: string }
  | { action: 'setPriority'; priority: number }
  | { action: 'prioritize'; documents: string[] };

/** How long a control update may wait for a worker to accept it. */
const UPDATE_DEADLINE_MS = 30_000;

/**
 * Sends a control to a running batch as an update, so the person learns the outcome: the new
 * progress, or the workflow's reason for rejecting it (WorkflowUpdateFailedError).
 */
export async function controlBatch(client: Client, batchId: string, control: BatchControl): Promise<Progress> {
  const handle = client.workflow.getHandle(batchId);
  const { status } = await describeBatch(client, batchId);
  if (status.name !== 'RUNNING') throw new BatchEndedError(batchId, verb(control.action), status.name);
  return client.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => {
    switch (control.action) {
      case 'pause':
        return handle.executeUpdate(messages.pauseUpdate, { args: [control.reason === undefined ? {} : { reason: control.reason }] });
      case 'resume':
        return handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
      case 'cancel':
        return handle.executeUpdate(messages.cancelUpdate, { args: [control.reason === undefined ? {} : { reason: control.reason }] });
      case 'setPriority':
        return handle.executeUpdate(messages.setPriorityUpdate, { args: [{ priority: control.priority }] });
      case 'prioritize':
        return handle.executeUpdate(messages.prioritizeUpdate, { args: [{ documents: control.documents }] });
    }
  });
}

function verb(action: string): string {
  return action === 'setPriority' ? 'change the priority of' : action;
}
