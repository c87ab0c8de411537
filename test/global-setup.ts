import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ENV } from '../src/env';
import { ensureTemporalCli } from '../src/temporal/binary';
import { startDevServer } from '../src/temporal/dev-server';
import { startObjectStoreServer } from '../src/storage/versitygw';
import { debianChromium, ensureChromium, type ChromiumLookup } from './helpers/ensure-chromium';

/** What test files get with `inject('temporal')` (see test/helpers/temporal.ts). */
export interface TestTemporal {
  address: string;
  namespace: string;
  uiUrl: string;
  temporalCliPath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TestTemporal;
    /** Debian's chromium for the browser tests, or why there is none (test/helpers/browser.ts). */
    chromium: ChromiumLookup;
    /** The run's S3-compatible server (versitygw) with a bucket `docbatch-test`: test/helpers/object-store.ts. */
    objectStore: TestObjectStore;
  }
}

/** What test files get with `inject('objectStore')`. */
export interface TestObjectStore {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  dataDir: string;
}

const log = (message: string) => process.stderr.write(`[global-setup] ${message}\n`);

/**
 * One real Temporal dev server for the whole test run: free ports, a throw-away database, the Web
 * UI on (the browser test opens it). Test files read it with testTemporal(); child processes get it
 * through TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_CLI_PATH. Chromium for the browser tests
 * is found or installed here too, so `npm install && npm test` needs nothing else.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('chromium', ensureChromium({ path: process.env.CHROMIUM_PATH ?? debianChromium, log }));
  const cli = await ensureTemporalCli({ log });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-test-temporal-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), cliPath: cli.path, namespace: 'default', headless: false, log });
  log(`temporal ${cli.version} (${cli.source}) dev server at ${server.address}, Web UI ${server.uiUrl}`);
  // A real S3-compatible server (built from the Go module proxy once, cached in the docbatch home).
  const objectStoreDir = path.join(dir, 'object-store');
  const objectStore = await startObjectStoreServer({ dataDir: objectStoreDir, log });
  const bucket = 'docbatch-test';
  await objectStore.createBucket(bucket);

  // Set before vitest starts its workers, so test files and the processes they spawn inherit them.
  process.env[ENV.temporalAddress] = server.address;
  process.env[ENV.temporalNamespace] = server.namespace;
  process.env[ENV.temporalCliPath] = cli.path;
  // The AWS SDK's own variables: test files and the workers they spawn reach the bucket like a user's would.
  Object.assign(process.env, objectStore.env);
  project.provide('objectStore', { endpoint: objectStore.endpoint, bucket, env: objectStore.env, dataDir: objectStoreDir });
  project.provide('temporal', { address: server.address, namespace: server.namespace, uiUrl: server.uiUrl, temporalCliPath: cli.path });

  return async () => {
    await server.stop();
    await objectStore.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
