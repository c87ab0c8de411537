import { CliError } from '../client/errors';
import { EncryptionCodec } from '../encryption/codec';
import { startCodecServer } from '../encryption/codec-server';
import { encryptionKeysFromEnv } from '../encryption/keys';
import { ENV } from '../env';
import { temporalSettingsFromEnv, webUiUrlFor } from '../temporal/connection';
import { note } from './command';

export interface CodecServerCommandOptions {
  port: number;
  host: string;
  /** Browser origins allowed (the Web UI's); default TEMPORAL_UI_URL or the dev server's UI for TEMPORAL_ADDRESS. */
  uiOrigin?: string[];
}

/** `docbatch codec-server`: decodes (and encodes) encrypted payloads for the Web UI and the temporal CLI, until Ctrl-C. */
export async function codecServerCommand(options: CodecServerCommandOptions): Promise<number> {
  let keys;
  try {
    keys = encryptionKeysFromEnv();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (!keys) throw new CliError(`no key to decode with: set ${ENV.encryptionKey} (or ${ENV.encryptionKeyFile}) as the workers have it`);
  const uiOrigins = options.uiOrigin ?? [webUiUrlFor(temporalSettingsFromEnv().address)];
  const server = await startCodecServer({ codec: new EncryptionCodec(keys), allowOrigins: uiOrigins, host: options.host, port: options.port });
  note(`docbatch codec server at ${server.url} (keys ${[...keys.byId.keys()].join(', ')}; Web UI origins ${uiOrigins.join(', ')}); Ctrl-C to stop`);
  note(`  Web UI:       temporal server start-dev --ui-codec-endpoint ${server.url}, or the UI's codec server setting`);
  note(`  temporal CLI: temporal workflow show --workflow-id <batch id> --codec-endpoint ${server.url}`);
  process.stdout.write(`${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
