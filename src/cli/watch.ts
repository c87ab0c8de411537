import { describeBatch } from '../client/batch-status';
import { INTERRUPTED_EXIT_CODE, interruptSignal, withSession } from './command';
import { followBatch } from './follow';

/** `docbatch watch <id>`: the live bar until the batch ends, then its report; Ctrl-C detaches. */
export async function watchCommand(batchId: string, options: { json?: boolean }): Promise<number> {
  const interrupt = interruptSignal();
  try {
    return await withSession({ batchId }, async (session) => {
      await describeBatch(session.client, batchId);
      const followed = await followBatch(session, session.client.workflow.getHandle(batchId), {
        json: options.json === true,
        signal: interrupt.signal,
        detachHint: () => `detached from batch ${batchId}; it keeps running. \`docbatch watch ${batchId}\` follows it again.`,
      });
      return followed.kind === 'ended' ? followed.exitCode : INTERRUPTED_EXIT_CODE;
    });
  } finally {
    interrupt.dispose();
  }
}
