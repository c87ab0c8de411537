import os from 'node:os';
import type { Command } from 'commander';
import type { TemporalSession } from '../client/session';
import type { TemporalServer } from '../temporal/dev-server';
import { action, CliError, integerArg, interruptSignal, jsonOption, note, printJson, printLine, type CliCommand, type JsonOption } from './command';
import type { InProcessWorker } from './in-process-worker';

interface ReviewOptions extends JsonOption {
  reviewer?: string;
  host: string;
  port: number;
  serve: boolean;
  worker: boolean;
  close?: boolean;
  force?: boolean;
}

/**
 * `docbatch review <batch>`: opens the review of an ended batch (the workflow `<batch id>-review`),
 * or attaches to the open one, and serves the review page until Ctrl-C. `--no-serve` only opens it
 * and prints its counts; `--close` ends it.
 */
export const reviewCommand: CliCommand = {
  register(program: Command) {
    jsonOption(
      program
        .command('review <batchId>')
        .description('review the documents of an ended batch that failed a check or failed: serves the review page and prints its URL')
        .option('--reviewer <name>', 'who decides from this page (recorded with each decision)', defaultReviewer())
        .option('--host <host>', 'address the page listens on (0.0.0.0 for other machines)', '127.0.0.1')
        .option('--port <port>', 'port of the page (0: any free one)', integerArg('port', 0, 65535), 0)
        .option('--no-serve', 'open the review and print its counts, without the page')
        .option('--no-worker', 'do not run a worker in this process (workers elsewhere poll the task queue)')
        .option('--close', 'close the review: its outcome stays in results.reviewed.jsonl')
        .option('--force', 'with --close: close although documents are still pending'),
    ).action(action((batchId: string, options: ReviewOptions) => review(batchId, options)));
  },
};

function defaultReviewer(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return os.hostname();
  }
}

async function review(batchId: string, options: ReviewOptions): Promise<number> {
  const [{ openSession }, { ensureTemporalServer }, { cliError }, reviewClient, { formatReviewCounts }] = await Promise.all([
    import('../client/session'),
    import('../temporal/dev-server'),
    import('./errors'),
    import('../client/batch-review'),
    import('../batch/review-queue'),
  ]);
  const interrupt = interruptSignal();
  let server: TemporalServer | undefined;
  let session: TemporalSession | undefined;
  let worker: InProcessWorker | undefined;
  let page: { url: string; close(): Promise<void> } | undefined;
  try {
    server = await ensureTemporalServer({ log: note }).catch((error: unknown) => {
      throw new CliError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
    });
    session = await openSession({ settings: server.connection, uiUrl: server.uiUrl });
    if (options.worker) worker = await (await import('./in-process-worker')).startInProcessWorker(server);

    if (options.close) {
      const counts = await reviewClient.closeReview(session.client, batchId, { by: options.reviewer ?? defaultReviewer(), ...(options.force ? { force: true } : {}) });
      if (options.json) printJson(counts);
      else printLine(`closed the review of batch ${batchId}: ${formatReviewCounts(counts)}`);
      return 0;
    }

    let { view, started } = await reviewClient.openBatchReview(session.client, batchId, { taskQueue: session.taskQueue });
    if (view.state === 'waiting') {
      // Opened by --review on run or start: it opens when the batch ends.
      if (!options.serve) {
        if (options.json) printJson(view);
        else printLine(`the review of batch ${batchId} opens when the batch ends (\`docbatch watch ${batchId}\`)`);
        return 0;
      }
      note(`the review of batch ${batchId} opens when the batch ends: waiting (Ctrl-C to stop)`);
      while (view.state === 'waiting' && !interrupt.signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        view = await reviewClient.waitForReview(session.client.workflow.getHandle(`${batchId}-review`), batchId);
      }
      if (interrupt.signal.aborted) return 130;
      started = true;
    }
    const reviewUrl = session.batchUrl(`${batchId}-review`);
    if (!options.serve) {
      if (options.json) printJson(view);
      else printLine(`${started ? 'opened' : 'open'}: the review of batch ${batchId}: ${formatReviewCounts(view.counts)}\nWeb UI: ${reviewUrl}`);
      return 0;
    }
    const { startReviewPage } = await import('../review/page-server');
    page = await startReviewPage({ client: session.client, batchId, reviewer: options.reviewer ?? defaultReviewer(), host: options.host, port: options.port });
    if (options.json) printJson({ url: page.url, batchId, reviewWorkflowId: `${batchId}-review`, counts: view.counts });
    else {
      printLine(page.url);
      note(`${started ? 'opened' : 'attached to'} the review of batch ${batchId}: ${formatReviewCounts(view.counts)}`);
      note(`review page: ${page.url} (Ctrl-C stops the page; the review stays open in Temporal)\nWeb UI: ${reviewUrl}`);
    }
    await new Promise<void>((resolve) => {
      if (interrupt.signal.aborted) resolve();
      interrupt.signal.addEventListener('abort', () => resolve(), { once: true });
      void worker?.crashed.then(() => resolve());
    });
    return 0;
  } catch (error) {
    throw cliError(error, { batchId, action: 'review', ...(server ? { address: server.address, namespace: server.namespace } : {}) });
  } finally {
    interrupt.dispose();
    await page?.close();
    await worker?.stop();
    await session?.close().catch(() => {});
    if (server?.started) await server.stop();
  }
}
