import { openSession, type SessionOptions, type TemporalSession } from '../client/session';
import type { CommandContext } from './command';
import { cliError } from './errors';

/**
 * Runs `fn` with a connected session and closes it after; any error becomes a CliError whose one
 * line names the batch, the server and the fix.
 */
export async function withSession<T>(context: CommandContext, fn: (session: TemporalSession) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const session = await openSession(options);
  try {
    return await fn(session);
  } catch (error) {
    throw cliError(error, { ...context, address: session.address, namespace: session.namespace });
  } finally {
    await session.close().catch(() => {});
  }
}
