import path from 'node:path';
import { LocalStorage } from './local';
import { S3Storage } from './s3';
import { s3Client } from './s3-client';
import { joinKey, type Storage } from './storage';

/**
 * Where docbatch reads or writes: a local path, or `s3://bucket/prefix`. The one place that turns
 * a location string (batch input, CLI argument, manifest line) into a Storage.
 */
export function isObjectUrl(location: string): boolean {
  return /^s3:\/\//i.test(location);
}

export interface ObjectUrl {
  bucket: string;
  /** Without leading or trailing '/'; '' for the whole bucket. */
  key: string;
}

/**
 * `s3://bucket/some/key` as it is written: keys are taken verbatim (a '%' or a space is part of the
 * key, as the AWS CLI reads such URLs), never percent-decoded.
 */
export function parseObjectUrl(url: string): ObjectUrl {
  const rest = url.replace(/^s3:\/\//i, '');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(`${url}: "${bucket}" is not a bucket name (3-63 characters: lowercase letters, digits, '.' and '-')`);
  }
  return { bucket, key: key.replace(/^\/+|\/+$/g, '') };
}

/** The storage rooted at `location`; a relative path is resolved against the current directory. */
export function storageAt(location: string): Storage {
  if (!isObjectUrl(location)) return new LocalStorage(path.resolve(location));
  const { bucket, key } = parseObjectUrl(location);
  return new S3Storage(s3Client(), bucket, joinKey(key));
}

/** `location` absolute: a path resolved against the current directory, an `s3://` URL as it is. */
export function resolveLocation(location: string): string {
  return isObjectUrl(location) ? location.replace(/\/+$/, '') : path.resolve(location);
}

/** `child` under `location`: a path join, or a key join for a bucket. */
export function locationJoin(location: string, ...children: string[]): string {
  if (!isObjectUrl(location)) return path.join(location, ...children);
  const { bucket, key } = parseObjectUrl(location);
  return `s3://${bucket}/${joinKey(key, ...children)}`;
}

/** The storage that holds one object or file and its key there: for reading a single document or output by its location. */
export function objectAt(location: string): { storage: Storage; key: string } {
  if (!isObjectUrl(location)) {
    const file = path.resolve(location);
    return { storage: new LocalStorage(path.dirname(file)), key: path.basename(file) };
  }
  const { bucket, key } = parseObjectUrl(location);
  return { storage: new S3Storage(s3Client(), bucket, ''), key };
}

/** The location one level up: a path's folder, or an `s3://` URL without its last key segment. */
export function parentLocation(location: string): string {
  if (!isObjectUrl(location)) return path.dirname(location);
  const trimmed = location.replace(/\/+$/, '');
  return trimmed.slice(0, trimmed.lastIndexOf('/'));
}
