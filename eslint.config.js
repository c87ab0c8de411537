// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noIo = { group: ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads'], message: 'Workflow and contract code must not do I/O.' };

export default tseslint.config(
  { ignores: ['node_modules', '.docbatch', 'output', 'bench/results', 'coverage', 'dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // `async` on a method with no await is how a Promise-returning interface (formats, extractors, activities) is kept: a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any` by design.
    files: ['test/**/*.test.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // Plain JavaScript (this file, bin/) has no types to check against.
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The bin scripts run in Node.
    files: ['bin/*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    // CommonJS modules Temporal loads by path with require() (src/encryption/failure-converter.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: it imports the batch contract and the SDK, nothing else.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            noIo,
            { regex: '^\\.\\./(?!batch/)', message: 'Workflows import only src/batch/ (the shared contract) and their own modules.' },
            { regex: '^(?!\\.|@temporalio/workflow$)', allowTypeImports: true, message: 'Workflows import only src/batch/ and @temporalio/workflow (types from elsewhere are fine).' },
          ],
        },
      ],
    },
  },
  {
    // The batch contract is bundled into the workflow: pure data and arithmetic, and never workflow code.
    files: ['src/batch/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noIo,
            {
              regex: '^\\.\\./(?!extraction/(usage|pricing|schemas)$)',
              message: 'src/batch/ imports only pure modules (extraction/usage, extraction/pricing, the schema registry).',
            },
          ],
        },
      ],
    },
  },
  {
    // Everything else shares the contract in src/batch/, never workflow code (src/worker.ts points the SDK at its path).
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/workflows/**', 'src/batch/**', 'test/chunk-queue.test.ts', 'test/batch-input.test.ts', 'test/replay*.test.ts', 'test/replay/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '/workflows(/|$)', message: 'Import the batch contract (src/batch/), not workflow code.' }] }],
    },
  },
);
