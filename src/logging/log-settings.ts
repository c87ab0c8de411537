import { z } from 'zod';
import { ENV, readEnv } from '../env';

/** Levels of the Temporal SDK's logger, most verbose first. */
export const logLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const logFormats = ['text', 'json'] as const;

/**
 * How a docbatch process logs: DOCBATCH_LOG_LEVEL and DOCBATCH_LOG_FORMAT, case-insensitive. A value
 * outside these is refused with the names that work, not ignored.
 */
export const logSettingsSchema = z.object({
  /** @default WARN for `run`'s in-process worker (to its log file), INFO for `docbatch worker` */
  level: z.enum(logLevels).optional(),
  /** @default text: `<time> [LEVEL] message {meta}`; json: one object per line */
  format: z.enum(logFormats).default('text'),
});
export type LogSettings = z.infer<typeof logSettingsSchema>;
export type LogLevelName = (typeof logLevels)[number];

export function logSettingsFromEnv(env: Record<string, string | undefined> = process.env): LogSettings {
  const parsed = logSettingsSchema.safeParse({ level: readEnv('logLevel', env)?.toUpperCase(), format: readEnv('logFormat', env)?.toLowerCase() });
  if (parsed.success) return parsed.data;
  const field = parsed.error.issues[0]?.path[0] === 'level' ? ENV.logLevel : ENV.logFormat;
  const allowed = field === ENV.logLevel ? logLevels : logFormats;
  throw new Error(`${field}=${env[field]} is not a log ${field === ENV.logLevel ? 'level' : 'format'}: use one of ${allowed.join(', ')}`);
}
