import type { Command } from 'commander';
import { action, INTERRUPTED_EXIT_CODE, interruptSignal, jsonOption, type CliCommand, type JsonOption } from './command';

/** `docbatch watch <id>`: the live bar until the batch ends, then its report; Ctrl-C detaches. */
export const watchCommand: CliCommand = {
  register(program: Command) {
    jsonOption(program.command('watch <batchId>').description('follow a batch with a live progress bar until it ends; Ctrl-C detaches')).action(
      action(async (batchId: string, options: JsonOption) => {
        const [{ withSession }, { describeBatch }, { followBatch }] = await Promise.all([import('./session'), import('../client/batch-record'), import('./follow')]);
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
      }),
    );
  },
};
