#!/usr/bin/env node
// An installed package runs its build (dist/, made by `npm run build` when it is packed): nothing is
// compiled at start. A clone runs its TypeScript sources through tsx, so an edit needs no build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { followParent, needsHeapCap, relaunchWithHeapCap } from './heap.js';

if (needsHeapCap()) {
  relaunchWithHeapCap(fileURLToPath(import.meta.url));
} else {
  followParent();
  await runCli();
}

async function runCli() {
  if (existsSync(fileURLToPath(import.meta.resolve('../src/cli/main.ts')))) {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/cli/main.ts');
  } else {
    await import('../dist/cli.js');
  }
}
