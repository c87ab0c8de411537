import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startObjectStoreServer } from '../src/storage/versitygw';

const execFileAsync = promisify(execFile);
const BUCKET = 'bench';

export interface BenchObjectStore {
  /** The bench's documents of one size as objects under `s3://bench/n<size>`, and an output prefix for a case. */
  source(size: number, dir: string): Promise<{ sourceUrl: string; outputUrl: string; env: Record<string, string> }>;
  stop(): Promise<void>;
}

/**
 * A versitygw (a real S3 server over a folder) for the scale bench, its data kept beside the
 * generated documents. The documents become objects by hard links into the bucket's folder, not
 * by upload: 1,000,000 PUTs would take longer than the bench. Such objects have no stored ETag, so
 * the bench reads them without the If-Match of uploaded ones (test/object-storage-batch.test.ts
 * covers that path); listing, reading and every batch file go through the server as for any object.
 */
export async function benchObjectStore(docsDir: string, log: (message: string) => void): Promise<BenchObjectStore> {
  const dataDir = path.join(docsDir, 's3');
  const server = await startObjectStoreServer({ dataDir, log });
  await server.createBucket(BUCKET);
  let outputs = 0;
  return {
    async source(size, dir) {
      const prefix = `n${size}`;
      const target = path.join(dataDir, 'buckets', BUCKET, prefix);
      if (!existsSync(`${target}.ready`)) {
        log(`object store: ${size.toLocaleString('en')} documents into s3://${BUCKET}/${prefix} (hard links) …`);
        await mkdir(path.dirname(target), { recursive: true });
        await execFileAsync('cp', ['-al', dir, target]);
        await writeFile(`${target}.ready`, '');
      }
      return { sourceUrl: `s3://${BUCKET}/${prefix}`, outputUrl: `s3://${BUCKET}/out-${Date.now()}-${outputs++}`, env: server.env };
    },
    stop: () => server.stop(),
  };
}
