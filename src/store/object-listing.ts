import picomatch from 'picomatch';
import { isObjectUrl, objectAt, parseObjectUrl, storageAt } from '../storage/location';
import type { ListedSourceEntry } from './manifest';

export interface ObjectSource {
  url: string;
  include: string[];
  exclude: string[];
}

/**
 * The objects under a bucket prefix, in key order, as they are listed (a page of 1,000 keys at a
 * time, so a listing of any size streams): each with its size and ETag, so the version planned is
 * the version read. Globs match the key relative to the prefix, as include/exclude match paths
 * relative to a folder; "folder/" markers are not objects of the batch; a 0-byte object is listed
 * (it fails as `empty`, visibly). `after` resumes after a listed URL.
 */
export async function* listObjectSource(source: ObjectSource, options: { after?: string } = {}): AsyncGenerator<ListedSourceEntry> {
  const storage = storageAt(source.url);
  const include = picomatch(source.include, { dot: false });
  const exclude = source.exclude.length > 0 ? picomatch(source.exclude, { dot: true }) : () => false;
  const after = options.after === undefined ? undefined : keyIn(source.url, options.after);
  for await (const object of storage.list('', after === undefined ? {} : { after })) {
    if (!include(object.key) || exclude(object.key)) continue;
    yield { path: storage.urlOf(object.key), sizeBytes: object.size, version: object.version };
  }
}

/** The key of `url` relative to the source's prefix. */
function keyIn(sourceUrl: string, url: string): string {
  const prefix = parseObjectUrl(sourceUrl).key;
  const key = parseObjectUrl(url).key;
  return prefix === '' ? key : key.slice(prefix.length + 1);
}

/** An object named by a manifest line: its size and version, or its problem. */
export async function inspectObject(url: string): Promise<ListedSourceEntry> {
  if (!isObjectUrl(url)) throw new Error(`${url} is not an s3:// URL`);
  const { storage, key } = objectAt(url);
  const info = await storage.stat(key);
  if (info === null) return { path: url, sizeBytes: 0, problem: { type: 'not_found', message: `${url} does not exist: the manifest names it wrongly, or it was deleted` } };
  return { path: url, sizeBytes: info.size, version: info.version };
}
