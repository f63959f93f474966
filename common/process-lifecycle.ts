/**
 * What every Shoal process shares at its edges: documented exit codes, the
 * one machine-readable "ready" line on stdout, and signal handling.
 */
import { InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';

export const EXIT_CODES = {
  ok: 0,
  /** An unexpected failure (a bug, or the host failing). */
  internal: 1,
  /** A file the user wrote (job spec, agent config) or a flag is invalid. */
  config: 2,
  /** The job ran but could not complete (quorum lost, every participant declined). */
  jobFailed: 3,
  /** Stopped by SIGINT/SIGTERM before finishing. */
  interrupted: 4,
  /** An audit log failed verification: an entry was edited, deleted, reordered or inserted. */
  auditFailed: 5,
} as const;

/** Launchers read this line to learn the port a process bound (port 0 picks a free one). */
export function announceReady(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...info })}\n`);
}

export function parseReadyLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return parsed.event === 'ready' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits with `interrupted`. */
export function onShutdownSignal(logger: Logger, stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.warn({ signal }, 'shutting down');
    stop(signal)
      .catch((err) => logger.error({ err }, 'error during shutdown'))
      .finally(() => process.exit(EXIT_CODES.interrupted));
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}

/** Commander parser for flags that take a whole number (ports, counts, seeds). */
export function wholeNumberFlag(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number (0 or more)');
  return parsed;
}

/** commander parser for a flag that takes a positive number such as an ε budget. */
export function positiveNumberFlag(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}
