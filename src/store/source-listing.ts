import { constants, type Dirent, type Stats } from 'node:fs';
import { access, lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { DocumentErrorType } from '../extraction/errors';

/**
 * Lists every entry of a source and accounts for each: a document, or a problem with its reason.
 *
 * Why a walk of our own (node:fs readdir with file types) rather than tinyglobby/fdir: fdir keeps only files,
 * directories and symlinks, so FIFOs, sockets and devices vanish without a trace, and it swallows
 * directories it cannot read. Matching stays picomatch, the matcher tinyglobby uses, so patterns
 * mean what they meant. Nothing here ever opens an entry that is not a regular file.
 */

/** Why an entry of the source cannot be a document: the chunk fails it with this, unopened. */
export interface EntryProblem {
  type: DocumentErrorType;
  message: string;
}

export interface ListedEntry {
  path: string;
  sizeBytes: number;
  problem?: EntryProblem;
}

export interface DirectorySource {
  dir: string;
  include: string[];
  exclude: string[];
  followSymlinks: boolean;
}

/** stat calls in flight: unbounded, a 100,000-document source took ~400 MB of RSS (the libuv pool runs 4 anyway). */
export const STATS_IN_FLIGHT = 64;

/** Names people give documents: a directory named like this is reported, since someone expected a file. */
const documentLikeName = /\.(pdf|png|jpe?g|gif|webp|tiff?|bmp|txt|text|md|csv|xml|json|html?|rtf|docx?|xlsx?|odt|eml|zip)$/i;

/** A file found by the walk, not yet stat'ed. `linked`: reached through a symlink. */
interface Candidate {
  path: string;
  rel: string;
  linked: boolean;
}

interface Found {
  path: string;
  sizeBytes: number;
  linked: boolean;
  identity: string;
}

/**
 * The entries of a directory source (paths absolute). A file reachable by several paths (hard
 * links, symlinks, followed directories) is one document, kept under the path with no symlink in
 * it, else the one that sorts first. Each directory is walked once (by device and inode), so
 * followed links cannot loop. Hidden entries (names starting with a dot) are left out unless an
 * include pattern names one.
 */
export async function listDirectoryEntries(source: DirectorySource): Promise<ListedEntry[]> {
  const root = path.resolve(source.dir);
  const rootInfo = await stat(root);
  const include = picomatch(source.include, { dot: false });
  const exclude = source.exclude.length > 0 ? picomatch(source.exclude, { dot: true }) : () => false;
  const walkHidden = source.include.some((pattern) => pattern.startsWith('.') || pattern.includes('/.'));

  const problems: ListedEntry[] = [];
  const files: Candidate[] = [];
  const visited = new Set<string>();
  const directories: Candidate[] = [{ path: root, rel: '', linked: false }];
  if (!rootInfo.isDirectory()) throw new Error(`${root} is not a directory`);

  // Physical directories first, then the symlinked ones they hold: paths without links win.
  while (directories.length > 0) {
    const links: Candidate[] = [];
    for (let next = directories.pop(); next !== undefined; next = directories.pop()) {
      if (source.followSymlinks) {
        // Only links can lead back into a walked directory, so identities matter only when following them.
        const identity = await stat(next.path).then(identityOf, () => null);
        if (identity !== null && visited.has(identity)) continue;
        if (identity !== null) visited.add(identity);
      }
      const listed = await readDirectory(next.path);
      if ('problem' in listed) {
        problems.push({ path: next.path, sizeBytes: 0, problem: listed.problem });
        continue;
      }
      for (const entry of listed.entries) {
        if (entry.name.startsWith('.') && !walkHidden) continue;
        const rel = next.rel === '' ? entry.name : `${next.rel}/${entry.name}`;
        if (exclude(rel)) continue;
        const found: Candidate = { path: path.join(next.path, entry.name), rel, linked: next.linked || entry.isSymbolicLink() };
        if (entry.isDirectory()) {
          if (documentLikeName.test(entry.name) && include(rel)) problems.push({ path: found.path, sizeBytes: 0, problem: directoryProblem(found.path) });
          directories.push(found);
        } else if (entry.isFile()) {
          if (include(rel)) files.push(found);
        } else if (entry.isSymbolicLink() || isUnknownType(entry)) {
          links.push(found);
        } else if (include(rel)) {
          problems.push({ path: found.path, sizeBytes: 0, problem: specialFileProblem(found.path, entry) });
        }
      }
    }
    // What each link (or entry of unknown type) is; stat follows links without opening anything.
    const resolved = await mapBounded(links, STATS_IN_FLIGHT, async (link) => ({
      link,
      target: await stat(link.path).catch((error: NodeJS.ErrnoException) => error),
      isLink: await lstat(link.path).then((info) => info.isSymbolicLink(), () => true),
    }));
    for (const { link, target, isLink } of resolved) {
      if (!isLink && !(target instanceof Error) && target.isDirectory()) {
        directories.push(link);
      } else if (target instanceof Error) {
        if (include(link.rel)) problems.push({ path: link.path, sizeBytes: 0, problem: await unresolvableProblem(link.path, target) });
      } else if (target.isDirectory()) {
        if (!source.followSymlinks) problems.push({ path: link.path, sizeBytes: 0, problem: await unfollowedProblem(link.path) });
        else directories.push(link);
      } else if (include(link.rel)) {
        files.push(link);
      }
    }
  }
  return [...dedupe(await inspectFiles(files)), ...problems];
}

/**
 * The entries of a manifest source: each listed path (links followed: the person named them),
 * each file once.
 */
export async function listPathEntries(paths: readonly string[]): Promise<ListedEntry[]> {
  const candidates = await mapBounded(paths, STATS_IN_FLIGHT, async (file) => ({ path: file, rel: file, linked: (await realpath(file).catch(() => file)) !== file }));
  return dedupe(await inspectFiles(candidates));
}

async function readDirectory(dir: string): Promise<{ entries: Dirent[] } | { problem: EntryProblem }> {
  try {
    // One readdir per directory: opendir's iterator costs a promise per entry, 3× slower over 100,000 files.
    const entries = await readdir(dir, { withFileTypes: true });
    // Sorted (popped from the walk's stack in name order), so the walk never depends on directory order.
    return { entries: entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    return {
      problem: {
        type: 'unreadable',
        message: `${dir} is a directory that cannot be listed (${why}): the documents in it are not in this batch; grant the worker read access, or exclude it`,
      },
    };
  }
}

/** Size and identity of each file; a file the worker may not read is a problem, found before any chunk opens it. */
async function inspectFiles(files: Candidate[]): Promise<(Found | ListedEntry)[]> {
  return mapBounded(files, STATS_IN_FLIGHT, async (file): Promise<Found | ListedEntry> => {
    let info: Stats;
    try {
      info = await stat(file.path);
      // Readable by everyone: no need to ask (access() doubles the listing time of 100,000 files).
      if (info.isFile() && (info.mode & constants.S_IROTH) === 0) await access(file.path, constants.R_OK);
    } catch (error) {
      return { path: file.path, sizeBytes: 0, problem: await unresolvableProblem(file.path, error as NodeJS.ErrnoException) };
    }
    if (info.isDirectory()) return { path: file.path, sizeBytes: 0, problem: directoryProblem(file.path) };
    if (!info.isFile()) return { path: file.path, sizeBytes: 0, problem: specialFileProblem(file.path, info) };
    return { path: file.path, sizeBytes: info.size, linked: file.linked, identity: identityOf(info) };
  });
}

/** One entry per file identity: the path without a symlink in it, else the one that sorts first. */
function dedupe(entries: (Found | ListedEntry)[]): ListedEntry[] {
  const kept = new Map<string, Found>();
  const others: ListedEntry[] = [];
  for (const entry of entries) {
    if (!('identity' in entry)) {
      others.push(entry);
      continue;
    }
    const current = kept.get(entry.identity);
    if (!current || Number(entry.linked) - Number(current.linked) < 0 || (entry.linked === current.linked && entry.path < current.path)) kept.set(entry.identity, entry);
  }
  return [...[...kept.values()].map(({ path: file, sizeBytes }) => ({ path: file, sizeBytes })), ...others];
}

function identityOf(info: Stats): string {
  return `${info.dev}:${info.ino}`;
}

function isUnknownType(entry: Dirent): boolean {
  return !entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink() && !entry.isFIFO() && !entry.isSocket() && !entry.isBlockDevice() && !entry.isCharacterDevice();
}

function specialFileProblem(file: string, entry: Dirent | Stats): EntryProblem {
  const what = entry.isFIFO()
    ? 'a FIFO (named pipe)'
    : entry.isSocket()
      ? 'a socket'
      : entry.isBlockDevice()
        ? 'a block device'
        : entry.isCharacterDevice()
          ? 'a character device'
          : 'not a regular file';
  return { type: 'unsupported_type', message: `${file} is ${what}, not a document file; it is never opened: move it out of the source or exclude it` };
}

function directoryProblem(dir: string): EntryProblem {
  return {
    type: 'unsupported_type',
    message: `${dir} is a directory named like a document, not a file: the documents inside it are listed under their own paths; rename it or exclude it if a file was expected`,
  };
}

async function unfollowedProblem(link: string): Promise<EntryProblem> {
  const target = await readlink(link).catch(() => '?');
  return {
    type: 'unsupported_type',
    message: `${link} is a symbolic link to the directory ${target}, not followed: pass --follow-symlinks (source.followSymlinks: true) to include the documents in it, or exclude it`,
  };
}

/** Why stat failed, in the words of the entry: a dangling or looping link, a permission, a vanished file. */
async function unresolvableProblem(file: string, error: NodeJS.ErrnoException): Promise<EntryProblem> {
  const link = await lstat(file).then((info) => info.isSymbolicLink()).catch(() => false);
  const target = link ? await readlink(file).catch(() => '?') : '';
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return link
        ? { type: 'not_found', message: `${file} is a symbolic link to ${target}, which does not exist: fix the link or remove it` }
        : { type: 'not_found', message: `${file} does not exist: it was moved or deleted, or the manifest names it wrongly` };
    case 'ELOOP':
      return { type: 'unreadable', message: `${file} is a symbolic link that loops (${target} leads back to itself): fix the link or remove it` };
    case 'EACCES':
    case 'EPERM':
      return { type: 'unreadable', message: `${file} cannot be read (permission denied): grant the worker read access` };
    default:
      return { type: 'unreadable', message: `${file} cannot be read (${error.code ?? error.message}): check the file and the worker's access to it` };
  }
}

export async function mapBounded<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
