import { describe, expect, it } from 'vitest';
import { ensureChromium, type EnsureChromiumOptions } from './helpers/ensure-chromium';

/**
 * How the test setup finds or installs Debian's chromium, with the commands recorded instead of run
 * (the machine's own chromium stays as it is): installed with apt-get as root or through a
 * password-less sudo, announced on the log; otherwise one line that says what to install.
 */

const missing = '/nonexistent/docbatch-test/chromium';

function machine(options: { root: boolean; sudo?: boolean; aptGet?: boolean; installs?: boolean; failing?: string }) {
  const installed = new Set<string>();
  const commands: string[] = [];
  const logs: string[] = [];
  const opts: EnsureChromiumOptions = {
    path: missing,
    log: (message) => logs.push(message),
    exists: (file) => installed.has(file),
    isRoot: () => options.root,
    probe: (command, args) => {
      const line = [command, ...args].join(' ');
      if (line === 'sh -c command -v apt-get') return options.aptGet ?? true;
      if (line === 'sudo -n true') return options.sudo ?? false;
      throw new Error(`unexpected probe ${line}`);
    },
    run: (command, args) => {
      const line = [command, ...args].join(' ');
      commands.push(line);
      if (options.failing && line.includes(options.failing)) return false;
      if (line.endsWith('install -y --no-install-recommends chromium') && (options.installs ?? true)) installed.add(missing);
      return true;
    },
  };
  return { opts, commands, logs };
}

describe('ensureChromium', () => {
  it('uses a chromium that is there, running nothing', () => {
    const { opts, commands } = machine({ root: true });
    const result = ensureChromium({ ...opts, exists: () => true });
    expect(result).toEqual({ ok: true, path: missing });
    expect(commands).toEqual([]);
  });

  it('as root: apt-get update, then installs chromium, and says so', () => {
    const { opts, commands, logs } = machine({ root: true });
    expect(ensureChromium(opts)).toEqual({ ok: true, path: missing });
    expect(commands).toEqual(['apt-get update', 'apt-get install -y --no-install-recommends chromium']);
    expect(logs[0]).toMatch(/no chromium at .*: installing Debian's chromium/);
    expect(logs.at(-1)).toBe(`installed chromium at ${missing}`);
  });

  it('not root: through a password-less sudo', () => {
    const { opts, commands } = machine({ root: false, sudo: true });
    expect(ensureChromium(opts).ok).toBe(true);
    expect(commands).toEqual([
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium',
    ]);
  });

  it('not root and no sudo: one line saying what to install, nothing run', () => {
    const { opts, commands } = machine({ root: false, sudo: false });
    const result = ensureChromium(opts);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toContain(`no chromium at ${missing}`);
      expect(result.problem).toContain('apt-get install -y chromium');
      expect(result.problem).toContain('CHROMIUM_PATH');
      expect(result.problem).not.toContain('\n');
    }
    expect(commands).toEqual([]);
  });

  it('no apt-get (not Debian): says what to install', () => {
    const { opts } = machine({ root: true, aptGet: false });
    const result = ensureChromium(opts);
    expect(result).toEqual({ ok: false, problem: expect.stringContaining('no apt-get to install it') });
  });

  it('a failing apt-get: says so, without trying to install from stale lists', () => {
    const { opts, commands } = machine({ root: true, failing: 'update' });
    expect(ensureChromium(opts)).toEqual({ ok: false, problem: expect.stringContaining('installing chromium with apt-get failed') });
    expect(commands).toEqual(['apt-get update']);
  });

  it('an install that leaves no binary at the expected path is a failure, not a launch error later', () => {
    const { opts } = machine({ root: true, installs: false });
    expect(ensureChromium(opts)).toEqual({ ok: false, problem: expect.stringContaining(`still none at ${missing}`) });
  });
});
