import { Command } from 'commander';
import { packageVersion } from '../package-layout';
import { commands } from './commands';

/** The `docbatch` command: every subcommand sets its exit code; an error ends as one line on stderr. */
function buildProgram(): Command {
  const program = new Command('docbatch')
    .description('Durable batch extraction of structured data from documents, on Temporal')
    .version(packageVersion(), '-V, --version', 'print the docbatch version')
    .configureHelp({ sortSubcommands: false });
  for (const command of commands) command.register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Loaded only on failure: it knows Temporal's errors, and `docbatch --help` should not load the client.
    const failure = (await import('./errors')).cliError(error);
    process.stderr.write(`error: ${failure.message}\n`);
    return failure.exitCode;
  }
}

// Exit explicitly: a closed client can leave timers behind that would keep a finished command alive.
process.exit(await main(process.argv));
