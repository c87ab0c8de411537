import type { Command } from 'commander';
import { action, jsonOption, type CliCommand, type JsonOption } from './command';

/** `docbatch report <id>`: the summary of an ended batch and where its files are. */
export const reportCommand: CliCommand = {
  register(program: Command) {
    jsonOption(program.command('report <batchId>').description('the summary of a finished batch and where its files are')).action(
      action(async (batchId: string, options: JsonOption) => {
        const [{ withSession }, { fetchBatchReport }, { printOutcome }] = await Promise.all([import('./session'), import('../client/batch-report'), import('./follow')]);
        return withSession({ batchId }, async (session) => printOutcome(session, await fetchBatchReport(session.client, batchId), options.json === true));
      }),
    );
  },
};
