import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { action, jsonOption, note, type CliCommand, type JsonOption } from './command';

/** `docbatch report <id>`: the summary of an ended batch and where its files are (`--open`: report.html in a browser). */
export const reportCommand: CliCommand = {
  register(program: Command) {
    jsonOption(
      program
        .command('report <batchId>')
        .description('the summary of a finished batch and where its files are, report.html among them')
        .option('--open', 'open report.html in the default browser (xdg-open / open)'),
    ).action(
      action(async (batchId: string, options: JsonOption & { open?: boolean }) => {
        const [{ withSession }, { fetchBatchReport }, { printOutcome }] = await Promise.all([import('./session'), import('../client/batch-report'), import('./follow')]);
        return withSession({ batchId }, async (session) => {
          const outcome = await fetchBatchReport(session.client, batchId);
          const code = printOutcome(session, outcome, options.json === true);
          const page = outcome.summary?.files.reportHtml;
          if (options.open) {
            if (page === undefined || !existsSync(page)) note(`batch ${batchId} has no report.html${page ? ` at ${page}` : ''} to open`);
            else openInBrowser(page);
          }
          return code;
        });
      }),
    );
  },
};

/** The desktop's opener (xdg-open on Linux, open on macOS, start on Windows), detached; a missing one is a note, not a failure. */
function openInBrowser(file: string): void {
  const [command, ...args]: string[] =
    process.platform === 'darwin' ? ['open', file] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', file] : ['xdg-open', file];
  const child = spawn(command!, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => note(`cannot open a browser here (${command} not found): open ${file} yourself`));
  child.unref();
}
