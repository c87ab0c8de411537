/**
 * Makes sure a working `temporal` CLI is available (found, or the pinned version installed into the
 * project cache) and prints its path, ahead of time; `docbatch run` and the test setup do the same on use.
 */
import { ensureTemporalCli } from '../src/temporal/binary';

try {
  const cli = await ensureTemporalCli();
  console.log(`temporal CLI ${cli.version} (${cli.source}): ${cli.path}`);
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
