/**
 * The build an installed package runs (`npm run build`, run by `prepack`): no TypeScript is
 * compiled when a command or a worker starts.
 *
 *   dist/cli.js, dist/decoder-process.js and their shared chunks: esbuild bundles of the sources,
 *     dependencies left as imports of node_modules;
 *   dist/workflow-bundle.js: the workflow code as the Temporal SDK bundles it for a worker, and
 *     dist/workflow-bundle-encrypted.js with the encrypting failure converter (DOCBATCH_ENCRYPTION_KEY);
 *   dist/failure-converter.cjs: that converter, for the data converter's failureConverterPath.
 *
 *   node --import tsx scripts/build.ts
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * Dependencies stay imports of node_modules. A deep import into a package without an `exports` map
 * (`@temporalio/common/lib/time`) gets the `.js` Node's ESM loader needs and tsx added for us.
 */
const dependenciesExternal: Plugin = {
  name: 'dependencies-external',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, async ({ path: specifier }) => {
      if (specifier.startsWith('node:')) return { path: specifier, external: true };
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
      if (name === specifier || path.extname(specifier) !== '') return { path: specifier, external: true };
      const manifest = JSON.parse(await readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { exports?: unknown };
      return { path: manifest.exports === undefined ? `${specifier}.js` : specifier, external: true };
    });
  },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

await build({
  entryPoints: { cli: path.join(root, 'src/cli/main.ts'), 'decoder-process': path.join(root, 'src/extraction/isolation/decoder-process.ts') },
  outdir: dist,
  bundle: true,
  // Commands load their heavy modules on demand (`docbatch --help` loads no Temporal client): chunks keep that.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [dependenciesExternal],
  sourcemap: true,
  logLevel: 'warning',
});

const workflowsPath = path.join(root, 'src/workflows/index.ts');
const failureConverterPath = path.join(root, 'src/encryption/failure-converter.cjs');
const [plain, encrypted] = await Promise.all([
  bundleWorkflowCode({ workflowsPath, logger: quiet }),
  bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quiet }),
]);
await writeFile(path.join(dist, 'workflow-bundle.js'), plain.code);
await writeFile(path.join(dist, 'workflow-bundle-encrypted.js'), encrypted.code);
await copyFile(failureConverterPath, path.join(dist, 'failure-converter.cjs'));
console.error(`built ${path.relative(process.cwd(), dist) || dist}/`);
