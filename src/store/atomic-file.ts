import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * part: write a temp file beside it, then rename. Two workers writing the same file both succeed
 * and the last rename wins with identical content.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(file);
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Streams lines into a temp file, then renames it over `file`: for outputs too large to build in memory. */
export async function writeLinesAtomic(file: string, write: (line: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
  const temp = tempPathFor(file);
  await mkdir(path.dirname(file), { recursive: true });
  const stream = createWriteStream(temp);
  try {
    await write((text) => writeWithBackpressure(stream, text));
    stream.end();
    await once(stream, 'finish');
    await rename(temp, file);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}

async function writeWithBackpressure(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
}
