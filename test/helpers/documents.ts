import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { samplesDir, tempDir } from './batch';

/**
 * A directory of `good` text invoices (a sample with a distinct closing note each, so no two share
 * content) and `broken` empty files, named doc-000… in that order.
 */
export async function documentDir(good: number, broken = 0): Promise<string> {
  const dir = await tempDir('docs');
  const sample = (await readdir(samplesDir)).find((name) => name.startsWith('invoice-') && name.endsWith('.txt'))!;
  const text = await readFile(path.join(samplesDir, sample), 'utf8');
  for (let i = 0; i < good; i++) await writeFile(path.join(dir, `doc-${String(i).padStart(3, '0')}.txt`), `${text}\nThank you for your business (copy ${i}).\n`);
  for (let i = good; i < good + broken; i++) await writeFile(path.join(dir, `doc-${String(i).padStart(3, '0')}.txt`), '');
  return dir;
}
