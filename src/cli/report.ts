import { fetchBatchReport } from '../client/batch-report';
import { withSession } from './command';
import { printOutcome } from './follow';

/** `docbatch report <id>`: the summary of an ended batch and where its files are. */
export async function reportCommand(batchId: string, options: { json?: boolean }): Promise<number> {
  return withSession({ batchId }, async (session) => {
    const outcome = await fetchBatchReport(session.client, batchId);
    return printOutcome(session, outcome, options.json === true);
  });
}
