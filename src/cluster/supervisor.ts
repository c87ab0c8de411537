import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A cluster process is kept up by a supervisor, like systemd on a real host: a small shell loop in
 * the machine's namespace that starts the command (in a host's network namespace for workers),
 * restarts it a second after it dies, and stops it on SIGTERM. Killing every process of a host
 * (the chaos test) leaves the supervisor, so the host comes back as a rebooted machine would.
 *
 * Files in the run directory: `<name>.supervisor.pid`, `<name>.pid` (the current child), and
 * `<name>.stop` (present: do not restart). Output goes to `<logs>/<name>.log`.
 */
const SUPERVISOR_SCRIPT = `#!/usr/bin/env bash
# supervise NAME RUN_DIR STOP_SIGNAL RESTART_DELAY -- COMMAND...: keeps COMMAND running (again
# RESTART_DELAY seconds after it dies) until NAME.stop exists or SIGTERM, which it passes on as STOP_SIGNAL.
name=$1; run=$2; stop_signal=$3; restart_delay=$4; shift 5
child=
stop() {
  touch "$run/$name.stop"
  if [ -n "$child" ]; then kill -"$stop_signal" "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  exit 0
}
trap stop TERM INT
echo $$ > "$run/$name.supervisor.pid"
while [ ! -e "$run/$name.stop" ]; do
  "$@" &
  child=$!
  echo "$child" > "$run/$name.pid"
  echo "[supervisor $(date -u +%FT%T.%3NZ)] $name started (pid $child)"
  wait "$child"; code=$?
  echo "[supervisor $(date -u +%FT%T.%3NZ)] $name exited ($code)"
  [ -e "$run/$name.stop" ] && break
  sleep "$restart_delay" & wait $!
done
`;

export interface SupervisedService {
  name: string;
  command: string[];
  env?: Record<string, string>;
  /** Seconds from the command's death to its restart (a host's reboot). @default 1 */
  restartDelaySeconds?: number;
  /** What stops the command gracefully. @default 'TERM' */
  stopSignal?: 'TERM' | 'INT';
  /** Only `env`, nothing of this process's environment (a host has its own). */
  cleanEnv?: boolean;
  cwd?: string;
}

export interface Supervisor {
  runDir: string;
  logDir: string;
}

async function scriptPath(runDir: string): Promise<string> {
  const file = path.join(runDir, 'supervise.sh');
  await writeFile(file, SUPERVISOR_SCRIPT, { mode: 0o755 });
  return file;
}

/** Starts `service` under a detached supervisor (own process group) that outlives this process. */
export async function supervise(sup: Supervisor, service: SupervisedService): Promise<void> {
  await mkdir(sup.runDir, { recursive: true });
  await mkdir(sup.logDir, { recursive: true });
  const supervisorPid = await readPid(path.join(sup.runDir, `${service.name}.supervisor.pid`));
  if (alive(supervisorPid)) throw new Error(`${service.name} already has a supervisor (pid ${supervisorPid})`);
  await rm(path.join(sup.runDir, `${service.name}.stop`), { force: true });
  await rm(path.join(sup.runDir, `${service.name}.pid`), { force: true });
  const log = openSync(path.join(sup.logDir, `${service.name}.log`), 'a');
  try {
    const child = spawn('bash', [await scriptPath(sup.runDir), service.name, sup.runDir, service.stopSignal ?? 'TERM', String(service.restartDelaySeconds ?? 1), '--', ...service.command], {
      detached: true,
      stdio: ['ignore', log, log],
      env: service.cleanEnv ? { ...service.env } : { ...process.env, ...service.env },
      ...(service.cwd ? { cwd: service.cwd } : {}),
    });
    child.unref();
  } finally {
    closeSync(log);
  }
  // Resolved once the first child runs.
  const deadline = Date.now() + 10_000;
  while (!existsSync(path.join(sup.runDir, `${service.name}.pid`))) {
    if (Date.now() > deadline) throw new Error(`supervisor of ${service.name} did not start its command: see ${path.join(sup.logDir, `${service.name}.log`)}`);
    await sleep(50);
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface ServiceStatus {
  name: string;
  supervisorPid?: number;
  pid?: number;
  running: boolean;
}

export async function serviceStatus(sup: Supervisor, name: string): Promise<ServiceStatus> {
  const supervisorPid = await readPid(path.join(sup.runDir, `${name}.supervisor.pid`));
  const pid = await readPid(path.join(sup.runDir, `${name}.pid`));
  return {
    name,
    ...(supervisorPid !== undefined ? { supervisorPid } : {}),
    ...(pid !== undefined ? { pid } : {}),
    running: alive(supervisorPid) && alive(pid),
  };
}

/** The pid of the service's current process (after a restart, the new one). */
export async function servicePid(sup: Supervisor, name: string): Promise<number | undefined> {
  const pid = await readPid(path.join(sup.runDir, `${name}.pid`));
  return alive(pid) ? pid : undefined;
}

/** Sends `signal` to the service's current process; its supervisor restarts it when it exits. */
export async function signalService(sup: Supervisor, name: string, signal: NodeJS.Signals): Promise<number> {
  const pid = await servicePid(sup, name);
  if (pid === undefined) throw new Error(`${name} is not running`);
  process.kill(pid, signal);
  return pid;
}

/** Waits until the service runs a process other than `previousPid` (restarted by its supervisor). */
export async function waitForRestart(sup: Supervisor, name: string, previousPid: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = await servicePid(sup, name);
    if (pid !== undefined && pid !== previousPid) return pid;
    if (Date.now() > deadline) throw new Error(`${name} was not restarted within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/**
 * Stops a service for good: SIGTERM to the supervisor (which SIGTERMs the command and waits), then
 * SIGKILL to the whole process group after `graceMs`.
 */
export async function stopService(sup: Supervisor, name: string, graceMs = 30_000): Promise<void> {
  await writeFile(path.join(sup.runDir, `${name}.stop`), '');
  const supervisorPid = await readPid(path.join(sup.runDir, `${name}.supervisor.pid`));
  const pid = await readPid(path.join(sup.runDir, `${name}.pid`));
  if (alive(supervisorPid)) process.kill(supervisorPid!, 'SIGTERM');
  else if (alive(pid)) process.kill(pid!, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while ((alive(supervisorPid) || alive(pid)) && Date.now() < deadline) await sleep(100);
  for (const target of [supervisorPid, pid]) {
    if (!alive(target)) continue;
    try {
      process.kill(-target!, 'SIGKILL');
    } catch {
      process.kill(target!, 'SIGKILL');
    }
  }
}
