import { execFile } from 'node:child_process';
import { appendFile, copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { hostName } from '../../src/cluster/layout';
import { storageAt } from '../../src/storage/location';
import { projectRoot } from '../../src/temporal/paths';

const execFileAsync = promisify(execFile);

/**
 * `npm run cluster -- <args>`, as docs/deployment.md shows it (the test runs the same commands).
 * Resolves with its stderr (the log) and stdout.
 */
export async function clusterCommand(args: string[], env: Record<string, string> = {}, timeoutMs = 60 * 60_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`npm run cluster -- ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/**
 * A corpus of `count` distinct documents from the samples: text invoices, text-layer PDFs (one in
 * ten) and scans (one in a hundred: OCR is the expensive part). Each copy differs in its last
 * bytes, so every document has its own identity at the emulator and in the result cache.
 */
export async function sampleCorpus(dir: string, count: number, mix: { pdfs: boolean; scans: boolean } = { pdfs: true, scans: true }): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const invoices = path.join(projectRoot, 'samples', 'invoices');
  const names = await readdir(invoices);
  const texts = names.filter((n) => n.startsWith('invoice-') && /\.(txt|md)$/.test(n));
  const pdfs = names.filter((n) => n.startsWith('invoice-') && n.endsWith('.pdf'));
  const scans = [path.join(projectRoot, 'samples', 'formats', 'scan-receipt.bmp')];
  const textBodies = await Promise.all(texts.map((n) => readFile(path.join(invoices, n), 'utf8')));
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const stem = `doc-${String(i).padStart(5, '0')}`;
    let file: string;
    if (mix.scans && i % 100 === 99) {
      const scan = scans[i % scans.length]!;
      file = path.join(dir, `${stem}${path.extname(scan)}`);
      await copyFile(scan, file);
      await appendFile(file, Buffer.from(`\n${stem}\n`));
    } else if (mix.pdfs && i % 10 === 5) {
      const pdf = pdfs[i % pdfs.length]!;
      file = path.join(dir, `${stem}.pdf`);
      await copyFile(path.join(invoices, pdf), file);
      await appendFile(file, `\n%${stem}\n`);
    } else {
      const k = i % texts.length;
      file = path.join(dir, `${stem}${path.extname(texts[k]!)}`);
      await appendFile(file, `${textBodies[k]!}\nThank you for your business (copy ${i}).\n`);
    }
    files.push(file);
  }
  return files;
}

/** A chunk that ran on a host when it was lost, and when and where it started again. */
export interface MovedChunk {
  activityId: string;
  deadIdentity: string;
  againAt?: number;
  againOn?: string;
  /** It completed on the lost host just before the loss: nothing to move. */
  finishedBeforeLoss?: boolean;
}

/** Chunk activities running on worker host i now (from the workflow's pending activities). */
export async function chunksOnHost(handle: WorkflowHandle, i: number): Promise<Array<{ activityId: string; identity: string }>> {
  const description = await handle.describe();
  const pending = description.raw.pendingActivities ?? [];
  return pending
    .filter((a) => a.state === proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED && (a.lastWorkerIdentity ?? '').endsWith(`@${hostName(i)}`))
    .map((a) => ({ activityId: a.activityId ?? '', identity: a.lastWorkerIdentity ?? '' }));
}

const tsMs = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) => (ts ? Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : undefined);

/** Watches the chunks a dead host held until each has started again on a live worker. */
export async function watchFailover(handle: WorkflowHandle, failover: MovedChunk[], deadline: number): Promise<void> {
  while (Date.now() < deadline && failover.some((f) => f.againAt === undefined)) {
    const pending = (await handle.describe().catch(() => undefined))?.raw.pendingActivities ?? [];
    for (const f of failover) {
      if (f.againAt !== undefined) continue;
      const now = pending.find((a) => a.activityId === f.activityId);
      if (now && now.lastWorkerIdentity && now.lastWorkerIdentity !== f.deadIdentity && now.state === proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) {
        f.againAt = tsMs(now.lastStartedTime) ?? Date.now();
        f.againOn = now.lastWorkerIdentity;
      }
    }
    await sleep(500);
  }
}

/** Fills in from history the chunks that finished before watchFailover saw them restart. */
export async function failoverFromHistory(handle: WorkflowHandle, failover: MovedChunk[]): Promise<void> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<number, string>();
  for (const event of history.events ?? []) {
    const id = Number(event.eventId);
    if (event.activityTaskScheduledEventAttributes) scheduled.set(id, event.activityTaskScheduledEventAttributes.activityId ?? '');
    const started = event.activityTaskStartedEventAttributes;
    if (!started) continue;
    const activityId = scheduled.get(Number(started.scheduledEventId));
    for (const f of failover) {
      if (f.againAt === undefined && f.activityId === activityId && started.identity !== f.deadIdentity) {
        f.againAt = tsMs(event.eventTime) ?? 0;
        f.againOn = started.identity ?? '';
      }
      // Its last attempt is the one on the lost host, and it completed: it finished before the loss.
      if (f.againAt === undefined && f.activityId === activityId && started.identity === f.deadIdentity) f.finishedBeforeLoss = true;
    }
  }
}


/**
 * Uploads `files` to the bucket prefix `url` (their base names as keys), 16 at a time; returns the
 * documents' URLs, in the order of `files`.
 */
export async function uploadCorpus(files: string[], url: string): Promise<string[]> {
  const storage = storageAt(url);
  let next = 0;
  const upload = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      await storage.write(path.basename(file), await readFile(file));
    }
  };
  await Promise.all(Array.from({ length: 16 }, upload));
  return files.map((file) => storage.urlOf(path.basename(file)));
}
