import { constants, createReadStream, statSync, type Dirent, type Stats } from 'node:fs';
import { access, lstat, opendir, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import picomatch from 'picomatch';
import type { DocumentErrorType } from '../extraction/errors';
import { isObjectUrl, locationJoin, objectAt } from '../storage/location';
import { whileInMemory } from '../storage/while-in-memory';

async function readObject(url: string): Promise<Buffer> {
  const { storage, key } = objectAt(url);
  const bytes = await storage.read(key);
  if (bytes === null) throw new Error(`${url} does not exist`);
  return bytes;
}

/**
 * Lists every entry of a source and accounts for each: a document, or a problem with its reason.
 *
 * Why a walk of our own (node:fs readdir with file types) rather than tinyglobby/fdir: fdir keeps only files,
 * directories and symlinks, so FIFOs, sockets and devices vanish without a trace, and it swallows
 * directories it cannot read. Matching stays picomatch, the matcher tinyglobby uses, so patterns
 * mean what they meant. Nothing here ever opens an entry that is not a regular file.
 *
 * Why streams: a source of 1,000,000 files listed into an array (candidates, stat results, then a
 * sort) outgrew a 512 MB worker, and nothing could be extracted before the whole listing ended. The
 * walk yields entries in path order as it goes, holding only the directories on its current path,
 * and resumes after a given path, so a planning activity writes the manifest while listing and a
 * retried one continues where it stopped.
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

export interface WalkOptions {
  /** Resume: only the entries whose path sorts after this absolute path (`<` on strings). @default the whole source */
  after?: string | undefined;
  /**
   * The dedupe rules' memory, for a resumed listing to keep them: `file:<dev>:<ino>` of each
   * hard-linked file listed and, with followSymlinks, `dir:<dev>:<ino>` of each directory an entry
   * was listed from. The listing adds to it as it yields, never ahead of what it yielded: a caller
   * that stores it with the entries it wrote passes it back with `after`. @default a new set
   */
  seen?: Set<string>;
}

/** stat calls in flight: unbounded, a 100,000-document source took ~400 MB of RSS (the libuv pool runs 4 anyway). */
export const STATS_IN_FLIGHT = 64;

/** Names people give documents: a directory named like this is reported, since someone expected a file. */
const documentLikeName = /\.(pdf|png|jpe?g|gif|webp|tiff?|bmp|txt|text|md|csv|xml|json|html?|rtf|docx?|xlsx?|odt|eml|zip)$/i;

/**
 * The entries of a directory source (paths absolute), in path order (`a.path < b.path`), each
 * document once:
 * - a symbolic link (to a file, or followed to a directory) whose real path lies inside the source
 *   and would be listed itself is left out: the physical path is listed;
 * - a file with several hard links is listed under the first of its paths (in path order);
 * - with followSymlinks, each directory is walked once (by device and inode), so links cannot loop.
 * Hidden entries (names starting with a dot) are left out unless an include pattern names one.
 * Memory: the directories on the walk's current path, STATS_IN_FLIGHT stats and at most
 * HARD_LINKS_REMEMBERED hard-linked files, never the tree.
 */
export async function* walkDirectory(source: DirectorySource, options: WalkOptions = {}): AsyncGenerator<ListedEntry> {
  const seen = options.seen ?? new Set<string>();
  const once = listedOnce(seen);
  // Claimed as each entry is yielded, not a page ahead: a caller that stops mid-page keeps `seen` true to what it got.
  for await (const page of inspectedPages(source, options.after, seen)) {
    for (const inspected of page) {
      const entry = once(inspected);
      if (entry) yield entry;
    }
  }
}

/**
 * The same walk a page at a time (LISTING_PAGE entries or fewer, never empty), for planning: each
 * step of an async stream costs a few promises, and under the async hooks of Temporal's activity
 * context a walk of one entry at a time spent ~15 µs an entry in them, most of what listing costs.
 * `seen` learns a page's entries before the page is yielded.
 */
export async function* walkDirectoryPages(source: DirectorySource, options: WalkOptions = {}): AsyncGenerator<ListedEntry[]> {
  const seen = options.seen ?? new Set<string>();
  const once = listedOnce(seen);
  for await (const page of inspectedPages(source, options.after, seen)) {
    const entries: ListedEntry[] = [];
    for (const inspected of page) {
      const entry = once(inspected);
      if (entry) entries.push(entry);
    }
    if (entries.length > 0) yield entries;
  }
}

/** Entries a walk hands on together (and stats in flight per page: two pages are, STATS_IN_FLIGHT in all). */
export const LISTING_PAGE = STATS_IN_FLIGHT / 2;

/** The walk's entries after their stat, in path order, a page at a time (dedupe not applied yet). */
async function* inspectedPages(source: DirectorySource, after: string | undefined, seen: ReadonlySet<string>): AsyncGenerator<Inspected[]> {
  const root = path.resolve(source.dir);
  if (!(await stat(root)).isDirectory()) throw new Error(`${root} is not a directory`);
  const walk = new DirectoryWalk(source, root, await realpath(root), seen);
  const statFile = adaptiveStat();
  yield* mapOrdered(walk.candidatePages(after), 2, (page) => settledPage(page.map((candidate) => inspect(candidate, statFile))));
}

/**
 * The lines of a manifest file that name a document, streamed: one path per line, or the lines of
 * an earlier batch's manifest.jsonl (`{"path": ...}`); blank lines and `#` comments are skipped and
 * relative paths resolved against the manifest's folder. `line` counts from 1; `afterLine` resumes
 * after one. A `{` line that is not JSON is taken as a path, so it fails by name as a missing file.
 */
export async function* readManifestLines(file: string, options: { afterLine?: number } = {}): AsyncGenerator<{ line: number; path: string }> {
  const inBucket = isObjectUrl(file);
  const manifestPath = inBucket ? file : path.resolve(file);
  const base = inBucket ? file.slice(0, file.lastIndexOf('/')) : path.dirname(manifestPath);
  const resolve = (named: string) => (isObjectUrl(named) ? named : inBucket ? locationJoin(base, named) : path.resolve(base, named));
  const afterLine = options.afterLine ?? 0;
  // A manifest in a bucket (a redrive's, written where the batch's outputs are) is read whole; a file streams.
  const input = inBucket ? Readable.from([(await readObject(manifestPath)).toString('utf8')]) : createReadStream(manifestPath, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      if (++line <= afterLine) continue;
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const named = trimmed.startsWith('{') ? manifestLinePath(trimmed) : trimmed;
      // An s3:// line is a URL, taken as written (object-listing.ts inspects it).
      if (named !== '') yield { line, path: resolve(named) };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * The entries of a manifest source, streamed in the manifest's order: each named path (links
 * followed: the person named them), stat'ed STATS_IN_FLIGHT at a time. Dedupe stays bounded: a path
 * repeated on consecutive lines is listed once, a file with several hard links (or named again
 * through a symlink to such a file) once, under its first line; the same path on distant lines, or a
 * single-link file named directly and through a symlink, is listed each time.
 */
export async function* inspectPaths(
  paths: AsyncIterable<{ line: number; path: string }> | Iterable<{ line: number; path: string }>,
  options: Pick<WalkOptions, 'seen'> = {},
): AsyncGenerator<ListedEntry & { line: number }> {
  const distinct = async function* () {
    let previous: string | undefined;
    for await (const named of paths) {
      if (named.path !== previous) yield named;
      previous = named.path;
    }
  };
  const statFile = adaptiveStat();
  const inspectLine = async (named: { line: number; path: string }) => ({ ...(await inspectFile(named.path, noDirectories, statFile)), line: named.line });
  const seen = options.seen ?? new Set<string>();
  for await (const entry of mapOrdered(distinct(), STATS_IN_FLIGHT, inspectLine)) {
    if (entry.hardLink !== undefined && !claim(seen, entry.hardLink)) continue;
    yield { line: entry.line, ...listed(entry) };
  }
}

/** The entries of a directory source as an array, in path order (see walkDirectory). */
export async function listDirectoryEntries(source: DirectorySource): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  for await (const entry of walkDirectory(source)) entries.push(entry);
  return entries;
}

/** The entries of a manifest source's paths as an array, in their order (see inspectPaths). */
export async function listPathEntries(paths: readonly string[]): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  for await (const { line: _line, ...entry } of inspectPaths(paths.map((file, index) => ({ line: index + 1, path: file })))) entries.push(entry);
  return entries;
}

/** The path of a manifest.jsonl line; anything but a string is kept visible (it then fails as a missing file, by name). */
function manifestLinePath(line: string): string {
  let entry: { path?: unknown };
  try {
    entry = JSON.parse(line) as { path?: unknown };
  } catch {
    return line;
  }
  if (entry.path === undefined || entry.path === null) return '';
  return typeof entry.path === 'string' ? entry.path : JSON.stringify(entry.path);
}

/**
 * An entry found by the walk, before its stat: a file to inspect, or a problem (some need a
 * readlink to word). `dirs`: the identities of the directories it lies in, when links are followed.
 */
type Candidate = { path: string; dirs: readonly string[] } & ({ problem: EntryProblem | (() => Promise<EntryProblem>) } | { problem?: undefined });

/** A candidate after its stat. `hardLink`: the file's identity when it has several links. */
interface Inspected extends ListedEntry {
  hardLink?: string;
  dirs: readonly string[];
}

/**
 * One name of a directory, in walk order by `key`: the entry itself (a file, a problem, or a
 * directory to check) at its name, a directory's contents at its name + '/' — which makes the
 * walk's order the order of the full paths: a sibling `a-b` or `a.txt` ('-' and '.' sort before
 * '/') comes before `a/x`, as its path does.
 */
interface Item {
  key: string;
  name: string;
  kind: 'file' | 'problem' | 'directory' | 'contents';
  problem?: EntryProblem | (() => Promise<EntryProblem>);
  directory?: DirectoryState;
}

/** What the `directory` item learns for its `contents` item: whether it could be opened. */
interface DirectoryState {
  readable: boolean;
  linked: boolean;
  documentLike: boolean;
}

interface Frame {
  dir: string;
  rel: string;
  linked: boolean;
  items: Item[];
  next: number;
  dirs: readonly string[];
}

const noDirectories: readonly string[] = [];
const byKey = (a: Item, b: Item) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

class DirectoryWalk {
  private readonly include: picomatch.Matcher;
  private readonly exclude: (rel: string) => boolean;
  private readonly walkHidden: boolean;
  /** Directories entered, when links are followed (only directories: a few per thousand files). */
  private readonly visited: Set<string>;

  constructor(
    private readonly source: DirectorySource,
    private readonly root: string,
    private readonly realRoot: string,
    seen: ReadonlySet<string>,
  ) {
    this.include = picomatch(source.include, { dot: false });
    this.exclude = source.exclude.length > 0 ? picomatch(source.exclude, { dot: true }) : () => false;
    this.walkHidden = source.include.some((pattern) => pattern.startsWith('.') || pattern.includes('/.'));
    this.visited = new Set([...seen].filter((key) => key.startsWith('dir:')));
  }

  /** Every entry after `after` in path order, LISTING_PAGE at a time; whole directories before it are never read. */
  async *candidatePages(after: string | undefined): AsyncGenerator<Candidate[]> {
    const stack: Frame[] = [];
    let page: Candidate[] = [];
    const enterRoot = async () => {
      const prefix = this.root.endsWith(path.sep) ? this.root : this.root + path.sep;
      const resuming = after !== undefined && after.startsWith(prefix);
      if (after !== undefined && !resuming && prefix < after) return;
      const entered = await this.enter(this.root, '', false, noDirectories, resuming);
      if (entered !== null && 'problem' in entered) return entered;
      if (entered !== null) stack.push(entered);
    };
    const unlistable = await enterRoot();
    if (unlistable && (after === undefined || this.root > after)) page.push({ path: this.root, dirs: noDirectories, problem: unlistable.problem });

    while (stack.length > 0) {
      if (page.length >= LISTING_PAGE) {
        yield page;
        page = [];
      }
      const frame = stack.at(-1)!;
      const item = frame.items[frame.next++];
      if (item === undefined) {
        stack.pop();
        continue;
      }
      const full = childPath(frame.dir, item.name);
      if (item.kind === 'contents') {
        const prefix = full + path.sep;
        const resuming = after !== undefined && after.startsWith(prefix);
        if (after !== undefined && !resuming && prefix < after) continue;
        if (!resuming) after = undefined;
        if (!item.directory!.readable) continue;
        const entered = await this.enter(full, frame.rel === '' ? item.name : `${frame.rel}/${item.name}`, item.directory!.linked, frame.dirs, resuming);
        if (entered === null) continue;
        if ('problem' in entered) {
          // Opened a moment ago, unlistable now: reported here, out of path order (a race with whoever changed it).
          if (after === undefined) page.push({ path: full, dirs: frame.dirs, problem: entered.problem });
          continue;
        }
        stack.push(entered);
        continue;
      }
      if (after !== undefined && full <= after) continue;
      after = undefined;
      if (item.kind === 'directory') {
        // Checked at the directory's own path, so a problem comes before a sibling such as `x.pdf.bak`, as its path does.
        const problem = await this.directoryProblem(full, item.directory!);
        if (problem) page.push({ path: full, dirs: frame.dirs, problem });
      } else if (item.kind === 'problem') {
        page.push({ path: full, dirs: frame.dirs, problem: item.problem! });
      } else {
        page.push({ path: full, dirs: frame.dirs });
      }
    }
    if (page.length > 0) yield page;
  }

  /** A directory's items, sorted; null when links are followed and it was walked already. */
  private async enter(dir: string, rel: string, linked: boolean, dirs: readonly string[], resuming: boolean): Promise<Frame | { problem: EntryProblem } | null> {
    if (this.source.followSymlinks) {
      // Only links can lead back into a walked directory, so identities matter only when following them.
      const identity = await stat(dir).then(identityOf, () => null);
      if (identity !== null) {
        const key = `dir:${identity}`;
        // A resumed walk re-enters the directories on the resume path, which an earlier slice entered.
        if (this.visited.has(key) && !resuming) return null;
        this.visited.add(key);
        dirs = [...dirs, key];
      }
    }
    const listed = await readDirectory(dir);
    if ('problem' in listed) return listed;
    return { dir, rel, linked, items: await this.itemsOf(dir, rel, linked, listed.entries), next: 0, dirs };
  }

  private async itemsOf(dir: string, rel: string, linked: boolean, entries: Dirent[]): Promise<Item[]> {
    const items: Item[] = [];
    const links: { name: string; rel: string; full: string }[] = [];
    const addDirectory = (name: string, entryRel: string, viaLink: boolean) => {
      const directory = { readable: true, linked: viaLink, documentLike: !viaLink && documentLikeName.test(name) && this.include(entryRel) };
      items.push({ key: name, name, kind: 'directory', directory }, { key: `${name}/`, name, kind: 'contents', directory });
    };
    for (const entry of entries) {
      if (entry.name.startsWith('.') && !this.walkHidden) continue;
      const entryRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (this.exclude(entryRel)) continue;
      const full = childPath(dir, entry.name);
      if (entry.isDirectory()) addDirectory(entry.name, entryRel, linked);
      else if (entry.isFile()) {
        if (this.include(entryRel)) items.push({ key: entry.name, name: entry.name, kind: 'file' });
      } else if (entry.isSymbolicLink() || isUnknownType(entry)) links.push({ name: entry.name, rel: entryRel, full });
      else if (this.include(entryRel)) items.push({ key: entry.name, name: entry.name, kind: 'problem', problem: specialFileProblem(full, entry) });
    }
    // What each link (or entry of unknown type) is; stat follows links without opening anything.
    const resolved = await mapBounded(links, STATS_IN_FLIGHT, async (link) => {
      const target = await stat(link.full).catch((error: NodeJS.ErrnoException) => error);
      const isLink = await lstat(link.full).then((info) => info.isSymbolicLink(), () => true);
      const real = isLink && !(target instanceof Error) ? await realpath(link.full).catch(() => null) : null;
      return { link, target, isLink, real };
    });
    for (const { link, target, isLink, real } of resolved) {
      const item = { key: link.name, name: link.name };
      if (!isLink && !(target instanceof Error) && target.isDirectory()) {
        addDirectory(link.name, link.rel, linked);
      } else if (target instanceof Error) {
        if (this.include(link.rel)) items.push({ ...item, kind: 'problem', problem: () => unresolvableProblem(link.full, target) });
      } else if (target.isDirectory()) {
        if (!this.source.followSymlinks) items.push({ ...item, kind: 'problem', problem: () => unfollowedProblem(link.full) });
        else if (!(real !== null && this.listedInRoot(real, true))) addDirectory(link.name, link.rel, true);
      } else if (this.include(link.rel) && !(real !== null && this.listedInRoot(real, false))) {
        items.push({ ...item, kind: 'file' });
      }
    }
    return items.sort(byKey);
  }

  /** Whether the walk lists this real path by itself: inside the source, not hidden, not excluded (and, a file, included). */
  private listedInRoot(real: string, directory: boolean): boolean {
    const rel = path.relative(this.realRoot, real);
    if (rel === '') return directory;
    if (path.isAbsolute(rel) || rel === '..' || rel.startsWith(`..${path.sep}`)) return false;
    let prefix = '';
    for (const part of rel.split(path.sep)) {
      if (part.startsWith('.') && !this.walkHidden) return false;
      prefix = prefix === '' ? part : `${prefix}/${part}`;
      if (this.exclude(prefix)) return false;
    }
    return directory || this.include(prefix);
  }

  /** Opened without reading (its contents are read at their own turn): unlistable, else named like a document. */
  private async directoryProblem(dir: string, state: DirectoryState): Promise<EntryProblem | null> {
    try {
      await (await opendir(dir)).close();
    } catch (error) {
      state.readable = false;
      return unlistableProblem(dir, error as NodeJS.ErrnoException);
    }
    return state.documentLike ? directoryProblem(dir) : null;
  }
}

async function readDirectory(dir: string): Promise<{ entries: Dirent[] } | { problem: EntryProblem }> {
  try {
    // One readdir per directory: opendir's iterator costs a promise per entry, 3× slower over 100,000 files.
    return { entries: await readdir(dir, { withFileTypes: true }) };
  } catch (error) {
    return { problem: unlistableProblem(dir, error as NodeJS.ErrnoException) };
  }
}

function unlistableProblem(dir: string, error: NodeJS.ErrnoException): EntryProblem {
  const code = error.code ?? 'an error';
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
  return {
    type: 'unreadable',
    message: `${dir} is a directory that cannot be listed (${why}): the documents in it are not in this batch; grant the worker read access, or exclude it`,
  };
}

/** A candidate after its stat: synchronously when the stat was (most files), else a promise. */
function inspect(candidate: Candidate, statFile: StatFile): Inspected | Promise<Inspected> {
  if (candidate.problem === undefined) return inspectFile(candidate.path, candidate.dirs, statFile);
  const { problem } = candidate;
  return typeof problem === 'function'
    ? problem().then((worded) => ({ path: candidate.path, sizeBytes: 0, problem: worded, dirs: candidate.dirs }))
    : { path: candidate.path, sizeBytes: 0, problem, dirs: candidate.dirs };
}

/** Size and identity of a file; a file the worker may not read is a problem, found before any chunk opens it. */
function inspectFile(file: string, dirs: readonly string[], statFile: StatFile): Inspected | Promise<Inspected> {
  let info: Stats | Promise<Stats>;
  try {
    info = statFile(file);
  } catch (error) {
    return unresolvable(file, dirs, error);
  }
  return info instanceof Promise ? info.then((stats) => inspected(file, dirs, stats), (error: unknown) => unresolvable(file, dirs, error)) : inspected(file, dirs, info);
}

function inspected(file: string, dirs: readonly string[], info: Stats): Inspected | Promise<Inspected> {
  if (info.isDirectory()) return { path: file, sizeBytes: 0, problem: directoryProblem(file), dirs };
  if (!info.isFile()) return { path: file, sizeBytes: 0, problem: specialFileProblem(file, info), dirs };
  const entry = { path: file, sizeBytes: info.size, dirs, ...(info.nlink > 1 ? { hardLink: `file:${identityOf(info)}` } : {}) };
  // Readable by everyone: no need to ask (access() doubles the listing time of 100,000 files).
  if ((info.mode & constants.S_IROTH) !== 0) return entry;
  return access(file, constants.R_OK).then(
    () => entry,
    (error: unknown) => unresolvable(file, dirs, error),
  );
}

async function unresolvable(file: string, dirs: readonly string[], error: unknown): Promise<Inspected> {
  return { path: file, sizeBytes: 0, problem: await unresolvableProblem(file, error as NodeJS.ErrnoException), dirs };
}

/** One listing's stat, synchronous while the filesystem answers from memory (a Stats, or throws), else a promise. */
export type StatFile = (file: string) => Stats | Promise<Stats>;

/** One listing's stat: synchronous while the filesystem answers from memory (storage/while-in-memory.ts), which is most of what listing a local folder costs. */
export function adaptiveStat(statNow: (file: string) => Stats = statSync, statLater: (file: string) => Promise<Stats> = stat, clock: () => number = () => performance.now()): StatFile {
  return whileInMemory(statNow, statLater, clock);
}

/**
 * The walk's entries, each file once: the first path of a hard-linked file (undefined for a later
 * one); `seen` learns what was listed as it is passed on.
 */
function listedOnce(seen: Set<string>): (entry: Inspected) => ListedEntry | undefined {
  let dirs = noDirectories;
  return (entry) => {
    if (entry.hardLink !== undefined && !claim(seen, entry.hardLink)) return undefined;
    if (entry.dirs !== dirs) for (const dir of (dirs = entry.dirs)) seen.add(dir);
    return listed(entry);
  };
}

/**
 * Hard-linked files remembered for the dedupe. A source whose files are all hard-linked (a backup
 * snapshot, files also linked from elsewhere) would otherwise hold every file's identity: past
 * this many the oldest is forgotten, and a twin listed farther apart than that is listed again
 * (a second path to the same content, which the result cache then serves).
 */
export const HARD_LINKS_REMEMBERED = 100_000;

/** True the first time an identity is claimed. A hard link claimed past `limit` identities makes `seen` forget the oldest hard link (directories are kept). */
export function claim(seen: Set<string>, identity: string, limit = HARD_LINKS_REMEMBERED): boolean {
  if (seen.has(identity)) return false;
  seen.add(identity);
  if (identity.startsWith('file:') && seen.size > limit) {
    for (const oldest of seen) {
      if (oldest === identity) break;
      if (oldest.startsWith('file:')) {
        seen.delete(oldest);
        break;
      }
    }
  }
  return true;
}

function listed({ path: file, sizeBytes, problem }: ListedEntry): ListedEntry {
  return problem ? { path: file, sizeBytes, problem } : { path: file, sizeBytes };
}

/** path.join without its normalizing, which a walk of a million names does not need (names hold no separator). */
function childPath(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
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

/** A page of inspections: as it is when every one answered synchronously, else once all have. */
async function settledPage(page: Array<Inspected | Promise<Inspected>>): Promise<Inspected[]> {
  if (page.every((entry) => !(entry instanceof Promise))) return page as Inspected[];
  return Promise.all(page.map((entry) => Promise.resolve(entry)));
}

/** `map` over a stream, `limit` calls in flight, results in the stream's order. */
async function* mapOrdered<T, R>(items: AsyncIterable<T>, limit: number, map: (item: T) => Promise<R>): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  for await (const item of items) {
    const result = map(item);
    // Awaited in order below; until then a rejection must not count as unhandled.
    result.catch(() => undefined);
    inFlight.push(result);
    if (inFlight.length >= limit) yield await inFlight.shift()!;
  }
  while (inFlight.length > 0) yield await inFlight.shift()!;
}
