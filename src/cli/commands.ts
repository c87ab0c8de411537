import { codecServerCommand } from './codec-server';
import type { CliCommand } from './command';
import { controlCommands } from './controls';
import { emulatorCommand } from './emulator';
import { listCommand } from './list';
import { redriveCommand } from './redrive';
import { reportCommand } from './report';
import { reviewCommand } from './review';
import { runCommand } from './run';
import { scheduleCommand } from './schedule';
import { serverCommand } from './server';
import { startCommand } from './start';
import { statusCommand } from './status';
import { watchCommand } from './watch';
import { workerCommand } from './worker';

/** Every `docbatch` command, in the order `--help` lists them. A new command is a module and a line here. */
export const commands: CliCommand[] = [
  runCommand,
  startCommand,
  watchCommand,
  statusCommand,
  controlCommands,
  listCommand,
  reportCommand,
  reviewCommand,
  redriveCommand,
  scheduleCommand,
  workerCommand,
  serverCommand,
  emulatorCommand,
  codecServerCommand,
];
