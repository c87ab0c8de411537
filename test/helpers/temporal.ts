import { inject } from 'vitest';
import type { TestTemporal } from '../global-setup';

export type { TestTemporal };

/**
 * The run's shared Temporal dev server (started once by test/global-setup.ts): its gRPC address,
 * namespace, Web UI URL and the `temporal` CLI binary that runs it.
 */
export function testTemporal(): TestTemporal {
  const temporal = inject('temporal');
  if (!temporal) throw new Error('no Temporal dev server: run the tests with vitest, whose globalSetup (test/global-setup.ts) starts it');
  return temporal;
}
