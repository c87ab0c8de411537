import path from 'node:path';
import { DefaultLogger, makeTelemetryFilterString, Runtime, type TelemetryOptions } from '@temporalio/worker';
import { createStream } from 'rotating-file-stream';
import { docbatchHome } from '../temporal/paths';
import { logSettingsFromEnv, type LogLevelName, type LogSettings } from './log-settings';
import { createWorkerLogger, type LogSink } from './worker-logger';

/** Where `docbatch run`'s in-process worker logs: rotated at 10 MB, the last 5 files kept, gzipped. */
export const LOG_FILE_ROTATION = { size: '10M', maxFiles: 5, compress: 'gzip' } as const;

export function workerLogFile(env: Record<string, string | undefined> = process.env): string {
  return path.join(docbatchHome(env), 'logs', 'worker.log');
}

export interface WorkerRuntimeOptions {
  /** The level when DOCBATCH_LOG_LEVEL is not set. */
  defaultLevel: LogLevelName;
  /** `file`: the rotated log file under the docbatch home; `stderr`: the terminal. */
  to: 'file' | 'stderr';
  /** Serve the SDK's metrics on this Prometheus bind address (127.0.0.1:port). */
  prometheusBindAddress?: string;
  env?: Record<string, string | undefined>;
}

/**
 * Installs the process's Temporal runtime once, before any connection: the SDK logger (ours, one
 * line per entry, at the chosen level, core logs forwarded to it) and, when asked, its metrics. The
 * SDK allows one runtime per process; a second call (tests, an embedding program) keeps the first.
 */
export function installWorkerRuntime(options: WorkerRuntimeOptions): { level: LogLevelName; settings: LogSettings; file?: string } {
  const env = options.env ?? process.env;
  const settings = logSettingsFromEnv(env);
  const level = settings.level ?? options.defaultLevel;
  const file = options.to === 'file' ? workerLogFile(env) : undefined;
  const sink: LogSink | null = file ? createStream(path.basename(file), { path: path.dirname(file), ...LOG_FILE_ROTATION }) : settings.format === 'json' ? process.stderr : null;
  // On the terminal in text, the SDK's own format, as `docbatch worker` always logged.
  const logger = sink ? createWorkerLogger(level, settings.format, sink) : new DefaultLogger(level);
  const telemetryOptions: TelemetryOptions = {
    // The Rust core's own logs join ours (to the file, or as JSON) at the level asked for, else the
    // SDK's default filter (core WARN, other crates ERROR). On the terminal in text they stay the SDK's own.
    ...(sink || settings.level
      ? { logging: { forward: {}, filter: makeTelemetryFilterString(settings.level ? { core: settings.level, other: settings.level } : { core: 'WARN', other: 'ERROR' }) } }
      : {}),
    ...(options.prometheusBindAddress ? { metrics: { prometheus: { bindAddress: options.prometheusBindAddress } } } : {}),
  };
  try {
    Runtime.install({ logger, telemetryOptions });
  } catch {
    // Installed already (by an embedding program, or an earlier worker of this process): keep it.
  }
  return { level, settings, ...(file ? { file } : {}) };
}
