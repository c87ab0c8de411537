import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { TestObjectStore } from '../global-setup';

/** The run's S3-compatible server (test/global-setup.ts) and its bucket. */
export function testObjectStore(): TestObjectStore {
  const store = inject('objectStore');
  if (!store) throw new Error('no object store: run the tests with vitest, whose globalSetup (test/global-setup.ts) starts it');
  return store;
}

/** A fresh `s3://docbatch-test/<name>-<random>` prefix, so test files never see each other's objects. */
export function testBucketUrl(name: string): string {
  return `s3://${testObjectStore().bucket}/${name}-${randomUUID().slice(0, 8)}`;
}
