import { z } from 'zod';
import { chunkSizeFor, textChunkSize, type ChunkSizeFacts } from '../batch/chunk-size';
import { isTextByName } from '../extraction/formats';
import type { Storage } from '../storage/storage';
import type { ListedSourceEntry } from '../store/manifest';
import { batchKeys } from '../store/paths';

const chosenSchema = z.object({ chunkSize: z.number().int().positive() });

/** The size an earlier planning attempt of this batch chose, if one did (a file that is not one is chosen again). */
export async function chosenChunkSize(storage: Storage): Promise<number | undefined> {
  const bytes = await storage.read(batchKeys.chunkSize);
  if (bytes === null) return undefined;
  try {
    const parsed = chosenSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data.chunkSize : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Chooses the chunk size from the first documents listed (batch/chunk-size.ts) and records it
 * before any manifest part exists, so a retried attempt keeps it even if the source has changed
 * since. Returns the pages it looked at followed by the rest: the listing is read once.
 */
export async function chooseChunkSize(
  storage: Storage,
  facts: Omit<ChunkSizeFacts, 'textOnly'>,
  pages: AsyncIterable<ListedSourceEntry[]>,
): Promise<{ chunkSize: number; pages: AsyncIterable<ListedSourceEntry[]> }> {
  const iterator = pages[Symbol.asyncIterator]();
  const first: ListedSourceEntry[][] = [];
  let looked = 0;
  let done = false;
  while (!done && looked < textChunkSize) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      first.push(next.value);
      looked += next.value.length;
    }
  }
  // An entry that cannot be a document (its problem is set) costs nothing to fail.
  const textOnly = first.every((page) => page.every((entry) => entry.problem !== undefined || isTextByName(entry.path)));
  const chunkSize = chunkSizeFor({ ...facts, textOnly });
  await storage.write(batchKeys.chunkSize, JSON.stringify({ chunkSize }) + '\n');
  async function* all(): AsyncGenerator<ListedSourceEntry[]> {
    yield* first;
    if (done) return;
    for (let more = await iterator.next(); !more.done; more = await iterator.next()) yield more.value;
  }
  return { chunkSize, pages: all() };
}
