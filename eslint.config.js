// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', '.docbatch', 'output', 'bench/results', 'coverage', 'bin'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // CommonJS modules Temporal loads by path with require() (src/encryption/failure-converter.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no clocks, no randomness.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'Workflow code must not do I/O.' },
            // Pure data modules (zod schemas, usage arithmetic) are fine; anything that loads documents or calls APIs is not.
            { group: ['../activities/*/**', '../extraction/**', '!../extraction/usage', '!../extraction/pricing', '!../extraction/schemas', '!../extraction/schemas/*', '../cli/**', '../temporal/**', '../store/*', '!../store/summary'], message: 'Workflows import only workflow-safe modules.' },
          ],
        },
      ],
    },
  },
);
