/**
 * Dynamic config docbatch needs on the Temporal server for task-queue priority, in one place: the
 * dev server gets each as `--dynamic-config-value key=value`; docker-compose's
 * deploy/temporal/dynamicconfig.yaml repeats them (test/compose.test.ts checks that).
 *
 * - `matching.useNewMatcher`: the priority-aware matcher, which dispatches a task queue's backlog by
 *   `priorityKey` (1 first … 5 last, default 3). The classic matcher stores priorityKey but
 *   dispatches FIFO. Server 1.32 (CLI 1.9.1) turns it on by default; older servers (a `temporal`
 *   found on PATH may embed one) do not, so it is set explicitly.
 * - `matching.numTaskqueueRead/WritePartitions` = 1: priority orders tasks within one partition. With
 *   the default 4 partitions a poll can be answered from a partition holding only low-priority
 *   tasks while an urgent task waits in another, so a raised priority only mostly wins. One
 *   partition is plenty for docbatch's rate (a task per chunk, not per document).
 *
 * Not needed: `matching.enableFairness` (fairness keys, which docbatch does not use) and
 * `matching.enableMigration` (moving an existing backlog between matchers).
 */
export const priorityDynamicConfig = {
  'matching.useNewMatcher': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
} as const;

/** `--dynamic-config-value` arguments for `temporal server start-dev`. */
export function dynamicConfigArgs(config: Record<string, unknown> = priorityDynamicConfig): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}
