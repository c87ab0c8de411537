import { readBatchInput } from '../src/client/batch-record';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodingFailureConverterPath, encryptingDataConverter } from '../src/encryption/data-converter';
import { parseEncryptionKeys } from '../src/encryption/keys';
import { DEFAULTS, ENV } from '../src/env';
import { batchSummarySchema, type BatchSummary } from '../src/batch/summary';
import { connectClient } from '../src/temporal/connection';
import { freePort, startDevServer, type TemporalServer } from '../src/temporal/dev-server';
import { createDocbatchWorker, workflowsPath } from '../src/worker';
import { progressSchema } from '../src/batch/progress';
import { readJsonLines, samplesDir, tempDir, uniqueId } from './helpers/batch';
import { launchChromium, screenshot } from './helpers/browser';
import { testTemporal } from './helpers/temporal';

const execFileAsync = promisify(execFile);

/**
 * A batch with DOCBATCH_ENCRYPTION_KEY set, end to end on its own dev server (whose Web UI decodes
 * through `docbatch codec-server`): the history as the server stores it holds no document path, no
 * extracted value and no failure message; the `docbatch` commands, the temporal CLI with
 * --codec-endpoint and the Web UI in Chromium all still see the batch decoded.
 */

const key = randomBytes(32).toString('base64');
const dataConverter = encryptingDataConverter(parseEncryptionKeys(key, 'test key'));
const taskQueue = uniqueId('encrypted');
const documents = ['invoice-01-classic.pdf', 'invoice-02-two-column.txt', 'invoice-03-minimal.pdf', 'broken-corrupt.pdf'];
const secretDir = `/nonexistent/docbatch-confidential-${randomBytes(4).toString('hex')}`;

let server: TemporalServer;
let codecServer: ChildProcess;
let codecUrl: string;
let worker: Worker;
let running: Promise<void>;
let connection: NativeConnection;
let client: Client;
let sourceDir: string;
let cliEnv: NodeJS.ProcessEnv;
let browser: Browser | undefined;

/** `docbatch codec-server` as a person runs it; resolves with the URL it prints on stdout. */
function startCodecServerProcess(env: NodeJS.ProcessEnv, uiOrigin: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.resolve('bin/docbatch.js'), 'codec-server', '--port', '0', '--ui-origin', uiOrigin], { env });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', (chunk: Buffer) => resolve({ child, url: chunk.toString().trim() }));
    child.once('exit', (code) => reject(new Error(`docbatch codec-server exited ${code}: ${stderr}`)));
  });
}

function docbatch(args: string[]): Promise<string> {
  return execFileAsync(process.execPath, [path.resolve('bin/docbatch.js'), ...args], { env: cliEnv }).then(({ stdout }) => stdout);
}

/** `temporal workflow show` as JSON: raw (as the server stores it) or through the codec server. */
async function history(batchId: string, codec: boolean): Promise<string> {
  const { stdout } = await execFileAsync(
    testTemporal().temporalCliPath,
    ['workflow', 'show', '--workflow-id', batchId, '--address', server.address, '--namespace', server.namespace, '--output', 'json', ...(codec ? ['--codec-endpoint', codecUrl] : [])],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * The data of every payload in a history JSON (inputs, results, query answers, failure attributes),
 * as text: readable JSON when decoded, ciphertext when not.
 */
function payloadTexts(historyJson: string): string {
  const texts: string[] = [];
  JSON.parse(historyJson, (_key, value: unknown) => {
    const payload = value as { metadata?: { encoding?: unknown }; data?: unknown } | null;
    if (payload && typeof payload === 'object' && typeof payload.metadata?.encoding === 'string' && typeof payload.data === 'string') {
      texts.push(Buffer.from(payload.data, 'base64').toString('utf8'));
    }
    return value;
  });
  return texts.join('\n');
}

beforeAll(async () => {
  sourceDir = await tempDir('encrypted-docs');
  for (const name of documents) await copyFile(path.join(samplesDir, name), path.join(sourceDir, name));
  const outputDir = await tempDir('encrypted-out');
  await mkdir(outputDir, { recursive: true });

  // The Web UI's origin must be known to the codec server, and the codec server's URL to the dev server.
  const uiPort = await freePort();
  const uiOrigin = `http://127.0.0.1:${uiPort}`;
  cliEnv = { ...process.env, [ENV.encryptionKey]: key, [ENV.taskQueue]: taskQueue, [ENV.outputDir]: outputDir, [ENV.cacheDir]: await tempDir('encrypted-cache') };
  ({ child: codecServer, url: codecUrl } = await startCodecServerProcess(cliEnv, uiOrigin));
  server = await startDevServer({
    dbFile: path.join(await tempDir('encrypted-temporal'), 'temporal.db'),
    cliPath: testTemporal().temporalCliPath,
    uiPort,
    uiCodecEndpoint: codecUrl,
    log: () => {},
  });
  cliEnv = { ...cliEnv, [ENV.temporalAddress]: server.address, [ENV.temporalNamespace]: server.namespace, [ENV.temporalUiUrl]: server.uiUrl };

  connection = await NativeConnection.connect({ address: server.address });
  const noop = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath: encodingFailureConverterPath,
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
  });
  worker = await createDocbatchWorker({ connection, namespace: server.namespace, taskQueue, dataConverter, workflowBundle, activityDeps: { resultCache: null } });
  running = worker.run();
  client = await connectClient(server.connection, dataConverter);
});

afterAll(async () => {
  await browser?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await connection?.close();
  await client?.connection.close();
  await server?.stop();
  codecServer?.kill('SIGTERM');
});

describe('a batch with encrypted payloads', () => {
  let batchId: string;
  let summary: BatchSummary;

  it('runs to the end through `docbatch start`, and `status` and `report` read it', async () => {
    batchId = (JSON.parse(await docbatch(['start', sourceDir, '--extractor', 'local', '--chunk-size', '2', '--no-cache', '--json'])) as { batchId: string }).batchId;
    summary = batchSummarySchema.parse(await client.workflow.getHandle(batchId).result());
    expect(summary).toMatchObject({ state: 'completed', total: 4, succeeded: 3, failed: 1 });

    const status = progressSchema.parse(JSON.parse(await docbatch(['status', batchId, '--json'])));
    expect(status).toMatchObject({ batchId, state: 'completed', total: 4, processed: 4, failed: 1 });
    const report = batchSummarySchema.parse(JSON.parse(await docbatch(['report', batchId, '--json'])));
    expect(report).toMatchObject({ batchId, total: 4, succeeded: 3, failed: 1 });
    // What redrive, review and the outcome read back: the input, decoded with the keys.
    expect(await readBatchInput(client, batchId)).toMatchObject({ source: { dir: sourceDir }, chunkSize: 2 });
  }, 600_000);

  it('keeps document paths and extracted values out of the history the server stores', async () => {
    const results = await readJsonLines<{ status: string; data: Record<string, unknown> | null }>(summary.files.results);
    const values = results.flatMap((r) => [r.data?.invoiceNumber, r.data?.issuer, r.data?.buyer]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
    expect(values.length).toBeGreaterThanOrEqual(3);

    const raw = await history(batchId, false);
    expect(raw).toContain(base64('binary/encrypted'));
    const rawPayloads = payloadTexts(raw);
    for (const secret of [sourceDir, ...documents, ...values]) {
      expect(raw).not.toContain(secret);
      expect(rawPayloads).not.toContain(secret);
    }
    // The same history through the codec server: the batch input is there, decoded.
    expect(payloadTexts(await history(batchId, true))).toContain(sourceDir);
  });

  it('encodes failure messages too: a failed batch shows only "Encoded failure" to the server, the reason to the client', async () => {
    const failingId = uniqueId('encrypted-failing');
    const handle = await client.workflow.start(DEFAULTS.workflowType, { taskQueue, workflowId: failingId, args: [{ source: { dir: secretDir }, extractor: 'local' }] });
    const error = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const messages: string[] = [];
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
    expect(messages.join(' | ')).toContain(secretDir);

    const raw = await history(failingId, false);
    expect(raw).toContain('Encoded failure');
    expect(raw).not.toContain(secretDir);
    expect(payloadTexts(raw)).not.toContain('docbatch-confidential');
    // Through the codec server the failure attributes are plain JSON again (the CLI prints them as a payload).
    expect(payloadTexts(await history(failingId, true))).toContain(secretDir);
  });

  it('redrives the failed document with `docbatch redrive`', async () => {
    const redrive = JSON.parse(await docbatch(['redrive', batchId, '--json'])) as { batchId: string; documents: number };
    expect(redrive.documents).toBe(1);
    const again = batchSummarySchema.parse(await client.workflow.getHandle(redrive.batchId).result());
    expect(again).toMatchObject({ total: 1, failed: 1 });
  }, 300_000);

  it('is driven by the temporal CLI with --codec-endpoint: start encodes the input, query decodes the progress', async () => {
    const cliId = uniqueId('encrypted-cli');
    const temporal = (args: string[]) =>
      execFileAsync(testTemporal().temporalCliPath, [...args, '--address', server.address, '--namespace', server.namespace, '--codec-endpoint', codecUrl]).then(({ stdout }) => stdout);
    const input = JSON.stringify({ source: { dir: sourceDir }, outputDir: await tempDir('encrypted-cli-out'), extractor: 'local', chunkSize: 2, cache: false });
    await temporal(['workflow', 'start', '--task-queue', taskQueue, '--type', DEFAULTS.workflowType, '--workflow-id', cliId, '--input', input]);
    const result = batchSummarySchema.parse(await client.workflow.getHandle(cliId).result());
    expect(result).toMatchObject({ total: 4, succeeded: 3 });
    const query = JSON.parse(await temporal(['workflow', 'query', '--workflow-id', cliId, '--name', 'progress', '--output', 'json'])) as { queryResult: unknown[] };
    expect(progressSchema.parse(query.queryResult[0])).toMatchObject({ batchId: cliId, state: 'completed', total: 4 });
    expect(payloadTexts(await history(cliId, false))).not.toContain(sourceDir);
  }, 300_000);

  it('shows the decoded input, chunk summaries and current details in the Web UI, through the codec server', async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(90_000);
    await page.goto(`${server.uiUrl}/namespaces/${server.namespace}/workflows/${batchId}`, { waitUntil: 'domcontentloaded' });
    await page.getByText(sourceDir).first().waitFor();
    await page.getByText('extractChunk • chunk 0: documents 1–2').first().waitFor();
    await screenshot(page, 'encrypted-input');
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.frameLocator('#user-metadata-current-details').getByText(`docbatch ${batchId}: completed`).waitFor();
    await page.frameLocator('#user-metadata-summary').getByText(`from ${sourceDir}`).waitFor();
    await screenshot(page, 'encrypted-user-metadata');
  }, 300_000);
});
