import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Log } from '../temporal/binary';

const execFileAsync = promisify(execFile);

/**
 * The Temporal server release the cluster runs, built from its Go module. The pinned `temporal` CLI
 * (src/temporal/binary.ts, 1.9.1) embeds server 1.32.0; the cluster runs the latest patch of that
 * minor, so schemas, dynamic config keys and priority behave as on the dev server.
 */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/**
 * Server 1.32's go.mod asks for a newer Go than Debian's or the machine's; the go command fetches
 * this toolchain from the module proxy (GOTOOLCHAIN), like any module.
 */
export const GO_TOOLCHAIN = 'go1.27.3';

export interface TemporalServerBuild {
  /** `temporal-server` (cmd/server). */
  server: string;
  /** `temporal-sql-tool` (cmd/tools/sql): create-database, setup-schema, update-schema. */
  sqlTool: string;
  /** The server module's source in the module cache: config templates and the versioned schema dirs. */
  moduleDir: string;
  version: string;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, fsConstants.X_OK).then(
    () => true,
    () => false,
  );
}

function goEnv(): NodeJS.ProcessEnv {
  // GOFLAGS from the machine (e.g. -buildvcs=false) stays; only the toolchain is chosen here.
  return { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN && process.env.GOTOOLCHAIN !== 'local' ? process.env.GOTOOLCHAIN : GO_TOOLCHAIN };
}

/** The server module's directory in the module cache (downloaded when missing). */
export async function serverModuleDir(version = TEMPORAL_SERVER_VERSION): Promise<string> {
  const { stdout } = await execFileAsync('go', ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@v${version}`], {
    env: goEnv(),
    maxBuffer: 16 * 1024 * 1024,
    timeout: 20 * 60_000,
  });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${TEMPORAL_SERVER_MODULE}@v${version} named no directory: ${stdout}`);
  return dir;
}

/**
 * `temporal-server` and `temporal-sql-tool` of {@link TEMPORAL_SERVER_VERSION}, cached in
 * `<home>/cluster/temporal-<version>/`, built with `go install` the first time (10–20 minutes on 2
 * cores; later runs reuse the binaries and Go's build cache).
 */
export async function ensureTemporalServerBuild(options: { home: string; log: Log; version?: string }): Promise<TemporalServerBuild> {
  const version = options.version ?? TEMPORAL_SERVER_VERSION;
  const binDir = path.join(options.home, 'cluster', `temporal-${version}`);
  const server = path.join(binDir, 'temporal-server');
  const sqlTool = path.join(binDir, 'temporal-sql-tool');
  if (!((await isExecutable(server)) && (await isExecutable(sqlTool)))) {
    await mkdir(binDir, { recursive: true });
    const gobin = await mkdtemp(path.join(binDir, '.build-'));
    options.log(`building ${TEMPORAL_SERVER_MODULE} v${version} (temporal-server, temporal-sql-tool) with ${goEnv().GOTOOLCHAIN} into ${binDir}: 10–20 minutes the first time …`);
    try {
      await execFileAsync(
        'go',
        ['install', `${TEMPORAL_SERVER_MODULE}/cmd/server@v${version}`, `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@v${version}`],
        { env: { ...goEnv(), GOBIN: gobin }, maxBuffer: 64 * 1024 * 1024, timeout: 60 * 60_000 },
      ).catch((err: Error & { stderr?: string }) => {
        throw new Error(`go install of ${TEMPORAL_SERVER_MODULE} v${version} failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-15).join('\n')}`, { cause: err });
      });
      // rename is atomic: a concurrent `cluster up` never runs a half-written binary.
      await rename(path.join(gobin, 'sql'), sqlTool);
      await rename(path.join(gobin, 'server'), server);
    } finally {
      await rm(gobin, { recursive: true, force: true });
    }
  }
  return { server, sqlTool, moduleDir: await serverModuleDir(version), version };
}
