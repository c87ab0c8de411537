import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's chromium for the browser tests, found or installed by the test setup (test/global-setup.ts),
 * so `npm install && npm test` works on a fresh Debian machine: `apt-get update` and
 * `apt-get install chromium` as root, or through `sudo -n` when that needs no password.
 */
export const debianChromium = '/usr/bin/chromium';

export type ChromiumLookup = { ok: true; path: string } | { ok: false; problem: string };

export interface EnsureChromiumOptions {
  /** Where chromium is expected: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
  path: string;
  log: (message: string) => void;
  /** Runs one command to the end, its output on stderr; returns whether it succeeded. */
  run?: (command: string, args: string[]) => boolean;
  /** Runs a command silently; returns whether it succeeded (`command -v apt-get`, `sudo -n true`). */
  probe?: (command: string, args: string[]) => boolean;
  exists?: (file: string) => boolean;
  isRoot?: () => boolean;
}

const installArgs = ['install', '-y', '--no-install-recommends', 'chromium'];

export function ensureChromium(options: EnsureChromiumOptions): ChromiumLookup {
  const { path, log } = options;
  const run = options.run ?? runToStderr;
  const probe = options.probe ?? runSilently;
  const exists = options.exists ?? existsSync;
  const isRoot = options.isRoot ?? (() => process.getuid?.() === 0);
  if (exists(path)) return { ok: true, path };

  const fix = `install Debian's chromium (\`sudo apt-get install -y chromium\`) or set CHROMIUM_PATH to a Chromium binary`;
  if (!probe('sh', ['-c', 'command -v apt-get'])) return { ok: false, problem: `no chromium at ${path} and no apt-get to install it: ${fix}` };
  // Root runs apt-get itself; anyone else only through a sudo that asks no password.
  const viaSudo = !isRoot();
  if (viaSudo && !probe('sudo', ['-n', 'true'])) return { ok: false, problem: `no chromium at ${path}, and apt-get needs root (not root, no password-less sudo): ${fix}` };

  const apt = (args: string[]) => (viaSudo ? run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]) : run('apt-get', args));
  log(`no chromium at ${path}: installing Debian's chromium for the browser tests (${viaSudo ? 'sudo -n ' : ''}apt-get update && apt-get ${installArgs.join(' ')})`);
  if (!apt(['update']) || !apt(installArgs)) return { ok: false, problem: `installing chromium with apt-get failed (see the output above): ${fix}` };
  if (!exists(path)) return { ok: false, problem: `apt-get installed chromium, but there is still none at ${path}: ${fix}` };
  log(`installed chromium at ${path}`);
  return { ok: true, path };
}

function runToStderr(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, {
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function runSilently(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}
