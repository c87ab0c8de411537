import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where docbatch's own files are, in the two ways it runs: a clone runs its TypeScript sources
 * (src/, through tsx); an installed package runs its build (dist/, made by `npm run build` before
 * packing: the CLI and the decoder process bundled by esbuild, the workflow code prebuilt by the
 * Temporal SDK's bundler), so nothing is compiled when a command or a worker starts.
 */

/** This code runs compiled (dist/*.js), not from its .ts sources. */
export const runsCompiled = import.meta.url.endsWith('.js');

/** The folder of docbatch's package.json: the clone's root, or node_modules/docbatch. */
export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A clone (the sources are there), as opposed to an installed package (only dist/). */
export const isSourceCheckout = existsSync(path.join(packageRoot, 'src', 'cli', 'main.ts'));

/** A file of the build: `dist/<name>`. */
export function builtFile(name: string): string {
  return path.join(packageRoot, 'dist', name);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: docbatch is not installed as a package or a clone`);
  }
}
