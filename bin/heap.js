// The heap a docbatch worker runs with unless the user chose one. V8 sizes its heap from the
// machine's memory (up to 4 GB on a large host) and lets garbage pile up to that, although a
// worker's live set stays near 100 MB whatever the batch's size (docs/benchmarks.md): uncapped,
// a worker reached 724 MB of RSS through a 1,000,000-document batch. Documents in flight are
// bounded in bytes by each extractor (Extractor.documentWeight), so the cap leaves them room.
import { spawn } from 'node:child_process';

export const DEFAULT_HEAP_MB = 512;

/** The commands that run a worker in their process. */
const workerCommands = new Set(['run', 'worker']);

/** The user already chose the heap: a --max-old-space-size in the node flags or NODE_OPTIONS. */
export function heapChosen(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? '') {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((flag) => /^--max[-_]old[-_]space[-_]size\b/.test(flag));
}

/** The node flags that give a worker process the default heap, unless the user chose one. */
export function heapFlags(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? '') {
  return heapChosen(execArgv, nodeOptions) ? [] : [`--max-old-space-size=${DEFAULT_HEAP_MB}`];
}

/** `docbatch <command>` runs a worker and no heap was chosen: it must start again with one. */
export function needsHeapCap(args = process.argv.slice(2)) {
  const command = args.find((arg) => !arg.startsWith('-'));
  return workerCommands.has(command) && heapFlags().length > 0 && process.env.DOCBATCH_HEAP_RELAUNCHED === undefined;
}

/**
 * Runs this script again in a child process with the default heap and passes on its exit. The
 * parent only waits: SIGTERM and SIGHUP are passed on; Ctrl-C in a terminal reaches both processes
 * already (one process group), so SIGINT is passed on only when there is no terminal. The child
 * has an IPC channel to notice the parent's death (a SIGKILL cannot be passed on) and dies with it.
 */
export function relaunchWithHeapCap(script) {
  const child = spawn(process.execPath, [...process.execArgv, ...heapFlags(), script, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, DOCBATCH_HEAP_RELAUNCHED: '1' },
  });
  const forwarded = ['SIGTERM', 'SIGHUP', ...(process.stdin.isTTY ? [] : ['SIGINT'])];
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  if (process.stdin.isTTY) process.on('SIGINT', () => {});
  child.on('error', (error) => {
    process.stderr.write(`docbatch: could not start node (${error.message})\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}

/** In the relaunched child: die with the parent, and do not let the channel keep the process alive. */
export function followParent() {
  if (process.env.DOCBATCH_HEAP_RELAUNCHED === undefined || !process.channel) return;
  delete process.env.DOCBATCH_HEAP_RELAUNCHED;
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  process.channel.unref();
}
