import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One document of a corpus set: NAME.json (its language and expected fields) beside the document NAME.<ext>. */
export interface CorpusEntry<Expected> {
  file: string;
  name: string;
  language: string;
  expected: Expected;
}

/** The documents of `<corpusDir>/<set>/`, in name order; a truth file without its document is an error. */
export async function readCorpusSet<Expected>(corpusDir: string, set: string): Promise<CorpusEntry<Expected>[]> {
  const dir = join(corpusDir, set);
  const names = (await readdir(dir)).sort();
  const documents: CorpusEntry<Expected>[] = [];
  for (const name of names.filter((file) => file.endsWith('.json'))) {
    const base = name.slice(0, -'.json'.length);
    const file = names.find((other) => other !== name && other.startsWith(`${base}.`));
    if (!file) throw new Error(`${join(dir, name)} has no document beside it (${base}.txt, ${base}.pdf …)`);
    const { language, expected } = JSON.parse(await readFile(join(dir, name), 'utf8')) as { language: string; expected: Expected };
    documents.push({ file: join(dir, file), name: base, language, expected });
  }
  return documents;
}

/** A party or merchant name as the corpora compare it: case, punctuation and spacing ignored ("ACME Ltd." = "Acme Ltd"). */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim();
}
