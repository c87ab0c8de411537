import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the chaos test on a real cluster (test/cluster/). It brings the cluster
 * up itself with `npm run cluster -- up` (root: network namespaces), so it is a run of its own,
 * after `npm test` in .ci/run, with its own JSON report.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 3 * 60 * 60_000,
    hookTimeout: 60 * 60_000,
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest-cluster.json' },
  },
});
