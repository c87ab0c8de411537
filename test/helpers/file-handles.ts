import { readdir, readlink } from 'node:fs/promises';

/** File descriptors of this process open on `file` (Linux /proc): 0 once whoever opened it closed it. */
export async function handlesOn(file: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === file) count++;
  }
  return count;
}
