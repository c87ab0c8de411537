import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { batchSummarySchema } from '../src/batch/summary';
import { ENV } from '../src/env';
import { tempDir, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The package a user installs: `npm pack` (its prepack builds dist/), installed into an empty
 * folder, runs a batch there as the clone does, from its build (no TypeScript, no src/).
 */
describe('the installable package', () => {
  it('packs only what runs; installed into an empty folder, docbatch --version answers and run completes a batch', async () => {
    const packDir = await tempDir('pack');
    const { stdout: packed } = await run(npm, ['pack', '--pack-destination', packDir, '--json'], { maxBuffer: 64 * 1024 * 1024 });
    const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
    const paths = files.map((file) => file.path);
    expect(paths).toContain('bin/docbatch.js');
    expect(paths).toContain('dist/cli.js');
    expect(paths).toContain('dist/workflow-bundle.js');
    expect(paths.filter((file) => /^(test|bench|scripts|src|deploy)\//.test(file) || file.startsWith('samples/formats/'))).toEqual([]);

    const app = await tempDir('app');
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'docbatch-user', private: true }));
    // From the npm cache when it has the dependencies (the clone's install put them there), else the registry.
    await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(packDir, filename)], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
    const bin = path.join(app, 'node_modules', '.bin', 'docbatch');
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect((await run(bin, ['--version'], { cwd: app })).stdout.trim()).toBe(version);

    const env = {
      ...process.env,
      [ENV.taskQueue]: uniqueId('package'),
      [ENV.homeDir]: await tempDir('package-home'),
      ANTHROPIC_API_KEY: '',
    };
    const documents = await documentDir(3);
    const { stdout } = await run(bin, ['run', documents, '--json', '--no-cache'], { cwd: app, env, maxBuffer: 16 * 1024 * 1024 });
    const summary = batchSummarySchema.parse(JSON.parse(stdout));
    expect(summary).toMatchObject({ state: 'completed', total: 3, succeeded: 3, failed: 0 });
    expect(summary.outputDir.startsWith(path.join(app, 'output'))).toBe(true);
  });
});
