import os from 'node:os';
import path from 'node:path';
import { DEFAULTS, readEnv } from '../env';
import { isSourceCheckout, packageRoot } from '../package-layout';

type Env = Record<string, string | undefined>;

/** The clone's root, or the installed package's folder, so paths do not depend on the cwd. */
export const projectRoot = packageRoot;

/**
 * docbatch's state directory (dev server database, temporal CLI, cache, logs): DOCBATCH_HOME, or
 * `.docbatch` in the clone's root; for an installed package, `~/.docbatch` (the user's), never
 * inside node_modules. A relative DOCBATCH_HOME is resolved against the clone's root, or the cwd.
 */
export function docbatchHome(env: Env = process.env): string {
  const home = readEnv('homeDir', env);
  if (isSourceCheckout) return path.resolve(projectRoot, home ?? DEFAULTS.homeDir);
  return home !== undefined ? path.resolve(home) : path.join(os.homedir(), DEFAULTS.homeDir);
}

/** Where the project keeps its own copy of the `temporal` CLI. */
export function projectTemporalCliPath(env: Env = process.env): string {
  return path.join(docbatchHome(env), 'bin', process.platform === 'win32' ? 'temporal.exe' : 'temporal');
}

/** The embedded dev server's SQLite file, kept so a re-run resumes the same batches. */
export function defaultDevServerDbFile(env: Env = process.env): string {
  return path.join(docbatchHome(env), 'temporal.db');
}
