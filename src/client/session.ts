import type { Client } from '@temporalio/client';
import { DEFAULTS, readEnv } from '../env';
import { connectClient, portAnswers, temporalSettingsFromEnv, webUiUrlFor, workflowUiUrl, type TemporalSettings } from '../temporal/connection';
import { TemporalUnreachableError } from './errors';

/** A connected client and what the CLI needs to talk about it: address, namespace, Web UI, task queue. */
export interface TemporalSession {
  client: Client;
  address: string;
  namespace: string;
  uiUrl: string;
  taskQueue: string;
  /** The Web UI page of one batch. */
  batchUrl(batchId: string): string;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Defaults to TEMPORAL_ADDRESS, then localhost:7233. */
  address?: string;
  namespace?: string;
  /** Defaults to the dev server convention for the address (or TEMPORAL_UI_URL). */
  uiUrl?: string;
  /** A server already found (ensureTemporalServer): reached exactly so, env notwithstanding. */
  settings?: TemporalSettings;
}

/** Connects to Temporal from env (or the given server); an unreachable server is a TemporalUnreachableError. */
export async function openSession(options: SessionOptions = {}): Promise<TemporalSession> {
  const settings = options.settings ?? {
    ...temporalSettingsFromEnv(),
    ...(options.address !== undefined ? { address: options.address } : {}),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  };
  // A refused port fails at once here, rather than after the gRPC client's connect timeout; a
  // server ensureTemporalServer found has just answered, so it is not probed again.
  if (options.settings === undefined && !(await portAnswers(settings.address))) throw new TemporalUnreachableError(settings.address);
  let client: Client;
  try {
    client = await connectClient(settings);
  } catch {
    throw new TemporalUnreachableError(settings.address);
  }
  const uiUrl = options.uiUrl || webUiUrlFor(settings.address);
  return {
    client,
    address: settings.address,
    namespace: settings.namespace,
    uiUrl,
    taskQueue: readEnv('taskQueue') ?? DEFAULTS.taskQueue,
    batchUrl: (batchId) => workflowUiUrl(uiUrl, settings.namespace, batchId),
    close: () => client.connection.close(),
  };
}
