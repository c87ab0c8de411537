import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { documentResultSchema, type DocumentResult } from './document-result';

/**
 * A chunk's journal is the per-document checkpoint: each finished document is appended as one
 * line the moment it finishes, so a retried chunk extracts only what is not there yet. Lines are
 * keyed by manifest index; if two attempts raced on the same document, the first line wins.
 */
export async function appendToJournal(journal: string, result: DocumentResult): Promise<void> {
  await mkdir(path.dirname(journal), { recursive: true });
  // One write of one line with O_APPEND: concurrent appenders never interleave within a line.
  await appendFile(journal, JSON.stringify(result) + '\n');
}

export async function readJournal(journal: string): Promise<Map<number, DocumentResult>> {
  const text = await readFile(journal, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const results = new Map<number, DocumentResult>();
  for (const line of text.split('\n')) {
    const result = parseJournalLine(line);
    if (result && !results.has(result.index)) results.set(result.index, result);
  }
  return results;
}

/** A worker killed mid-write leaves a torn last line: it is ignored and that document is redone. */
function parseJournalLine(line: string): DocumentResult | null {
  if (line.trim() === '') return null;
  try {
    const parsed = documentResultSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
