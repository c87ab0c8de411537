import { ApplicationFailure, log, setHandler, type SignalDefinition } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { failureTypes } from '../batch/failures';
import type { Progress } from '../batch/progress';
import { schemaIssues } from '../batch/issues';

/** One control of a running batch (pause, resume, cancel, setPriority, prioritize). */
export interface Control<S extends z.ZodType> {
  signal: SignalDefinition<unknown[]>;
  update: UpdateDefinition<Progress, [unknown]>;
  args: S;
  /** Why the batch refuses the control right now, or null when it accepts it. */
  refusal(args: z.infer<S>): string | null;
  apply(args: z.infer<S>): void | Promise<void>;
}

/**
 * Registers a control as a signal (fire and forget: a refused or malformed one is logged and
 * ignored, never breaks the batch) and as an update of the same name (refused before it reaches
 * history; returns the new progress). Both handlers return their promise, so a workflow waiting
 * on `allHandlersFinished` waits for a control still at work (a prioritize locating documents).
 */
export function registerControl<S extends z.ZodType>(control: Control<S>, progress: () => Progress): void {
  const name = control.signal.name;
  setHandler(control.signal, async (raw: unknown) => {
    const parsed = control.args.safeParse(raw);
    if (!parsed.success) {
      log.warn(`ignoring ${name} signal with an invalid payload`, { problems: schemaIssues(parsed.error, '(payload)') });
      return;
    }
    const refused = control.refusal(parsed.data);
    if (refused !== null) {
      log.warn(`ignoring ${name} signal: ${refused}`);
      return;
    }
    try {
      await control.apply(parsed.data);
    } catch (error) {
      log.warn(`${name} signal ignored: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  setHandler(
    control.update,
    async (raw: unknown) => {
      await control.apply(updateArgs(control.args, raw));
      return progress();
    },
    {
      validator: (raw: unknown) => {
        const refused = control.refusal(updateArgs(control.args, raw));
        if (refused !== null) throw rejectUpdate(refused);
      },
    },
  );
}

export function rejectUpdate(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: failureTypes.rejectedUpdate, message, nonRetryable: true });
}

/** The arguments of an update, or a rejection listing what is wrong with them. */
function updateArgs<S extends z.ZodType>(schema: S, args: unknown): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  throw rejectUpdate(schemaIssues(parsed.error, '(arguments)').join('; '));
}
