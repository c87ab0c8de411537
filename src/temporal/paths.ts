import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, readEnv } from '../env';

type Env = Record<string, string | undefined>;

/** The repository root (this file is src/temporal/paths.ts), so paths do not depend on the cwd. */
export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * docbatch's project-local state directory: DOCBATCH_HOME, or `.docbatch` in the project root.
 * A relative DOCBATCH_HOME is resolved against the project root, not the cwd.
 */
export function docbatchHome(env: Env = process.env): string {
  return path.resolve(projectRoot, readEnv('homeDir', env) ?? DEFAULTS.homeDir);
}

/** Where the project keeps its own copy of the `temporal` CLI. */
export function projectTemporalCliPath(env: Env = process.env): string {
  return path.join(docbatchHome(env), 'bin', process.platform === 'win32' ? 'temporal.exe' : 'temporal');
}

/** The embedded dev server's SQLite file, kept so a re-run resumes the same batches. */
export function defaultDevServerDbFile(env: Env = process.env): string {
  return path.join(docbatchHome(env), 'temporal.db');
}
