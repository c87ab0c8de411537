import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { schemaLabel } from '../extraction/schemas';
import { extractorMismatch, resolveExtractor } from '../extraction/schemas/compatibility';
import { loadSchema, SchemaError } from '../extraction/schemas/load';
import { locationJoin, resolveLocation } from '../storage/location';
import { ManifestWriter, readManifestChunk, SourceError } from '../store/manifest';
import { batchStorage } from '../store/paths';
import { snapshotForBatch } from '../store/example-store';
import { listSourceStream } from '../store/source-stream';
import { linkRedrive } from '../store/report';
import { chunkCountOf } from '../batch/chunks';
import { collectionEntries } from './plan-collection';
import { chooseChunkSize, chosenChunkSize } from './plan-chunk-size';
import { failureTypes } from '../batch/failures';
import { listedSignal, type ListedArgs } from '../batch/messages';
import type { PlanBatchInput, PlanBatchResult } from '../batch/activities';

export interface PlanBatchDeps {
  hasAnthropicKey: () => boolean;
}

/**
 * The workflow hears of newly listed chunks at most this often (each signal is a history event),
 * and at once whenever the chunks listed have doubled since it last heard: in the first second of
 * a fast listing it would otherwise know of one chunk and leave the worker idle. The doubling
 * costs log2(chunks) signals.
 */
const LISTED_SIGNAL_EVERY_MS = 1_000;
/** Well within planning's heartbeat timeout (activity-options.ts). */
const HEARTBEAT_EVERY_MS = 10_000;

/**
 * Lists the source in a deterministic order into the manifest's parts, one per chunk, and tells
 * the workflow (the `listed` signal) as chunks become ready, so extraction starts while a large
 * source is still being listed. Heartbeats carry how far it got: a retried attempt keeps the parts
 * written and resumes after the last listed entry (a source that can resume: a bucket prefix), or
 * lists again from the start (same order, same parts). Returns counts only.
 */
export async function planBatch(deps: PlanBatchDeps, { batchId, input }: PlanBatchInput): Promise<PlanBatchResult> {
  const batchDir = locationJoin(resolveLocation(input.outputDir), batchId);
  const extractor = resolveExtractor(input, deps.hasAnthropicKey())!;
  const schema = await usableSchema(input, extractor);
  const context = activityContext();
  const plan = {
    batchDir,
    sourceLabel: sourceLabelOf(input.source),
    extractor,
    schema: typeof input.schema === 'string' ? input.schema : { file: input.schema.file, fingerprint: schema.fingerprint },
  };

  // Seed examples: the store as it is now, for every chunk of the batch.
  if (input.examples) await snapshotForBatch(batchStorage(batchDir), input.examples.from, schema.name);

  // The input's chunk size, or the one an earlier attempt chose; else it is chosen from the first documents listed.
  const storage = batchStorage(batchDir);
  const known = input.chunkSize ?? (await chosenChunkSize(storage));
  const resumed = known === undefined ? { resumable: false, documents: 0 } : await resumePoint(batchDir, known, context?.info.heartbeatDetails);
  const listing = listSourceStream(input.source, input.order, resumed.resumable && resumed.after !== undefined ? { after: resumed.after } : {});
  const start = listing.resumable ? resumed.documents : 0;
  // Collection hook (src/activities/plan-collection.ts): with onlyNew, only the documents the collection does not hold.
  const collected = await collectionEntries({ batchId, batchDir, input, extractor, schemaFingerprint: schema.fingerprint }, listing.pages);
  // Once the chunk size is known.
  let writer: ManifestWriter | undefined;
  let told = 0;
  let toldAt = -Infinity;
  let lastPath: string | undefined;
  // The path of the last entry of the last ready chunk: where a retried attempt resumes.
  const readyPaths = new Map<number, string>();
  // What a retried attempt resumes from: the chunks whose parts are written, and the last entry of the last one.
  const beat = () =>
    context?.heartbeat(writer && { documents: writer.readyChunks * writer.chunkSize, after: readyPaths.get(writer.readyChunks - 1), bytes: writer.bytes });
  // Beats with each signal and on the timer below, not per entry: a heartbeat costs ~30 µs of the SDK's pipeline.
  const tell = async (writer: ManifestWriter) => {
    if (writer.readyChunks === told) return;
    if (writer.readyChunks < 2 * told && performance.now() - toldAt < LISTED_SIGNAL_EVERY_MS) return;
    beat();
    told = writer.readyChunks;
    toldAt = performance.now();
    const { chunkSize, documents, bytes } = writer;
    await signalListed(context, batchId, { ...plan, chunkSize, chunks: told, documents: Math.min(documents, told * chunkSize), bytes });
  };

  // Alive while a listing is slow to yield (a sorted order lists everything first; a huge folder is read whole).
  const alive = setInterval(beat, HEARTBEAT_EVERY_MS);
  try {
    const { chunkSize, pages } =
      known === undefined ? await chooseChunkSize(storage, { extractor, mode: input.mode }, collected) : { chunkSize: known, pages: collected };
    writer = new ManifestWriter(storage, chunkSize, start);
    told = Math.floor(start / chunkSize);
    for await (const page of pages) {
      for (const entry of page) {
        // Awaited only when it writes a part: an await per entry is a promise per entry.
        const writing = writer.add(entry);
        if (writing) await writing;
        lastPath = entry.path;
        if (writer.documents % chunkSize === 0) {
          const chunk = writer.documents / chunkSize - 1;
          readyPaths.set(chunk, lastPath);
          readyPaths.delete(chunk - 64);
        }
        if (writer.readyChunks > told) await tell(writer);
      }
    }
    await writer.flush();
  } catch (error) {
    if (error instanceof SourceError) throw ApplicationFailure.nonRetryable(error.message, failureTypes.sourceUnavailable);
    throw error;
  } finally {
    clearInterval(alive);
  }
  if (input.redriveOf) await linkRedrive(locationJoin(resolveLocation(input.outputDir), input.redriveOf), batchId);
  return {
    ...plan,
    total: writer.documents,
    chunkSize: writer.chunkSize,
    chunkCount: chunkCountOf(writer.documents, writer.chunkSize),
    totalBytes: writer.bytes,
  };
}

/** Where a retried attempt resumes: after the last entry its predecessor wrote into a ready chunk, if that part is there. */
async function resumePoint(batchDir: string, chunkSize: number, details: unknown): Promise<{ resumable: boolean; documents: number; after?: string }> {
  const last = details as { documents?: unknown; after?: unknown } | undefined;
  if (!last || typeof last.documents !== 'number' || typeof last.after !== 'string' || last.documents <= 0) return { resumable: false, documents: 0 };
  const chunk = last.documents / chunkSize - 1;
  const part = await readManifestChunk(batchDir, chunk, chunkSize).catch(() => []);
  if (part.at(-1)?.path !== last.after) return { resumable: false, documents: 0 };
  return { resumable: true, documents: last.documents, after: last.after };
}

/** The workflow learns of ready chunks; without a client (a unit test's activity environment) it learns at the end. */
async function signalListed(context: Context | undefined, batchId: string, args: ListedArgs): Promise<void> {
  let client;
  try {
    client = context?.client;
  } catch {
    return;
  }
  await client?.workflow.getHandle(batchId).signal(listedSignal, args);
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

function sourceLabelOf(source: PlanBatchInput['input']['source']): string {
  if ('dir' in source) return `${path.resolve(source.dir)} (${source.include.join(', ')})`;
  if ('url' in source) return `${source.url} (${source.include.join(', ')})`;
  return `manifest ${path.resolve(source.manifest)}`;
}

/**
 * The batch's schema, refused before any document is read when it cannot be loaded, changed since
 * the batch was submitted, or is not one the chosen extractor can fill: one message, not a failed
 * document per file.
 */
async function usableSchema(input: PlanBatchInput['input'], extractor: 'local' | 'anthropic') {
  let schema;
  try {
    schema = await loadSchema(input.schema);
  } catch (error) {
    if (error instanceof SchemaError) throw ApplicationFailure.nonRetryable(error.message, failureTypes.invalidInput);
    throw error;
  }
  const mismatch = extractorMismatch(schemaLabel(input.schema), schema, extractor, input.extractor === 'auto' ? 'auto' : 'request');
  if (mismatch !== null) throw ApplicationFailure.nonRetryable(mismatch, failureTypes.invalidInput);
  return schema;
}
