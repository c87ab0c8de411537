import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Log } from '../temporal/binary';

const execFileAsync = promisify(execFile);

/** The PostgreSQL the cluster persists to: Debian's server, its own data directory and port. */
export interface PostgresSettings {
  /** Directory with `postgres`, `initdb`, `pg_isready` (`/usr/lib/postgresql/<major>/bin`). */
  binDir: string;
  dataDir: string;
  /** Unix socket directory (kept out of /var/run/postgresql, which belongs to Debian's own cluster). */
  socketDir: string;
  host: string;
  port: number;
  /** The role and password Temporal connects with (password auth over TCP). */
  user: string;
  password: string;
}

/** Debian's newest installed PostgreSQL server binaries, installed with apt-get when there are none. */
export async function ensurePostgresBinaries(log: Log): Promise<string> {
  const find = async () => {
    const root = '/usr/lib/postgresql';
    const majors = (await readdir(root).catch(() => [] as string[])).filter((m) => existsSync(path.join(root, m, 'bin', 'postgres')));
    majors.sort((a, b) => Number(b) - Number(a));
    return majors[0] ? path.join(root, majors[0], 'bin') : undefined;
  };
  const found = await find();
  if (found) return found;
  log('PostgreSQL server not installed: apt-get install postgresql …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await execFileAsync('apt-get', ['update', '-q'], { env, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 });
  await execFileAsync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], { env, maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 });
  const installed = await find();
  if (!installed) throw new Error('apt-get install postgresql left no /usr/lib/postgresql/*/bin/postgres');
  return installed;
}

/**
 * Runs a command as the `postgres` user (PostgreSQL refuses to run as root). setpriv execs, so the
 * supervisor's signals reach postgres itself (runuser would stay in between).
 */
export function asPostgres(file: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', file, ...args]] : [file, args];
}

async function ownByPostgres(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
  const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
}

/**
 * Creates the data directory with initdb the first time: password (scram) auth over TCP for the
 * Temporal role, trust only on the private Unix socket, which is how this module creates that role.
 */
export async function initPostgres(pg: PostgresSettings, log: Log): Promise<void> {
  await mkdir(pg.socketDir, { recursive: true });
  await ownByPostgres(pg.socketDir);
  if (existsSync(path.join(pg.dataDir, 'PG_VERSION'))) return;
  log(`initdb ${pg.dataDir}`);
  await mkdir(pg.dataDir, { recursive: true, mode: 0o700 });
  await ownByPostgres(pg.dataDir);
  const [file, args] = asPostgres(path.join(pg.binDir, 'initdb'), ['-D', pg.dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8']);
  await execFileAsync(file, args, { maxBuffer: 16 * 1024 * 1024 });
  // Settings of this cluster only: its port and socket, loopback, enough connections for the
  // Temporal server's pools (persistence maxConns x services), fast restarts.
  await writeFile(
    path.join(pg.dataDir, 'postgresql.auto.conf'),
    [
      `listen_addresses = '${pg.host}'`,
      `port = ${pg.port}`,
      `unix_socket_directories = '${pg.socketDir}'`,
      'max_connections = 200',
      'shared_buffers = 256MB',
      'fsync = on',
      'synchronous_commit = on',
      '',
    ].join('\n'),
  );
}

/** The command line that runs the server in the foreground (a supervisor keeps it up). */
export function postgresCommand(pg: PostgresSettings): string[] {
  const [file, args] = asPostgres(path.join(pg.binDir, 'postgres'), ['-D', pg.dataDir]);
  return [file, ...args];
}

export async function postgresReady(pg: PostgresSettings): Promise<boolean> {
  try {
    await execFileAsync(path.join(pg.binDir, 'pg_isready'), ['-h', pg.host, '-p', String(pg.port), '-t', '2']);
    return true;
  } catch {
    return false;
  }
}

/** Creates (or re-passwords) the login role Temporal uses, through the trusted local socket. */
export async function ensureTemporalRole(pg: PostgresSettings): Promise<void> {
  const sql =
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${pg.user}') THEN ` +
    `CREATE ROLE ${pg.user} LOGIN CREATEDB PASSWORD '${pg.password}'; END IF; END $$;`;
  const [file, args] = asPostgres('psql', ['-h', pg.socketDir, '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  await execFileAsync(file, args);
}
