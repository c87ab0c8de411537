import type { Command } from 'commander';
import { action, integerArg, jsonOption, type CliCommand } from './command';

interface ServerOptions {
  port?: number;
  uiPort?: number;
  dbFile?: string;
  headless?: boolean;
}

/** `docbatch server`: the embedded Temporal dev server (with the Web UI) in the foreground. */
export const serverCommand: CliCommand = {
  register(program: Command) {
    jsonOption(
      program
        .command('server')
        .description('run the embedded Temporal dev server (with the Web UI) in the foreground')
        .option('--port <port>', 'gRPC port (default 7233)', integerArg('--port', 1, 65535))
        .option('--ui-port <port>', 'Web UI port (default 8233)', integerArg('--ui-port', 1, 65535))
        .option('--db-file <file>', 'SQLite file of the dev server (default .docbatch/temporal.db)')
        .option('--headless', 'no Web UI'),
    ).action(
      action(async (options: ServerOptions) => {
        const [{ runServerForeground }, { definedOnly }] = await Promise.all([import('../temporal/dev-server'), import('../client/defined-only')]);
        await runServerForeground(definedOnly({ port: options.port, uiPort: options.uiPort, dbFile: options.dbFile, headless: options.headless }));
        return 0;
      }),
    );
  },
};
