import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { failureTypes } from '../batch/failures';
import { readEnv } from '../env';
import type { LoadedSchema } from '../extraction/schemas';
import type { ResultSink, SunkDocument } from './sink';
import { fieldValue, quoteIdentifier, sqlType, tableLayout, type SinkColumn, type TableLayout } from './table-layout';

/**
 * Results into PostgreSQL: tables created and migrated by docbatch (table-layout.ts), one current
 * row per (collection, document) and one history row per (collection, document, batch), written
 * with INSERT … ON CONFLICT so any number of repeats leaves the same rows.
 *
 * The batch input names the database by a URL without its password (it is in the workflow's
 * history); each worker adds the password from its own DOCBATCH_DATABASE_URL, else libpq's
 * PGPASSWORD or ~/.pgpass, which node-postgres reads.
 */

/** Failure type of a database that cannot be reached: the chunk retries (and pauses the batch once its retries run out). */
export const SINK_UNAVAILABLE = 'SinkUnavailable';

/** The sink's database, refused or unreachable, in one line that names the host and the fix. */
export class SinkConnectionError extends Error {
  override readonly name = 'SinkConnectionError';
  constructor(
    message: string,
    /** Retrying can help (the server is down or restarting), as opposed to a refused login or a missing database. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** A table whose column no longer fits the schema: the migration it needs, never applied by docbatch. */
export class SinkMigrationError extends Error {
  override readonly name = 'SinkMigrationError';
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL without its password (what goes into the batch input), and whether it had one. */
export function redactSinkUrl(url: string): { reference: string; hadPassword: boolean } {
  const parsed = new URL(url);
  const hadPassword = parsed.password !== '';
  parsed.password = '';
  return { reference: parsed.toString(), hadPassword };
}

/** host:port/database of a URL, for messages. */
export function sinkLabel(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/**
 * The connection string a worker uses for a reference: DOCBATCH_DATABASE_URL when it names the
 * same server, database and user (its password comes along), else the reference as it is.
 */
export function connectionStringFor(reference: string, env: Record<string, string | undefined> = process.env): string {
  const fromEnv = readEnv('databaseUrl', env);
  if (fromEnv === undefined) return reference;
  try {
    const a = new URL(reference);
    const b = new URL(fromEnv);
    const same = a.hostname === b.hostname && (a.port || '5432') === (b.port || '5432') && a.pathname === b.pathname && (a.username === '' || a.username === b.username);
    return same ? fromEnv : reference;
  } catch {
    return reference;
  }
}

/** Why a connection failed, in one line naming the host and the fix. */
export function describeConnectionError(error: unknown, url: string): SinkConnectionError {
  const where = `PostgreSQL at ${sinkLabel(url)}`;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const user = decodeURIComponent(new URL(url).username) || 'the default user';
  switch (code) {
    case '28P01':
    case '28000':
      return new SinkConnectionError(
        `${where} refused the login of ${user} (${message}): put the right password in DOCBATCH_DATABASE_URL (or PGPASSWORD) on every worker and where you start the batch, then start or resume it`,
        false,
      );
    case '3D000':
      return new SinkConnectionError(`${where}: the database does not exist (${message}): create it (createdb) or fix the URL's database name`, false);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SinkConnectionError(`${where}: the host name does not resolve (${code}): fix the host in --sink or DOCBATCH_DATABASE_URL`, code === 'EAI_AGAIN');
    case 'ECONNREFUSED':
      return new SinkConnectionError(`${where} refused the connection (nothing listens there): start PostgreSQL or fix the host and port in --sink or DOCBATCH_DATABASE_URL`, true);
    default:
      return new SinkConnectionError(`${where} could not be used (${code ?? message ?? String(error)}): check that it is up and reachable from the workers`, true);
  }
}

/** Whether an error is the database being away (down, restarting, the connection cut) rather than a refusal. */
export function isUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && /^(08|57P|53)/.test(code)) return true;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(message ?? '');
}

/** Connects once and runs SELECT 1: what `run`, `start` and `schedule create` check before anything starts. */
export async function checkDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw describeConnectionError(error, url);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates the tables when missing and adds a column for each new field of the schema; a column
 * whose type no longer fits is refused with the ALTER it would need. Serialized across workers by
 * an advisory lock, so two workers migrating at once do not race.
 */
export async function migrate(pool: pg.Pool, layout: TableLayout): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`docbatch:${layout.table}`]);
    for (const [table, key] of [
      [layout.table, 'collection, document'],
      [layout.historyTable, 'collection, document, batch_id'],
    ] as const) {
      const columns = layout.columns.map((column) => `${quoteIdentifier(column.name)} ${sqlType(column.type)}${notNull(column)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table)} (${columns.join(', ')}, PRIMARY KEY (${key}))`);
      const existing = await client.query<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
        [table],
      );
      const types = new Map(existing.rows.map((row) => [row.column_name, row.data_type]));
      const changed = layout.columns.filter((column) => types.has(column.name) && types.get(column.name) !== column.type);
      if (changed.length > 0) throw new SinkMigrationError(migrationMessage(layout, table, changed, types));
      for (const column of layout.columns.filter((column) => !types.has(column.name))) {
        await client.query(`ALTER TABLE ${quoteIdentifier(table)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column.name)} ${sqlType(column.type)}`);
      }
    }
    if (layout.fieldColumns.length > 0) {
      await client.query(`CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${layout.table}_batch`)} ON ${quoteIdentifier(layout.table)} (batch_id)`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function notNull(column: SinkColumn): string {
  return ['collection', 'document', 'batch_id', 'status'].includes(column.name) ? ' NOT NULL' : '';
}

function migrationMessage(layout: TableLayout, table: string, changed: SinkColumn[], types: Map<string, string>): string {
  const what = changed.map((column) => `${column.name} is ${types.get(column.name)} but the schema "${layout.schemaName}" now makes it ${column.type}`).join('; ');
  const statements = [layout.table, layout.historyTable].flatMap((name) =>
    changed.map((column) => `ALTER TABLE ${quoteIdentifier(name)} ALTER COLUMN ${quoteIdentifier(column.name)} TYPE ${sqlType(column.type)} USING ${quoteIdentifier(column.name)}::${sqlType(column.type)};`),
  );
  return `table ${table}: ${what}. docbatch does not change a column's type: migrate it yourself (${statements.join(' ')}) or give the schema another name, then resume the batch`;
}

/** One row's values, in `layout.columns` order. */
export function rowValues(layout: TableLayout, document: SunkDocument, writtenAt: Date): unknown[] {
  const { result } = document;
  const data = result.data ?? {};
  const fixed: Record<string, unknown> = {
    collection: document.collection,
    document: result.path,
    content_sha256: document.contentSha256,
    batch_id: document.batchId,
    status: result.status,
    failure_type: result.error?.type ?? null,
    failure_reason: result.error?.message ?? null,
    needs_review: result.needsReview ?? false,
    warnings: result.warnings ?? [],
    model: result.model,
    cached: result.cached,
    attempts: result.attempts,
    input_tokens: result.usage?.inputTokens ?? 0,
    output_tokens: result.usage?.outputTokens ?? 0,
    cache_read_tokens: result.usage?.cacheReadTokens ?? 0,
    cache_write_tokens: result.usage?.cacheWriteTokens ?? 0,
    cost_usd: result.usage?.costUsd ?? 0,
    duration_ms: result.durationMs,
    finished_at: result.finishedAt !== undefined ? new Date(result.finishedAt) : null,
    written_at: writtenAt,
    result,
  };
  return layout.columns.map((column) => (column.field !== undefined ? fieldValue(column.type, data[column.field]) : fixed[column.name]));
}

/** Rows per statement: well under PostgreSQL's 65,535 parameters for any schema. */
const ROWS_PER_STATEMENT = 500;

/** The sink of one database and one schema's tables. */
export class PostgresSink implements ResultSink {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly layout: TableLayout,
    private readonly url: string,
  ) {}

  /** Connects and migrates the schema's tables. */
  static async open(url: string, schema: Pick<LoadedSchema, 'name' | 'schema'>): Promise<PostgresSink> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
    // An idle client whose server went away must not crash the worker: the next query reconnects.
    pool.on('error', () => undefined);
    const layout = tableLayout(schema);
    try {
      await migrate(pool, layout);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw asActivityFailure(error, url);
    }
    return new PostgresSink(pool, layout, url);
  }

  async write(documents: readonly SunkDocument[]): Promise<void> {
    // One row per document in a statement: ON CONFLICT may not touch a row twice in one.
    const unique = [...new Map(documents.map((document) => [`${document.collection}\u0000${document.result.path}`, document])).values()];
    try {
      for (let at = 0; at < unique.length; at += ROWS_PER_STATEMENT) await this.writeRows(unique.slice(at, at + ROWS_PER_STATEMENT));
    } catch (error) {
      throw asActivityFailure(error, this.url);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * One statement per group: the rows as one jsonb parameter (jsonb_to_recordset), upserted into
   * the current table and the history together, so a group is one round trip and all or nothing.
   */
  private async writeRows(documents: SunkDocument[]): Promise<void> {
    const writtenAt = new Date();
    const { columns, table, historyTable } = this.layout;
    const rows = documents.map((document) => {
      const values = rowValues(this.layout, document, writtenAt);
      const row: Record<string, unknown> = {};
      // Absent keys are SQL NULLs.
      columns.forEach((column, i) => {
        if (values[i] !== null && values[i] !== undefined) row[column.name] = values[i];
      });
      return row;
    });
    const names = columns.map((column) => quoteIdentifier(column.name)).join(', ');
    const definitions = columns.map((column) => `${quoteIdentifier(column.name)} ${sqlType(column.type)}`).join(', ');
    const updates = (keys: string[]) =>
      columns
        .filter((column) => !keys.includes(column.name))
        .map((column) => `${quoteIdentifier(column.name)} = EXCLUDED.${quoteIdentifier(column.name)}`)
        .join(', ');
    const current = quoteIdentifier(table);
    const client = await this.pool.connect();
    try {
      // The current row follows the latest extraction; an older one written late (a slow retry of an earlier batch) does not replace it.
      await client.query(
        `WITH incoming AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS incoming(${definitions})),
         upserted AS (
           INSERT INTO ${current} (${names}) SELECT ${names} FROM incoming
           ON CONFLICT (collection, document) DO UPDATE SET ${updates(['collection', 'document'])}
           WHERE ${current}.batch_id = EXCLUDED.batch_id OR ${current}.finished_at IS NULL OR EXCLUDED.finished_at IS NULL OR ${current}.finished_at <= EXCLUDED.finished_at
         )
         INSERT INTO ${quoteIdentifier(historyTable)} (${names}) SELECT ${names} FROM incoming
         ON CONFLICT (collection, document, batch_id) DO UPDATE SET ${updates(['collection', 'document', 'batch_id'])}`,
        [JSON.stringify(rows)],
      );
    } catch (error) {
      // A client whose connection broke is not given back to the pool for reuse.
      client.release(isUnavailable(error) ? (error as Error) : undefined);
      throw error;
    }
    client.release();
  }
}

/**
 * What a chunk attempt fails with: the database away is retried by the chunk's retry policy (the
 * batch pauses with this reason once it runs out); a refused login, a missing database or a
 * migration docbatch will not make pauses the batch at once.
 */
export function asActivityFailure(error: unknown, url: string): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof SinkMigrationError) {
    return ApplicationFailure.create({ type: failureTypes.batchFault, message: error.message, nonRetryable: true, details: [{ fault: 'sink_migration' }] });
  }
  const described = error instanceof SinkConnectionError ? error : isUnavailable(error) || hasConnectCode(error) ? describeConnectionError(error, url) : null;
  if (described && !described.transient) {
    return ApplicationFailure.create({ type: failureTypes.batchFault, message: described.message, nonRetryable: true, details: [{ fault: 'sink_rejected' }] });
  }
  if (described) return ApplicationFailure.create({ type: SINK_UNAVAILABLE, message: described.message, nonRetryable: false });
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.create({ type: SINK_UNAVAILABLE, message: `writing results to PostgreSQL at ${sinkLabel(url)} failed: ${message}`, nonRetryable: false });
}

function hasConnectCode(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '28P01' || code === '28000' || code === '3D000' || code === 'ENOTFOUND';
}

const opened = new Map<string, Promise<PostgresSink>>();

/**
 * The worker's sink for a database reference and a schema: one pool and one migration per process,
 * shared by every chunk. A failed open is forgotten, so the next attempt tries again.
 */
export function postgresSinkFor(reference: string, schema: Pick<LoadedSchema, 'name' | 'schema'> & { fingerprint: string }): Promise<PostgresSink> {
  const key = `${reference}\u0000${schema.name}\u0000${schema.fingerprint}`;
  let sink = opened.get(key);
  if (!sink) {
    sink = PostgresSink.open(connectionStringFor(reference), schema);
    opened.set(key, sink);
    sink.catch(() => opened.delete(key));
  }
  return sink;
}

/** Closes the worker's pools (worker shutdown, tests). */
export async function closePostgresSinks(): Promise<void> {
  const sinks = [...opened.values()];
  opened.clear();
  await Promise.all(sinks.map(async (sink) => (await sink.catch(() => null))?.close()));
}
