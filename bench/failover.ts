/**
 * `npm run bench:failover`: how long a SIGKILLed worker's chunks wait before they run on another
 * worker, measured from the batch's history: the ActivityTaskStarted event of each chunk's attempt
 * on the surviving worker, minus the moment of the kill. Claude's code path against the emulator
 * with long calls (documents are in the middle of an extraction when the worker dies), two real
 * `docbatch worker` processes, the batch input's defaults. Baseline in the same run: the previous
 * default heartbeat timeout (1 min), when chunks heartbeated only between documents.
 *
 *   npm run bench:failover                  # defaults, then the 1-minute baseline
 *   npm run bench:failover -- --no-baseline       # or --only-baseline
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { DEFAULTS } from '../src/env';
import { startEmulator } from '../src/emulator';
import { startDevServer } from '../src/temporal/dev-server';
import { batchInputSchema } from '../src/batch/input';
import { startWorkerProcess } from '../test/helpers/docbatch-worker';

const DOCUMENTS = 40;
const CALL_MS = { minMs: 3000, maxMs: 6000 };
const resultsDir = path.resolve('bench/results');

interface Case {
  name: string;
  chunkHeartbeat: string | number;
  /** Chunks running on the killed worker at the kill. */
  chunksOnVictim: number;
  chunksMoved: number;
  failoverSeconds: number[];
  minS: number;
  medianS: number;
  maxS: number;
}

async function invoiceTexts(dir: string): Promise<void> {
  const sample = await readFile(path.resolve('samples/invoices/invoice-02-two-column.txt'), 'utf8');
  await Promise.all(Array.from({ length: DOCUMENTS }, (_, i) => writeFile(path.join(dir, `doc-${String(i).padStart(3, '0')}.txt`), `${sample}\nCopy ${i}.\n`)));
}

async function runCase(name: string, chunkHeartbeat: string | undefined): Promise<Case> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'docbatch-failover-'));
  const server = await startDevServer({ dbFile: path.join(work, 'temporal.db'), headless: true, log: () => {} });
  const emulator = await startEmulator({ validKeys: ['bench-key'], latency: CALL_MS });
  const taskQueue = `failover-${Date.now().toString(36)}`;
  const env = {
    TEMPORAL_ADDRESS: server.address,
    DOCBATCH_TASK_QUEUE: taskQueue,
    DOCBATCH_CACHE_DIR: path.join(work, 'cache'),
    ANTHROPIC_API_KEY: 'bench-key',
    ANTHROPIC_BASE_URL: emulator.url,
  };
  const victim = await startWorkerProcess(env);
  const survivor = await startWorkerProcess(env);
  try {
    const sourceDir = path.join(work, 'docs');
    await mkdir(sourceDir);
    await invoiceTexts(sourceDir);
    const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: server.namespace });
    const batchId = `failover-${name}`;
    const handle = await client.workflow.start(DEFAULTS.workflowType, {
      taskQueue,
      workflowId: batchId,
      args: [{ source: { dir: sourceDir }, outputDir: path.join(work, 'out'), extractor: 'anthropic', chunkSize: 4, concurrency: 6, cache: false, ...(chunkHeartbeat ? { timeouts: { chunkHeartbeat } } : {}) }],
    });

    // Kill the victim once it runs chunks that are a few seconds into their documents.
    const runningOnVictim = async () => {
      const { pendingActivities } = await handle.describe().then((d) => d.raw);
      return (pendingActivities ?? []).filter((a) => a.lastWorkerIdentity?.startsWith(victim.identityPrefix) && a.lastStartedTime).map((a) => a.activityId!);
    };
    for (let deadline = Date.now() + 120_000; (await runningOnVictim()).length === 0; await sleep(250)) {
      if (Date.now() > deadline) throw new Error('the victim worker never started a chunk');
    }
    await sleep(2000);
    const onVictim = await runningOnVictim();
    const killedAt = Date.now();
    await victim.kill();
    await handle.result();

    const events = (await handle.fetchHistory()).events ?? [];
    const activityOf = new Map<string, string>();
    for (const event of events) if (event.activityTaskScheduledEventAttributes) activityOf.set(String(event.eventId), event.activityTaskScheduledEventAttributes.activityId!);
    const failoverSeconds: number[] = [];
    for (const event of events) {
      const started = event.activityTaskStartedEventAttributes;
      if (!started || !onVictim.includes(activityOf.get(String(started.scheduledEventId))!)) continue;
      // Recorded once per activity, for its last attempt: the one on the survivor, unless the chunk finished in the moment before the kill.
      if (!started.identity?.startsWith(survivor.identityPrefix)) continue;
      const at = Number(event.eventTime!.seconds) * 1000 + Math.round((event.eventTime!.nanos ?? 0) / 1e6);
      failoverSeconds.push((at - killedAt) / 1000);
    }
    failoverSeconds.sort((a, b) => a - b);
    const effective = chunkHeartbeat ?? batchInputSchema.parse({ source: { dir: '.' } }).timeouts.chunkHeartbeat;
    return {
      name,
      chunkHeartbeat: effective,
      chunksOnVictim: onVictim.length,
      chunksMoved: failoverSeconds.length,
      failoverSeconds,
      minS: failoverSeconds[0] ?? NaN,
      medianS: failoverSeconds[Math.floor(failoverSeconds.length / 2)] ?? NaN,
      maxS: failoverSeconds.at(-1) ?? NaN,
    };
  } finally {
    await victim.kill();
    await survivor.kill();
    await emulator.stop();
    await server.stop();
  }
}

const startedAt = new Date();
const cases: Case[] = [];
if (!process.argv.includes('--only-baseline')) cases.push(await runCase('defaults', undefined));
if (!process.argv.includes('--no-baseline')) cases.push(await runCase('baseline-1m', '1m'));

const header = ['case', 'heartbeat timeout', 'chunks on killed worker', 'chunks moved', 'min s', 'median s', 'max s'];
const rows = cases.map((c) => [c.name, String(c.chunkHeartbeat), String(c.chunksOnVictim), String(c.chunksMoved), c.minS.toFixed(1), c.medianS.toFixed(1), c.maxS.toFixed(1)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
console.log([header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n'));
const defaults = cases.find((c) => c.name === 'defaults');
if (defaults) console.log(`target: every chunk of the killed worker running on the other within 20 s with defaults — ${defaults.maxS <= 20 ? 'met' : 'NOT met'}`);

await mkdir(resultsDir, { recursive: true });
const file = path.join(resultsDir, 'latest-failover.json');
const report = { startedAt: startedAt.toISOString(), cores: os.cpus().length, loadAverage: os.loadavg(), documents: DOCUMENTS, callMs: CALL_MS, cases };
await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report));
console.log(`written ${file}`);
process.exit(cases.every((c) => c.chunksMoved > 0 && c.chunksMoved === c.chunksOnVictim) ? 0 : 1);
