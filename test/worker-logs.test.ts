import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { causeExitCodes } from '../src/client/batch-cause';
import { ENV } from '../src/env';
import { tempDir, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { runDocbatch as docbatch } from './helpers/cli';

/**
 * `run`'s in-process worker logs to a rotated file under the docbatch home, so the terminal keeps
 * the progress view and one-line problems; --verbose brings the logs back; `docbatch worker` logs
 * to stderr, one JSON object a line with DOCBATCH_LOG_FORMAT=json.
 */

async function runEnv(): Promise<NodeJS.ProcessEnv> {
  // A task queue of its own (only the in-process worker polls it), a home of its own for the log file, and no API key.
  return { ...process.env, [ENV.taskQueue]: uniqueId('logs'), [ENV.homeDir]: await tempDir('logs-home'), [ENV.outputDir]: await tempDir('logs-out'), ANTHROPIC_API_KEY: '' };
}

describe('worker logs', () => {
  it('run: the SDK warnings of a failing batch go to .docbatch/logs/worker.log, the terminal gets one error line', async () => {
    const env = await runEnv();
    const result = await docbatch(['run', await documentDir(2), '--extractor', 'anthropic', '--no-cache'], env);
    expect(result.code).toBe(causeExitCodes.fault);
    expect(result.stderr).not.toMatch(/\[WARN\]|Activity failed|at .*\.ts:\d+/);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('error: '))).toHaveLength(1);
    const logFile = path.join(env[ENV.homeDir]!, 'logs', 'worker.log');
    expect(result.stderr).toContain('worker log: ');
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
    const failed = lines.find((line) => line.includes('[WARN] Activity failed'));
    expect(failed).toBeDefined();
    expect(failed).toContain('"type":"BatchFault"');
  });

  it('run --verbose puts them back on the terminal', async () => {
    const result = await docbatch(['run', await documentDir(1), '--extractor', 'anthropic', '--no-cache', '--verbose'], await runEnv());
    expect(result.code).toBe(causeExitCodes.fault);
    expect(result.stderr).toMatch(/\[WARN\] +Activity failed/);
  });

  it('docbatch worker with DOCBATCH_LOG_FORMAT=json: every stderr line is one JSON object', async () => {
    const env = { ...(await runEnv()), [ENV.logFormat]: 'json', [ENV.logLevel]: 'info' };
    const child = spawn(process.execPath, [path.resolve('bin/docbatch.js'), 'worker'], { env });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('Ctrl-C to stop') && stderr.includes('RUNNING')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr}`)));
    });
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('close', resolve));
    const lines = stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ time: expect.any(String), level: expect.any(String), message: expect.any(String) });
  });

  it('a log level that does not exist is refused with the ones that do', async () => {
    const result = await docbatch(['worker'], { ...(await runEnv()), [ENV.logLevel]: 'loud' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: DOCBATCH_LOG_LEVEL=loud is not a log level: use one of TRACE, DEBUG, INFO, WARN, ERROR');
  });
});
