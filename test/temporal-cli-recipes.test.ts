import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSummary } from '../src/store/report';
import { batchSummarySchema } from '../src/batch/summary';
import * as messages from '../src/batch/messages';
import { progressSchema } from '../src/batch/progress';
import { startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { eventually } from './helpers/eventually';
import { testTemporal } from './helpers/temporal';
import { Gate, gatedExtractor } from './helpers/extractors';

const execFileAsync = promisify(execFile);

/** The Temporal CLI recipes of README.md, each a ```sh block between the temporal-cli markers. */
type RecipeKind = 'start' | 'query' | 'list' | 'pause' | 'setPriority' | 'resume' | 'cancelSignal' | 'cancel';

function recipeKind(script: string): RecipeKind | undefined {
  if (/temporal workflow start\b/.test(script)) return 'start';
  if (/temporal workflow query\b.*--name progress/.test(script)) return 'query';
  if (/temporal workflow list\b/.test(script)) return 'list';
  if (/temporal workflow signal\b.*--name pause\b/.test(script)) return 'pause';
  if (/temporal workflow update execute\b.*--name setPriority\b/.test(script)) return 'setPriority';
  if (/temporal workflow signal\b.*--name resume\b/.test(script)) return 'resume';
  if (/temporal workflow signal\b.*--name cancel\b/.test(script)) return 'cancelSignal';
  if (/temporal workflow cancel\b/.test(script)) return 'cancel';
  return undefined;
}

async function readmeRecipes(): Promise<Map<RecipeKind, string>> {
  const readme = await readFile(path.resolve('README.md'), 'utf8');
  const section = /<!-- section:temporal-cli -->([\s\S]*?)<!-- \/section:temporal-cli -->/.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no temporal-cli section');
  const recipes = new Map<RecipeKind, string>();
  for (const [, script] of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const kind = recipeKind(script!.replace(/\\\n\s*/g, ' '));
    if (!kind) throw new Error(`README recipe not covered by this test:\n${script}`);
    if (recipes.has(kind)) throw new Error(`two README recipes of kind ${kind}`);
    recipes.set(kind, script!);
  }
  return recipes;
}

const taskQueue = uniqueId('recipes');
const gate = new Gate();
let recipes: Map<RecipeKind, string>;
let client: Client;
let stopWorker: () => Promise<void>;
let binDir: string;
let documentsDir: string;
let outputDir: string;

beforeAll(async () => {
  recipes = await readmeRecipes();
  const { temporalCliPath } = testTemporal();
  // Recipes say `temporal`; the binary the tests use may have another name or live off PATH.
  binDir = await tempDir('recipes-bin');
  await symlink(temporalCliPath, path.join(binDir, 'temporal'));
  documentsDir = await documentDir(15);
  outputDir = await tempDir('recipes-out');
  await mkdir(outputDir, { recursive: true });
  ({ stop: stopWorker } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => gatedExtractor(gate), resultCache: null } }));
  client = await testClient();
});

afterAll(async () => {
  gate.open();
  await stopWorker?.();
  await client?.connection.close();
});

/** Runs a README recipe through bash, as a person pasting it would, against the test server. */
async function runRecipe(kind: RecipeKind, batchId: string): Promise<string> {
  const script = recipes
    .get(kind)!
    .replaceAll('/abs/path/to/invoices', documentsDir)
    .replaceAll('/abs/path/to/output', outputDir)
    .replaceAll('invoices-1', batchId)
    .replaceAll('--task-queue docbatch', `--task-queue ${taskQueue}`);
  const { address, namespace } = testTemporal();
  const { stdout } = await execFileAsync('bash', ['-euo', 'pipefail', '-c', script], {
    env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
  });
  return stdout;
}

describe('README Temporal CLI recipes, run with the real temporal binary', () => {
  it('covers start, query, list, pause, priority, resume and both ways to cancel', () => {
    expect([...recipes.keys()].sort()).toEqual(['cancel', 'cancelSignal', 'list', 'pause', 'query', 'resume', 'setPriority', 'start']);
  });

  it('starts a batch, reads its progress, finds it by search attribute, pauses, reprioritizes, resumes and cancels it by signal', async () => {
    gate.close();
    const batchId = uniqueId('recipe');
    expect(await runRecipe('start', batchId)).toContain(batchId);

    // The progress query's JSON has the DESIGN.md shape; two chunks of five are held in flight.
    const running = await eventually(async () => {
      const output = JSON.parse(await runRecipe('query', batchId)) as { queryResult: unknown[] };
      const progress = progressSchema.parse(output.queryResult[0]);
      expect(progress).toMatchObject({ batchId, state: 'running', total: 15, chunks: { total: 3, inFlight: 2 } });
      return progress;
    });
    expect(running.outputDir).toBe(path.join(outputDir, batchId));

    await eventually(async () => expect(await runRecipe('list', batchId)).toContain(batchId));

    await runRecipe('pause', batchId);
    const handle = client.workflow.getHandle(batchId);
    await eventually(async () => expect(await handle.query(messages.progressQuery)).toMatchObject({ state: 'paused', pauseReason: 'month-end close' }));

    expect(await runRecipe('setPriority', batchId)).toMatch(/priority:1\b/);
    expect((await handle.query(messages.progressQuery)).priority).toBe(1);

    await runRecipe('resume', batchId);
    await eventually(async () => expect((await handle.query(messages.progressQuery)).state).toBe('running'));

    await runRecipe('cancelSignal', batchId);
    gate.open();
    const summary = batchSummarySchema.parse(await handle.result());
    expect(summary).toMatchObject({ batchId, state: 'cancelled', reason: 'wrong folder', total: 15 });
    // The third chunk never started: its documents are listed as not processed.
    expect(summary.notProcessed).toBeGreaterThanOrEqual(5);
    expect(summary.processed + summary.notProcessed).toBe(15);
  });

  it('cancels a batch through Temporal: the partial report is written, then the workflow ends as cancelled', async () => {
    gate.close();
    const batchId = uniqueId('recipe-cancel');
    await runRecipe('start', batchId);
    const handle = client.workflow.getHandle(batchId);
    await eventually(async () => expect((await handle.query(messages.progressQuery)).chunks.inFlight).toBe(2));

    await runRecipe('cancel', batchId);
    gate.open();
    const error = await handle.result().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const summary = await readSummary(path.join(outputDir, batchId));
    expect(summary).toMatchObject({ batchId, state: 'cancelled', total: 15 });
    expect(summary!.notProcessed).toBeGreaterThanOrEqual(5);
  });
});
