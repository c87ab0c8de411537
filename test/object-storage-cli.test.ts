import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { testClient, uniqueId } from './helpers/batch';
import { testBucketUrl, testObjectStore } from './helpers/object-store';
import { runDocbatch as docbatch } from './helpers/cli';

async function expectNoBatch(batchId: string): Promise<void> {
  const client = await testClient();
  await expect(client.workflow.getHandle(batchId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

/** `docbatch start` against a bucket it cannot use: one line naming the bucket and the fix, before any workflow exists. */
describe('docbatch and a bucket it cannot use', () => {
  const env = { ...process.env, ...testObjectStore().env };

  it('refused credentials: one line naming the bucket and what to check, and no batch', async () => {
    const batchId = uniqueId('s3-denied');
    const { code, stderr } = await docbatch(['start', testBucketUrl('denied'), '--id', batchId, '--extractor', 'local'], { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(code).not.toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/docbatch-test/);
    expect(lines[0]).toMatch(/AWS_ACCESS_KEY_ID/);
    expect(stderr).not.toContain('not-the-secret');
    await expectNoBatch(batchId);
  }, 60_000);

  it('a missing bucket, as source or as output: one line naming it, and no batch', async () => {
    const missingSource = uniqueId('s3-missing');
    const source = await docbatch(['start', 's3://no-such-bucket-docbatch/inbox/', '--id', missingSource, '--extractor', 'local'], env);
    expect(source.code).not.toBe(0);
    expect(source.stderr.trim().split('\n')).toHaveLength(1);
    expect(source.stderr).toMatch(/bucket no-such-bucket-docbatch does not exist/);
    await expectNoBatch(missingSource);

    const missingOutput = uniqueId('s3-missing-out');
    const output = await docbatch(['start', 'samples/invoices', '--output', 's3://no-such-output-docbatch/results', '--id', missingOutput, '--extractor', 'local'], env);
    expect(output.code).not.toBe(0);
    expect(output.stderr).toMatch(/output s3:\/\/no-such-output-docbatch\/results: bucket no-such-output-docbatch does not exist/);
    await expectNoBatch(missingOutput);
  }, 60_000);
});
