import { Option, type Command } from 'commander';
import type { OverlapPolicy, ScheduleControl, ScheduleDetails, ScheduleListing, ScheduledRun } from '../client/schedules';
import { addSettingsOptions, addSourceOptions, toBatchOptions, type BatchCommandOptions } from './batch-options';
import { definedOnly } from '../client/defined-only';
import { action, CliError, jsonOption, note, printJson, printLine, type CliCommand, type JsonOption } from './command';

// Kept here rather than imported from src/client/schedules, so `docbatch --help` does not load the Temporal client.
const overlapChoices = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'];

interface CreateOptions extends BatchCommandOptions {
  cron?: string;
  every?: string;
  timezone?: string;
  overlap?: OverlapPolicy;
  catchupWindow?: string;
  note?: string;
  paused?: boolean;
}

/**
 * `docbatch schedule create | list | describe | pause | unpause | trigger | backfill | delete`:
 * recurring batches as Temporal Schedules (src/client/schedules.ts), the same ones
 * `temporal schedule …` and the Web UI's Schedules page show.
 */
export const scheduleCommand: CliCommand = {
  register(program: Command) {
    const schedule = program.command('schedule').description('recurring batches as Temporal Schedules: create, list, describe, pause, unpause, trigger, backfill, delete');

    const create = schedule
      .command('create <name> [dir]')
      .description('create a schedule whose runs start a batch with these settings (add --only-new <collection> to extract only new documents each time)')
      .option('--cron <expression>', 'when to run, as a cron expression: "0 2 * * *" is every night at 02:00')
      .option('--every <duration>', 'when to run, as an interval: 6h, 30m, 1d')
      .option('--timezone <zone>', 'IANA time zone of --cron (default UTC), e.g. Europe/Berlin')
      .addOption(new Option('--overlap <policy>', 'when a run is still going at the next time: skip it (default), buffer it, or cancel/terminate the running one').choices(overlapChoices))
      .option('--catchup-window <duration>', 'runs missed while Temporal was down are still taken if due less than this long ago (default 1d)')
      .option('--note <text>', 'a note shown with the schedule')
      .option('--paused', 'create it paused');
    addSourceOptions(create);
    addSettingsOptions(create);
    create.option('--json', 'print JSON only').action(action(createSchedule));

    jsonOption(schedule.command('list').description('the schedules of the namespace: state, next run, last batch')).action(action(listSchedules));
    jsonOption(schedule.command('describe <name>').description('a schedule: when it runs, the next runs and the last runs\' outcomes (documents, failed, cost)')).action(action(describeSchedule));
    jsonOption(schedule.command('pause <name>').description('pause a schedule: no run starts until it is unpaused').option('--note <text>', 'why')).action(
      action((name: string, options: JsonOption & { note?: string }) => control(name, { action: 'pause', ...(options.note !== undefined ? { note: options.note } : {}) }, options)),
    );
    jsonOption(schedule.command('unpause <name>').description('unpause a schedule').option('--note <text>', 'why')).action(
      action((name: string, options: JsonOption & { note?: string }) => control(name, { action: 'unpause', ...(options.note !== undefined ? { note: options.note } : {}) }, options)),
    );
    jsonOption(
      schedule
        .command('trigger <name>')
        .description('start a run now (the overlap policy still applies)')
        .addOption(new Option('--overlap <policy>', 'this run\'s overlap policy').choices(overlapChoices)),
    ).action(action((name: string, options: JsonOption & { overlap?: OverlapPolicy }) => control(name, { action: 'trigger', ...(options.overlap ? { overlap: options.overlap } : {}) }, options)));
    jsonOption(
      schedule
        .command('backfill <name>')
        .description('take the runs the schedule would have taken between two times (e.g. nights it was paused)')
        .requiredOption('--start <time>', 'ISO time, e.g. 2026-12-01T00:00:00Z')
        .requiredOption('--end <time>', 'ISO time')
        .addOption(new Option('--overlap <policy>', 'overlap policy of the backfilled runs (default: buffer-all, so each runs in turn)').choices(overlapChoices)),
    ).action(
      action((name: string, options: JsonOption & { start: string; end: string; overlap?: OverlapPolicy }) =>
        control(name, { action: 'backfill', start: timeArg('--start', options.start), end: timeArg('--end', options.end), overlap: options.overlap ?? 'buffer-all' }, options),
      ),
    );
    jsonOption(schedule.command('delete <name>').description('delete a schedule (its batches and their outputs stay)')).action(action((name: string, options: JsonOption) => control(name, { action: 'delete' }, options)));
  },
};

async function createSchedule(name: string, dir: string | undefined, options: CreateOptions): Promise<number> {
  const [{ withSession }, { batchInputFromOptions }, { createBatchSchedule, describeBatchSchedule }] = await Promise.all([
    import('./session'),
    import('../client/batch-input'),
    import('../client/schedules'),
  ]);
  const { json: inputJson, input } = await batchInputFromOptions(toBatchOptions(dir, options));
  return withSession({ action: `create schedule ${name}` }, async (session) => {
    await createBatchSchedule(session.client, {
      name,
      json: inputJson,
      input,
      taskQueue: session.taskQueue,
      ...definedOnly({ cron: options.cron, every: options.every, timezone: options.timezone, overlap: options.overlap, catchupWindow: options.catchupWindow, note: options.note }),
      paused: options.paused === true,
    });
    const details = await describeBatchSchedule(session.client, name);
    if (options.json) {
      printJson(details);
      return 0;
    }
    printLine(name);
    note(`created schedule ${name}: ${whenLine(details)}; each run starts batch ${name}-<scheduled time> on task queue ${session.taskQueue} (workers: docbatch worker)`);
    if (details.nextRuns.length > 0) note(`next runs: ${details.nextRuns.slice(0, 3).map(iso).join(', ')}`);
    if (input.sink !== undefined) note(`workers write rows to ${input.sink}: give them DOCBATCH_DATABASE_URL (or PGPASSWORD) with the password`);
    return 0;
  });
}

async function listSchedules(options: JsonOption): Promise<number> {
  const [{ withSession }, { listBatchSchedules }] = await Promise.all([import('./session'), import('../client/schedules')]);
  return withSession({ action: 'list schedules' }, async (session) => {
    const schedules = await listBatchSchedules(session.client);
    if (options.json) {
      printJson(schedules);
      return 0;
    }
    if (schedules.length === 0) note('no schedules: `docbatch schedule create <name> <dir> --cron "0 2 * * *"` makes one');
    for (const schedule of schedules) printLine(listingLine(schedule));
    return 0;
  });
}

async function describeSchedule(name: string, options: JsonOption): Promise<number> {
  const [{ withSession }, { describeBatchSchedule }] = await Promise.all([import('./session'), import('../client/schedules')]);
  return withSession({ action: `describe schedule ${name}` }, async (session) => {
    const details = await describeBatchSchedule(session.client, name);
    if (options.json) {
      printJson(details);
      return 0;
    }
    for (const line of describeLines(details)) printLine(line);
    return 0;
  });
}

const done: Record<ScheduleControl['action'], string> = {
  pause: 'paused',
  unpause: 'unpaused',
  trigger: 'triggered',
  backfill: 'backfilled',
  delete: 'deleted',
};

async function control(name: string, request: ScheduleControl, options: JsonOption): Promise<number> {
  const [{ withSession }, { controlBatchSchedule }] = await Promise.all([import('./session'), import('../client/schedules')]);
  return withSession({ action: `${request.action} schedule ${name}` }, async (session) => {
    await controlBatchSchedule(session.client, name, request);
    if (options.json) printJson({ name, action: request.action });
    else printLine(`${done[request.action]} schedule ${name}`);
    return 0;
  });
}

export function whenLine(details: Pick<ScheduleDetails, 'spec' | 'overlap' | 'catchupWindowMs' | 'paused'>): string {
  const when = [...details.spec.cron.map((cron) => `cron ${cron}`), ...details.spec.every.map((every) => `every ${humanMs(Number.parseInt(every, 10))}`)].join(', ');
  return `${when}${details.spec.timezone ? ` (${details.spec.timezone})` : ''} · overlap ${details.overlap.toLowerCase().replace(/_/g, '-')} · catch-up ${humanMs(details.catchupWindowMs)}${details.paused ? ' · PAUSED' : ''}`;
}

export function describeLines(details: ScheduleDetails): string[] {
  const what = details.docbatch
    ? `${details.docbatch.schema} from ${details.docbatch.source}${details.docbatch.onlyNew ? ` · only new documents of collection ${details.docbatch.collection}` : ''}${details.docbatch.sink ? ` · rows into ${details.docbatch.sink}` : ''}`
    : 'not a docbatch schedule';
  return [
    `schedule ${details.name}: ${whenLine(details)}`,
    `extracts: ${what}`,
    ...(details.note ? [`note: ${details.note}`] : []),
    `next runs: ${details.nextRuns.length > 0 ? details.nextRuns.slice(0, 5).map(iso).join(', ') : 'none'}`,
    `runs taken: ${details.runsTaken} (skipped for overlap: ${details.overlapSkipped}, missed the catch-up window: ${details.missedCatchupWindow})`,
    ...(details.recentRuns.length > 0 ? ['last runs:', ...details.recentRuns.map((run) => `  ${runLine(run)}`)] : ['last runs: none yet']),
  ];
}

export function runLine(run: ScheduledRun): string {
  const status = (run.status ?? 'gone').toLowerCase();
  if (run.documents === null) return `${run.batchId}  ${status}`;
  const novelty = run.collection?.new !== undefined ? ` · ${run.collection.new} new, ${run.collection.changed ?? 0} changed, ${run.collection.known ?? 0} known` : '';
  return `${run.batchId}  ${status}  ${run.documents} documents, ${run.failed} failed${novelty} · $${(run.costUsd ?? 0).toFixed(4)}`;
}

function listingLine(schedule: ScheduleListing): string {
  const what = schedule.docbatch ? `${schedule.docbatch.schema} from ${schedule.docbatch.source}${schedule.docbatch.onlyNew ? ' (only new)' : ''}` : '(not docbatch)';
  const next = schedule.paused ? 'paused' : schedule.nextRuns[0] ? `next ${iso(schedule.nextRuns[0])}` : 'no next run';
  const last = schedule.lastRun ? ` · last ${schedule.lastRun.batchId}` : '';
  return `${schedule.name}  ${what}  ${next}${last}`;
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

function humanMs(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function timeArg(flag: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`${flag} ${value} is not a time: give an ISO time like 2026-12-01T00:00:00Z`);
  return date;
}
