import { listBatches } from '../client/list-batches';
import { printJson, printLine, withSession } from './command';
import { listingTable } from './format';

/** `docbatch list [--state s] [--limit n]`: batches from the search attributes, newest first. */
export async function listCommand(options: { state?: string; limit?: number; json?: boolean }): Promise<number> {
  return withSession({}, async (session) => {
    const batches = await listBatches(session.client, {
      ...(options.state !== undefined ? { state: options.state } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    if (options.json) printJson(batches);
    else printLine(listingTable(batches));
    return 0;
  });
}
