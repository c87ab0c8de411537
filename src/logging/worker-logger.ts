import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { LogMetadata } from '@temporalio/common';
import type { LogLevelName, LogSettings } from './log-settings';

/** Where log lines go: stderr, or a file stream (rotating-file-stream). */
export interface LogSink {
  write(line: string): unknown;
}

/**
 * The Temporal SDK logger of a docbatch worker: one line per entry, never a multi-line object dump
 * (an error's stack is a field of its JSON, and in text, one escaped string), so a log file is
 * read with `grep` and `jq`.
 */
export function createWorkerLogger(level: LogLevelName, format: LogSettings['format'], sink: LogSink): DefaultLogger {
  return new DefaultLogger(level, (entry) => sink.write((format === 'json' ? jsonLine(entry) : textLine(entry)) + '\n'));
}

function jsonLine({ level, message, meta, timestampNanos }: LogEntry): string {
  return JSON.stringify({ time: new Date(Number(timestampNanos / 1_000_000n)).toISOString(), level, message, ...plainMeta(meta) });
}

function textLine({ level, message, meta, timestampNanos }: LogEntry): string {
  const fields = plainMeta(meta);
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${new Date(Number(timestampNanos / 1_000_000n)).toISOString()} [${level}] ${message}${rest}`;
}

/** Metadata as JSON can carry it: errors as their message, type, stack and causes; bigints as strings. */
function plainMeta(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  return JSON.parse(JSON.stringify(meta, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value instanceof Error ? errorFields(value) : value))) as Record<string, unknown>;
}

function errorFields(error: Error): Record<string, unknown> {
  const type = (error as { type?: unknown }).type;
  return {
    name: error.name,
    message: error.message,
    ...(typeof type === 'string' ? { type } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    ...(error.cause instanceof Error ? { cause: errorFields(error.cause) } : {}),
  };
}
