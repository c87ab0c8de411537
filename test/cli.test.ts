import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { configurationMarkdown, documentedInputFields, inputDefaults } from '../src/cli/configuration-docs';
import { ENV } from '../src/env';
import { freePort } from '../src/temporal/dev-server';
import { batchSummarySchema } from '../src/batch/summary';
import { progressSchema } from '../src/batch/progress';
import { startTestWorker, tempDir, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { eventually } from './helpers/eventually';
import { Gate, gatedExtractor } from './helpers/extractors';
import { runDocbatch, type CliResult } from './helpers/cli';

const taskQueue = uniqueId('cli');
const gate = new Gate();
let stopWorker: () => Promise<void>;
let outputDir: string;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  outputDir = await tempDir('cli-out');
  // The CLI's child processes share the test server (TEMPORAL_ADDRESS from global setup) and this file's task queue.
  cliEnv = {
    ...process.env,
    [ENV.taskQueue]: taskQueue,
    [ENV.outputDir]: outputDir,
    [ENV.cacheDir]: await tempDir('cli-cache'),
  };
  ({ stop: stopWorker } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => gatedExtractor(gate), resultCache: null } }));
});

afterAll(async () => {
  gate.open();
  await stopWorker?.();
});


/** The real CLI in a child process: `node bin/docbatch.js …`. */
function docbatch(args: string[], env: NodeJS.ProcessEnv = cliEnv): Promise<CliResult> {
  return runDocbatch(args, env);
}

/** `docbatch watch <id>` until its first progress line, then Ctrl-C (SIGINT), as a person would. */
function watchThenInterrupt(batchId: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve('bin/docbatch.js'), 'watch', batchId], { env: cliEnv });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!interrupted && stderr.includes(batchId)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`docbatch exited ${result.code}: ${result.stderr}`);
  return result;
}

/** A failing command says why in exactly one line on stderr. */
function oneErrorLine(result: CliResult): string {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('docbatch CLI against a real Temporal server', () => {
  it('start → status → pause → status shows the reason → rejected priority → resume → watch to the end → report', async () => {
    gate.close();
    onTestFinished(() => gate.open());
    const documents = await documentDir(12);
    const batchId = uniqueId('cli-batch');
    const started = JSON.parse(ok(await docbatch(['start', documents, '--id', batchId, '--chunk-size', '3', '--concurrency', '1', '--extractor', 'local', '--no-cache', '--json'])).stdout) as { batchId: string; state: string; uiUrl: string };
    expect(started).toMatchObject({ batchId, state: 'started' });
    expect(started.uiUrl).toMatch(new RegExp(`/namespaces/default/workflows/${batchId}$`));

    const first = progressSchema.parse(JSON.parse(ok(await docbatch(['status', batchId, '--json'])).stdout));
    expect(first.batchId).toBe(batchId);
    expect(['planning', 'running']).toContain(first.state);

    expect(ok(await docbatch(['pause', batchId, '--reason', 'checking totals'])).stdout).toContain(`paused batch ${batchId} (checking totals)`);
    const paused = progressSchema.parse(JSON.parse(ok(await docbatch(['status', batchId, '--json'])).stdout));
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'checking totals', total: 12 });
    expect(ok(await docbatch(['status', batchId])).stdout).toMatch(/state\s+paused: checking totals/);

    // Ctrl-C in watch detaches: the batch stays as it was.
    const detached = await watchThenInterrupt(batchId);
    expect(detached.code).toBe(130);
    expect(detached.stderr).toContain(`${batchId} paused: checking totals`);
    expect(detached.stderr).toContain(`detached from batch ${batchId}; it keeps running`);
    expect(JSON.parse(ok(await docbatch(['status', batchId, '--json'])).stdout)).toMatchObject({ state: 'paused' });

    const rejected = await docbatch(['priority', batchId, '9']);
    expect(rejected.code).toBe(1);
    // Refused by the CLI before it reaches the batch; the batch's own refusals are shown below (resume).
    expect(oneErrorLine(rejected)).toContain('priority must be a whole number from 1 to 5');

    expect(ok(await docbatch(['resume', batchId])).stdout).toContain(`resumed batch ${batchId}`);
    const notPaused = await docbatch(['resume', batchId]);
    expect(oneErrorLine(notPaused)).toContain('cannot resume: the batch is not paused');

    gate.open();
    const watched = ok(await docbatch(['watch', batchId, '--json']));
    const summary = batchSummarySchema.parse(JSON.parse(watched.stdout));
    expect(summary).toMatchObject({ batchId, state: 'completed', total: 12, processed: 12, notProcessed: 0 });
    expect(summary.succeeded + summary.failed).toBe(12);

    const report = ok(await docbatch(['report', batchId]));
    expect(report.stdout).toContain(`batch ${batchId} completed`);
    expect(report.stdout).toContain(path.join(outputDir, batchId));
    expect(report.stdout).toContain('results.jsonl');
    const reportJson = batchSummarySchema.parse(JSON.parse(ok(await docbatch(['report', batchId, '--json'])).stdout));
    expect(reportJson.files.results).toBe(path.join(outputDir, batchId, 'results.jsonl'));

    const listed = await eventually(async () => {
      const batches = JSON.parse(ok(await docbatch(['list', '--state', 'completed', '--json'])).stdout) as { batchId: string; state: string }[];
      const found = batches.find((batch) => batch.batchId === batchId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(listed.state).toBe('completed');

    expect(summary.failed).toBe(0);
    expect(oneErrorLine(await docbatch(['redrive', batchId]))).toBe(`error: batch ${batchId} has no failed documents: nothing to redrive`);

    const ended = await docbatch(['pause', batchId]);
    expect(oneErrorLine(ended)).toBe(`error: cannot pause batch ${batchId}: it has already completed; see \`docbatch report ${batchId}\``);
  });

  it('redrive starts a batch of only the failed documents, linked both ways', async () => {
    const documents = await documentDir(3, 2);
    const batchId = uniqueId('cli-redrive');
    ok(await docbatch(['start', documents, '--id', batchId, '--extractor', 'local', '--no-cache']));
    const first = batchSummarySchema.parse(JSON.parse(ok(await docbatch(['watch', batchId, '--json'])).stdout));
    expect(first).toMatchObject({ total: 5, succeeded: 3, failed: 2 });

    const redrive = JSON.parse(ok(await docbatch(['redrive', batchId, '--json'])).stdout) as { batchId: string; redriveOf: string; documents: number; manifest: string };
    expect(redrive).toMatchObject({ redriveOf: batchId, documents: 2 });
    expect(redrive.manifest.startsWith(path.join(outputDir, redrive.batchId))).toBe(true);
    const second = batchSummarySchema.parse(JSON.parse(ok(await docbatch(['watch', redrive.batchId, '--json'])).stdout));
    expect(second).toMatchObject({ batchId: redrive.batchId, redriveOf: batchId, total: 2, failed: 2 });
    const report = batchSummarySchema.parse(JSON.parse(ok(await docbatch(['report', batchId, '--json'])).stdout));
    expect(report.redrivenBy).toEqual([redrive.batchId]);
  });

  it('an unknown batch id exits non-zero with one clear line', async () => {
    const missing = uniqueId('no-such-batch');
    for (const args of [['status', missing], ['pause', missing], ['report', missing], ['watch', missing]]) {
      const result = await docbatch(args);
      expect(result.code).toBe(1);
      expect(oneErrorLine(result)).toBe(`error: batch ${missing} not found in namespace default: check the id with \`docbatch list\``);
    }
  });

  it('a server that is not there is named, with the fix', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const result = await docbatch(['status', 'anything'], { ...cliEnv, [ENV.temporalAddress]: address });
    expect(oneErrorLine(result)).toBe(`error: cannot reach Temporal at ${address}: start one with \`docbatch server\` or set TEMPORAL_ADDRESS`);
  });

  it('bad settings are refused before anything starts', async () => {
    const missingDir = path.join(outputDir, 'no-such-folder');
    expect(oneErrorLine(await docbatch(['start', missingDir]))).toBe(`error: source.dir ${missingDir} does not exist: pass an existing directory`);
    expect(oneErrorLine(await docbatch(['start', '--chunk-size', '0']))).toMatch(/--chunk-size must be a whole number from 1 to 1000/);
  });

  it('run --json over a folder of text invoices prints a summary whose counts match the files; re-running attaches to the same batch', async () => {
    const dir = await tempDir('cli-invoices');
    const invoices = [
      { number: 'INV-1001', buyer: 'Globex Corporation', total: '1,250.00' },
      { number: 'INV-1002', buyer: 'Initech LLC', total: '980.40' },
      { number: 'INV-1003', buyer: 'Umbrella Health', total: '15,020.75' },
      { number: 'INV-1004', buyer: 'Stark Industries', total: '42.00' },
    ];
    for (const invoice of invoices) await writeFile(path.join(dir, `${invoice.number}.txt`), textInvoice(invoice));
    const args = ['run', dir, '--extractor', 'local', '--chunk-size', '2', '--no-cache', '--json'];

    const first = ok(await docbatch(args));
    const summary = batchSummarySchema.parse(JSON.parse(first.stdout));
    expect(summary).toMatchObject({ state: 'completed', total: 4, processed: 4, succeeded: 4, failed: 0, notProcessed: 0 });
    // Derived from the inputs: a readable prefix from the folder, then a hash of source and settings.
    expect(summary.batchId).toMatch(new RegExp(`^${path.basename(dir).toLowerCase()}-[0-9a-f]{8}$`));
    expect(summary.outputDir).toBe(path.join(outputDir, summary.batchId));
    const results = (await readFile(summary.files.results, 'utf8')).split('\n').filter((line) => line !== '');
    expect(results).toHaveLength(4);
    expect(results.map((line) => path.basename((JSON.parse(line) as { path: string }).path)).sort()).toEqual(invoices.map((i) => `${i.number}.txt`));

    // The same command derives the same id and, the batch having completed, prints its summary again.
    const again = ok(await docbatch(args));
    expect(batchSummarySchema.parse(JSON.parse(again.stdout)).batchId).toBe(summary.batchId);
    expect(again.stderr).toContain(`batch ${summary.batchId} completed earlier`);
  });
});

describe('docbatch run --estimate', () => {
  it('prints expected tokens and cost for the documents without starting anything', async () => {
    const dir = await documentDir(3, 1);
    // An address nothing answers at: the estimate must not need Temporal (nor the API).
    const env = { ...cliEnv, [ENV.temporalAddress]: `127.0.0.1:${await freePort()}` };
    const estimate = JSON.parse(ok(await docbatch(['run', dir, '--estimate', '--json'], env)).stdout) as { documents: number; unreadable: number; inputTokens: number; costUsd: number };
    expect(estimate).toMatchObject({ documents: 4, unreadable: 1 });
    expect(estimate.inputTokens).toBeGreaterThan(0);
    expect(estimate.costUsd).toBeGreaterThan(0);
    expect(ok(await docbatch(['run', dir, '--estimate'], env)).stdout).toContain('Expected Claude usage for 4 documents (no API call made).');
  });

  it('prints realtime and batch mode side by side with --mode batch', async () => {
    const dir = await documentDir(3, 1);
    const env = { ...cliEnv, [ENV.temporalAddress]: `127.0.0.1:${await freePort()}` };
    const estimate = JSON.parse(ok(await docbatch(['run', dir, '--estimate', '--mode', 'batch', '--json'], env)).stdout) as { costUsd: number; batch: { costUsd: number } };
    expect(estimate.batch.costUsd).toBeGreaterThan(0);
    expect(estimate.batch.costUsd).toBeLessThan(estimate.costUsd);
    const text = ok(await docbatch(['run', dir, '--estimate', '--mode', 'batch'], env)).stdout;
    expect(text).toMatch(/^total +realtime +3 /m);
    expect(text).toMatch(/^total +batch +3 /m);
    expect(text).toContain('Batch mode: $');
  });
});

describe('README configuration section', () => {
  it('is generated from src/env.ts and the batch input schema', async () => {
    const readme = await readFile(path.resolve('README.md'), 'utf8');
    const section = /<!-- section:configuration -->([\s\S]*?)<!-- \/section:configuration -->/.exec(readme)?.[1] ?? '';
    expect(section, 'README is out of date: paste configurationMarkdown() from src/cli/configuration-docs.ts').toContain(configurationMarkdown());
    for (const name of Object.values(ENV)) expect(section).toContain(`\`${name}\``);
  });

  it('documents every field of the batch input', () => {
    expect([...inputDefaults().keys()].sort()).toEqual(documentedInputFields().sort());
  });
});

function textInvoice(invoice: { number: string; buyer: string; total: string }): string {
  return [
    'Greenfield Supplies plc                                                                     INVOICE',
    'Unit 7, Riverside Park',
    `Leeds LS10 1AB                                                Invoice No: ${invoice.number}`,
    '                                                              Date: 8th May 2024',
    '                                                              Due Date: 7th June 2024',
    '',
    'Bill To:                                                      Currency: GBP',
    invoice.buyer,
    '',
    'Description                                          Qty          Unit Price                 Amount',
    `Consulting services                                    1            ${invoice.total.padStart(8)}             ${invoice.total.padStart(8)}`,
    '',
    `                                                        Total Due                          ${invoice.total}`,
    '',
  ].join('\n');
}
