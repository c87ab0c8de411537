/**
 * Makes sure a working `temporal` CLI is available (found, or the pinned version installed into the
 * project cache) and prints its path. Used by .ci/run; `docbatch run` and the tests do the same lazily.
 */
import { ensureTemporalCli } from '../src/temporal/binary';

try {
  const cli = await ensureTemporalCli();
  console.log(`temporal CLI ${cli.version} (${cli.source}): ${cli.path}`);
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
