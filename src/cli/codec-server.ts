import type { Command } from 'commander';
import { action, CliError, integerArg, note, type CliCommand } from './command';

interface CodecServerFlags {
  port: number;
  host: string;
  /** Browser origins allowed (the Web UI's); default TEMPORAL_UI_URL or the dev server's UI for TEMPORAL_ADDRESS. */
  uiOrigin?: string[];
}

/** `docbatch codec-server`: decodes (and encodes) encrypted payloads for the Web UI and the temporal CLI, until Ctrl-C. */
export const codecServerCommand: CliCommand = {
  register(program: Command) {
    program
      .command('codec-server')
      .description('decode (and encode) encrypted payloads for the Web UI and the temporal CLI (--codec-endpoint) until Ctrl-C')
      .option('--port <port>', 'port (default 8888; 0 for a free one)', integerArg('--port', 0, 65535), 8888)
      .option('--host <host>', 'interface to listen on', '127.0.0.1')
      .option('--ui-origin <url...>', 'Web UI origins allowed to call it (default: TEMPORAL_UI_URL or the dev server UI of TEMPORAL_ADDRESS; * for any)')
      .action(action(runCodecServer));
  },
};

async function runCodecServer(flags: CodecServerFlags): Promise<number> {
  const { EncryptionCodec } = await import('../encryption/codec');
  const { startCodecServer } = await import('../encryption/codec-server');
  const { encryptionKeysFromEnv } = await import('../encryption/keys');
  const { ENV } = await import('../env');
  const { temporalSettingsFromEnv, webUiUrlFor } = await import('../temporal/connection');
  let keys;
  try {
    keys = encryptionKeysFromEnv();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (!keys) throw new CliError(`no key to decode with: set ${ENV.encryptionKey} (or ${ENV.encryptionKeyFile}) as the workers have it`);
  const uiOrigins = flags.uiOrigin ?? [webUiUrlFor(temporalSettingsFromEnv().address)];
  const server = await startCodecServer({ codec: new EncryptionCodec(keys), allowOrigins: uiOrigins, host: flags.host, port: flags.port });
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
