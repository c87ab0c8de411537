import { CliError } from '../client/errors';
import type { BatchInput } from '../workflows/input';

/** `docbatch run --estimate`: expected tokens and cost of a batch, without calling the API. */
export async function printEstimate(_input: BatchInput, _json: boolean): Promise<number> {
  // Wired to src/extraction/estimate.ts (estimateBatch) once it lands.
  throw new CliError('--estimate is not available in this build yet: run the batch with --extractor local to see its counts');
}
