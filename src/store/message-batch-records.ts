import { z } from 'zod';
import { batchKeys, batchStorage } from './paths';

/**
 * Batch mode's submission records, one append-only log per chunk in the batch's storage: for each (round, group) an
 * `intent` line, written and fsynced before `create` is sent, and a `created` line right after
 * `create` returned (or when reconciliation adopted a Message Batch). A retried submitChunk reads
 * them: a group with `created` is never sent again; a group with only its intent is reconciled
 * against the API's list (src/extraction/message-batches/reconcile.ts).
 *
 * Each submitChunk attempt first writes an `attempt` line. Two attempts of a chunk can be alive at
 * once on two workers (Temporal retried a stalled one that has not yet heard it timed out); the
 * older one checks, after writing its intent and right before `create`, that no later attempt has
 * started, and leaves the create to it if one has. So an intent written after a later attempt's
 * line never reached Anthropic: readSubmissions drops it (it is void).
 */
const attemptRecordSchema = z.object({
  kind: z.literal('attempt'),
  /** Unique per attempt (not Temporal's attempt number, which restarts in a new workflow run). */
  id: z.string().min(1),
  /** Temporal's attempt number, for a person reading the file. */
  attempt: z.number().int().positive(),
  at: z.string(),
});

const intentRecordSchema = z.object({
  kind: z.literal('intent'),
  /** The id of the attempt that wrote it; absent in records written before attempts were recorded. */
  attempt: z.string().optional(),
  round: z.number().int().nonnegative(),
  group: z.number().int().nonnegative(),
  /** The custom_id prefix of this group's requests. */
  token: z.string().min(1),
  /** ISO 8601, the worker's clock, before `create` was sent. */
  at: z.string(),
  indices: z.array(z.number().int().nonnegative()),
  /** The model each request was routed to (model -> manifest indices): its answer is priced, repaired and escalated as that model's. */
  models: z.record(z.string(), z.array(z.number().int().nonnegative())),
  /** Notes for a document's result line known at submission (an e-invoice that could not be used), by manifest index. */
  warnings: z.record(z.string(), z.array(z.string())).optional(),
});
export type IntentRecord = z.infer<typeof intentRecordSchema>;

const createdRecordSchema = z.object({
  kind: z.literal('created'),
  round: z.number().int().nonnegative(),
  group: z.number().int().nonnegative(),
  id: z.string().min(1),
  createdAt: z.string(),
  expiresAt: z.string(),
  requests: z.number().int().positive(),
  /** Found by reconciliation rather than returned by `create`. */
  adopted: z.boolean().optional(),
});
export type CreatedRecord = z.infer<typeof createdRecordSchema>;

const recordSchema = z.discriminatedUnion('kind', [attemptRecordSchema, intentRecordSchema, createdRecordSchema]);
export type SubmissionRecord = z.infer<typeof recordSchema>;

/** One group of a round: its latest intent and the Message Batches recorded for it (none yet, one, or several adopted). */
export interface SubmissionGroup {
  intent: IntentRecord;
  created: CreatedRecord[];
}

/** The chunk's groups in the order their intents were first written; a torn or foreign line and a void intent are ignored. */
export async function readSubmissions(batchDir: string, chunkIndex: number): Promise<SubmissionGroup[]> {
  return submissionsOf(await readRecords(batchDir, batchKeys.messageBatchRecords(chunkIndex)));
}

export function submissionsOf(records: readonly SubmissionRecord[]): SubmissionGroup[] {
  const groups = new Map<string, SubmissionGroup>();
  /** Attempts a later attempt has started after: what they write from then on never reached `create`. */
  const superseded = new Set<string>();
  let latest: string | undefined;
  for (const record of records) {
    if (record.kind === 'attempt') {
      if (latest !== undefined && latest !== record.id) superseded.add(latest);
      latest = record.id;
      continue;
    }
    const key = `${record.round}/${record.group}`;
    const known = groups.get(key);
    if (record.kind === 'intent') {
      if (record.attempt !== undefined && superseded.has(record.attempt)) continue;
      // A group is written again (same token) when it had to be re-created: its latest intent counts.
      if (known) known.intent = record;
      else groups.set(key, { intent: record, created: [] });
    } else if (known && !known.created.some((created) => created.id === record.id)) {
      known.created.push(record);
    }
  }
  return [...groups.values()];
}

/** Every Message Batch id recorded by any chunk of the batch: reconciliation never adopts one of these. */
export async function recordedMessageBatchIds(batchDir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const log of batchStorage(batchDir).listLogs(batchKeys.messageBatchRecordsDir)) {
    if (!log.endsWith('.jsonl')) continue;
    for (const record of await readRecords(batchDir, log)) if (record.kind === 'created') ids.add(record.id);
  }
  return ids;
}

/** Written when a submitChunk attempt starts, before it reads the records. */
export function recordAttempt(batchDir: string, chunkIndex: number, attempt: Omit<z.infer<typeof attemptRecordSchema>, 'kind'>): Promise<void> {
  return appendDurably(batchDir, chunkIndex, { kind: 'attempt', ...attempt });
}

/** Whether an attempt of the chunk started after attempt `id` (its line follows id's): `id` must not send a `create`. */
export async function attemptSuperseded(batchDir: string, chunkIndex: number, id: string): Promise<boolean> {
  let mine = false;
  for (const record of await readRecords(batchDir, batchKeys.messageBatchRecords(chunkIndex))) {
    if (record.kind !== 'attempt') continue;
    if (record.id === id) mine = true;
    else if (mine) return true;
  }
  return false;
}

export function recordIntent(batchDir: string, chunkIndex: number, intent: Omit<IntentRecord, 'kind'>): Promise<void> {
  return appendDurably(batchDir, chunkIndex, { kind: 'intent', ...intent });
}

export function recordCreated(batchDir: string, chunkIndex: number, created: Omit<CreatedRecord, 'kind'>): Promise<void> {
  return appendDurably(batchDir, chunkIndex, { kind: 'created', ...created });
}

async function readRecords(batchDir: string, key: string): Promise<SubmissionRecord[]> {
  const { text } = await batchStorage(batchDir).readLog(key);
  const records: SubmissionRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = recordSchema.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data);
    } catch {
      // A worker killed mid-write leaves a torn line.
    }
  }
  return records;
}

/**
 * Appends one line, on stable storage before it returns: an intent must be recorded before
 * `create` is sent (fsynced on disk; a bucket's PUT is durable when it answers). The log keeps
 * one order for every reader, which the attempt fence relies on.
 */
async function appendDurably(batchDir: string, chunkIndex: number, record: SubmissionRecord): Promise<void> {
  await batchStorage(batchDir).append(batchKeys.messageBatchRecords(chunkIndex), `${JSON.stringify(record)}\n`, { durable: true });
}
