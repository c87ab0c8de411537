import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** The worker identity Temporal records on the activity attempts it runs (the SDK's `pid@host`). */
  identityPrefix: string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/**
 * The real `docbatch worker` (src/worker.ts) in a child process, configured by env like any other,
 * resolved once it has connected and is about to poll.
 */
export async function startWorkerProcess(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within ${readyTimeoutMs / 1000} s:\n${stderr}`)), readyTimeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
      if (stderr.includes('docbatch worker on task queue')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${signal ?? `code ${code}`}) before it was ready:\n${stderr}`));
    });
  });
  return {
    child,
    identityPrefix: `${child.pid}@`,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
