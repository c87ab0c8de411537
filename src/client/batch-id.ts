import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BatchInputJson } from '../batch/input';

/**
 * A batch id derived from the inputs when `--id` is not given: a readable prefix from the source
 * and a hash of the resolved source and settings, e.g. `invoices-3f9a2c1b`. The same command gives
 * the same id, so re-running it after Ctrl-C or a crash resumes the batch instead of starting over.
 */
export function deriveBatchId(input: BatchInputJson): string {
  return `${sourcePrefix(input.source)}-${stableHash(input)}`;
}

function sourcePrefix(source: BatchInputJson['source']): string {
  const name = 'dir' in source ? path.basename(source.dir) : 'url' in source ? path.posix.basename(source.url.replace(/\/+$/, '')) : path.basename(source.manifest).replace(/\.[^.]*$/, '');
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'batch';
}

/** 8 hex digits of a SHA-256 over the value's JSON with sorted keys (key order never changes the id). */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 8);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
