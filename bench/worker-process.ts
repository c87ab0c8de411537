import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface WorkerProcessOptions {
  /** The worker script (a bench fixture that prints "worker ready" once it polls). */
  script: string;
  /** Names the worker in log lines and errors ("worker 2"). */
  name: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  log: (line: string) => void;
  readyTimeoutMs?: number;
  /** Every other line the worker prints on stdout (e.g. its limiter samples). */
  onLine?: (line: string) => void;
}

/**
 * A docbatch worker in a child process (so its RSS and CPU are its own), resolved once it prints
 * "worker ready". Its `[memory]` lines, and with BENCH_WORKER_ECHO every line, go to `log`.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<ChildProcess> {
  const { name, log } = options;
  const echo = Boolean(process.env.BENCH_WORKER_ECHO);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.script], {
    cwd: projectRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    for (const line of text.split('\n')) if (line.startsWith('[memory]') || (echo && line.trim() !== '')) log(`  ${name}: ${line}`);
    stderr.push(text);
    if (stderr.length > 50) stderr.shift();
  });
  let pending = '';
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${readyTimeoutMs / 1000} s:\n${stderr.join('')}`)), readyTimeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (echo && line.trim() !== '') log(`  ${name}: ${line}`);
        if (line === 'worker ready') {
          clearTimeout(timer);
          resolve();
        } else {
          options.onLine?.(line);
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready:\n${stderr.join('')}`));
    });
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') log(`  ${name} exited (${signal ?? `code ${code}`}):\n${stderr.join('').slice(-2000)}`);
  });
  return child;
}

/** SIGTERM (the worker drains and exits), SIGKILL after `graceMs`. */
export async function stopWorkerProcess(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
