/**
 * Dynamic config docbatch needs on the Temporal server, in one place: the dev server gets each as
 * `--dynamic-config-value key=value`, docker-compose's deploy/temporal/dynamicconfig.yaml repeats
 * them (test/compose.test.ts checks that).
 *
 * `matching.useNewMatcher` turns on the priority-aware task matcher, which dispatches backlogged
 * tasks by their `priorityKey` (1 highest … 5 lowest, default 3). With the classic matcher
 * priorityKey is stored but ignored, and chunks are dispatched FIFO. Fairness
 * (`matching.enableFairness`) and backlog migration (`matching.enableMigration`) are not needed:
 * docbatch uses priority keys, not fairness keys, and starts on a fresh task queue.
 */
export const priorityDynamicConfig = {
  'matching.useNewMatcher': true,
} as const;

/** `--dynamic-config-value` arguments for `temporal server start-dev`. */
export function dynamicConfigArgs(config: Record<string, unknown> = priorityDynamicConfig): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}
