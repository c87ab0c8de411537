import { causeExitCodes } from '../client/batch-cause';
import { DocbatchError, SchemaUnusableError } from '../client/errors';
import { describeError } from '../client/describe-error';
import { temporalSettingsFromEnv } from '../temporal/connection';
import { CliError, type CommandContext } from './command';

/**
 * Turns what a command threw into the line the person reads and the exit code: a CliError as it
 * is; a typed error of src/client (DocbatchError: problem and fix) with its message and exit 1; a
 * Temporal error described with the server, the namespace and the batch it was about.
 */
export function cliError(error: unknown, context: CommandContext & { address?: string; namespace?: string } = {}): CliError {
  if (error instanceof CliError) return error;
  // A schema the batch's extractor cannot fill exits as planning's refusal would (docs/cli.md, exit codes).
  if (error instanceof SchemaUnusableError) return new CliError(error.message, causeExitCodes.refused);
  if (error instanceof DocbatchError) return new CliError(error.message, 1);
  const settings = temporalSettingsFromEnv();
  return new CliError(
    describeError(error, {
      address: context.address ?? settings.address,
      namespace: context.namespace ?? settings.namespace,
      ...(context.batchId !== undefined ? { batchId: context.batchId } : {}),
      ...(context.action !== undefined ? { action: context.action } : {}),
    }),
  );
}
