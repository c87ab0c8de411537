import { createWriteStream, fstatSync, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { joinKey, StorageError, type AppendedAt, type LogPosition, type ObjectInfo, type OpenLog, type ReadOptions, type Storage } from './storage';

/** A folder on the local filesystem (or a shared mount) as a Storage: the default. */
export class LocalStorage implements Storage {
  readonly capabilities = { nativeAppend: true, conditionalWrite: false };

  constructor(readonly location: string) {}

  urlOf(key: string): string {
    return key === '' ? this.location : path.join(this.location, ...key.split('/'));
  }

  at(prefix: string): Storage {
    return new LocalStorage(this.urlOf(joinKey(prefix)));
  }

  async read(key: string, options: ReadOptions = {}): Promise<Buffer | null> {
    const file = this.urlOf(key);
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      if (error.code === 'EISDIR') throw new StorageError('not_an_object', `${file} is a directory, not a file`);
      throw error;
    });
    if (handle === null) return null;
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new StorageError('not_an_object', `${file} is not a regular file`);
      if (options.version !== undefined && versionOf(info) !== options.version) {
        throw new StorageError('version_changed', `${file} changed after the batch was planned (it was replaced or modified while the batch ran)`);
      }
      if (options.maxBytes !== undefined && info.size > options.maxBytes) {
        throw new StorageError('too_large', `${file} is ${info.size} bytes, above the limit of ${options.maxBytes}`);
      }
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const info = await stat(this.urlOf(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
      throw error;
    });
    if (info === null || !info.isFile()) return null;
    return { key, size: info.size, version: versionOf(info), modifiedMs: info.mtimeMs };
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    const file = this.urlOf(key);
    const temp = tempPathFor(file);
    await mkdir(path.dirname(file), { recursive: true });
    try {
      await writeFile(temp, body);
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async writeLines(key: string, produce: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
    const file = this.urlOf(key);
    const temp = tempPathFor(file);
    await mkdir(path.dirname(file), { recursive: true });
    const stream = createWriteStream(temp);
    try {
      await produce(async (text) => {
        if (!stream.write(text)) await once(stream, 'drain');
      });
      stream.end();
      await once(stream, 'finish');
      await rename(temp, file);
    } catch (error) {
      stream.destroy();
      await rm(temp, { force: true });
      throw error;
    }
  }

  async append(key: string, text: string, options: { durable?: boolean } = {}): Promise<AppendedAt | undefined> {
    const log = await this.openLog(key);
    try {
      return await log.append(text, options);
    } finally {
      await log.close();
    }
  }

  async openLog(key: string): Promise<LocalLog> {
    const file = this.urlOf(key);
    // The folder is made on the first open that finds it missing, not before every open (a journal per chunk).
    const handle = await open(file, 'a+').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(path.dirname(file), { recursive: true });
      return open(file, 'a+');
    });
    return new LocalLog(handle);
  }

  async readLog(key: string, from: LogPosition = '0'): Promise<{ text: string; position: LogPosition }> {
    const start = Number(from);
    // One stat when nothing was appended (the common case of a reader that polls before each document).
    const size = await stat(this.urlOf(key)).then(
      (info) => info.size,
      () => 0,
    );
    if (size <= start) return { text: '', position: from };
    const handle = await open(this.urlOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (handle === null) return { text: '', position: from };
    try {
      const { size } = await handle.stat();
      if (size <= start) return { text: '', position: from };
      const bytes = Buffer.allocUnsafe(size - start);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
      // Up to the last newline: a line being written (or torn) is read whole next time.
      const end = bytes.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      return { text: bytes.toString('utf8', 0, end), position: String(start + end) };
    } finally {
      await handle.close();
    }
  }

  async *listLogs(prefix: string): AsyncIterable<string> {
    for await (const object of this.list(prefix)) yield object.key;
  }

  async *list(prefix = '', options: { after?: string } = {}): AsyncIterable<ObjectInfo> {
    const found: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
        throw error;
      });
      for (const entry of entries) {
        const key = keyPrefix === '' ? entry.name : `${keyPrefix}/${entry.name}`;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), key);
        else if (entry.isFile() && !isTempName(entry.name)) {
          const info = await this.stat(key);
          if (info) found.push(info);
        }
      }
    };
    const start = joinKey(prefix);
    // A prefix names a folder here; S3's "prefix of a name" is not needed by docbatch's own files.
    await walk(this.urlOf(start), start);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const after = options.after;
    yield* after === undefined ? found : found.filter((object) => object.key > after);
  }

  async delete(key: string): Promise<void> {
    await rm(this.urlOf(key), { force: true });
  }
}

/** mtime and size: what changes when a file is rewritten in place or replaced. */
function versionOf(info: Stats): string {
  return `${info.size}-${info.mtimeMs}`;
}

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
}

function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * One log file held open. Its size is read with a synchronous fstat of the open descriptor (a
 * system call that never waits on the disk), so the look a chunk takes before each document costs
 * microseconds rather than an asynchronous stat of the path.
 */
class LocalLog implements OpenLog {
  /** The file's size right after this writer's last append, when that is known to end with its newline. */
  private ownEnd: number | undefined;

  constructor(private readonly handle: FileHandle) {}

  async append(text: string, options: { durable?: boolean } = {}): Promise<AppendedAt | undefined> {
    const size = this.size();
    // A writer killed mid-line leaves a torn last line: closed with a newline first.
    let torn = false;
    if (size > 0 && size !== this.ownEnd) {
      const last = Buffer.alloc(1);
      await this.handle.read(last, 0, 1, size - 1);
      torn = last[0] !== 0x0a;
    }
    // One write of whole lines with O_APPEND: concurrent appenders never interleave within it.
    const bytes = Buffer.from(torn ? `\n${text}` : text);
    let at = 0;
    while (at < bytes.length) at += (await this.handle.write(bytes, at, bytes.length - at)).bytesWritten;
    if (options.durable) await this.handle.sync();
    // Grown by exactly these bytes: nobody appended between the first look and now, so they sit right after `size`.
    const after = this.size();
    const alone = after === size + bytes.length;
    this.ownEnd = alone ? after : undefined;
    return alone ? { from: String(size), to: String(after) } : undefined;
  }

  async readLog(from: LogPosition = '0'): Promise<{ text: string; position: LogPosition }> {
    const start = Number(from);
    const size = this.size();
    if (size <= start) return { text: '', position: from };
    const bytes = Buffer.allocUnsafe(size - start);
    const { bytesRead } = await this.handle.read(bytes, 0, bytes.length, start);
    // Up to the last newline: a line being written (or torn) is read whole next time.
    const end = bytes.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
    return { text: bytes.toString('utf8', 0, end), position: String(start + end) };
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private size(): number {
    return fstatSync(this.handle.fd).size;
  }
}
