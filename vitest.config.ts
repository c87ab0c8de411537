import { defineConfig } from 'vitest/config';

/**
 * Test files that need no shared Temporal dev server: pure logic, the recorded-history replay, and
 * the fast workflow tests (which start their own TestWorkflowEnvironment). Every other file is an
 * integration test and gets the run's dev server from test/global-setup.ts, so a new test file
 * that needs a server works without being listed anywhere.
 */
const unitTests = [
  'test/anthropic-extractor.test.ts',
  'test/api-errors.test.ts',
  'test/batch-cause.test.ts',
  'test/batch-input.test.ts',
  'test/bench-phases.test.ts',
  'test/bench-ratelimit-measure.test.ts',
  'test/chunk-attempt.test.ts',
  'test/chunk-queue.test.ts',
  'test/chunk-size.test.ts',
  'test/cluster-config.test.ts',
  'test/collection-ledger.test.ts',
  'test/compose.test.ts',
  'test/document-loading.test.ts',
  'test/document-slots.test.ts',
  'test/emulator.test.ts',
  'test/emulator-batches.test.ts',
  'test/encryption-codec.test.ts',
  'test/ensure-chromium.test.ts',
  'test/extraction-local.test.ts',
  'test/invoice-fields.test.ts',
  'test/local-corpus.test.ts',
  'test/local-receipts.test.ts',
  'test/receipt-corpus.test.ts',
  'test/local-languages.test.ts',
  'test/message-batch-progress.test.ts',
  'test/printed-einvoice-layouts.test.ts',
  'test/progress-math.test.ts',
  'test/progress-view.test.ts',
  'test/report-chunk.test.ts',
  'test/report-mode.test.ts',
  'test/sink-table-layout.test.ts',
  'test/source-walk.test.ts',
  'test/replay*.test.ts',
  'test/review-queue.test.ts',
  'test/workflow-*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // .ci/run reads the JSON report of the whole run (both projects) for its `N passed, N failed` line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unitTests,
          // Runs before the integration files, two files at a time (vitest's default on 2 cores is one).
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // test/cluster/ runs on the real cluster, as root: `npm run test:cluster` (vitest.cluster.config.ts).
          exclude: [...unitTests, 'test/cluster/**'],
          globalSetup: ['test/global-setup.ts'],
          // Integration tests share one real dev server and a 2-core machine: run files one at a time.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
