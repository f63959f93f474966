/**
 * The root pino logger of a process. Logs go to stderr so that stdout stays
 * free for a process's one machine-readable line (its "ready" announcement).
 * Child loggers carry component, jobId, round and org; nothing here ever
 * receives tensors, keys or data rows.
 */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createRootLogger(options: { component: string; level?: string; destination?: number | string }): Logger {
  const level = options.level ?? process.env.SHOAL_LOG_LEVEL ?? 'info';
  return pino({ level, base: { component: options.component, pid: process.pid } }, pino.destination({ dest: options.destination ?? 2, sync: true }));
}

/** A logger that drops everything: the default in tests and in libraries used without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
