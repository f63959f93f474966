/**
 * Finding and watching a job's own processes from outside, as an operator
 * (or a fault) would: the coordinator and aggregator that `shoal job submit`
 * started are found by their command lines in /proc, and a job's progress is
 * read from the files it writes in its output folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linesWithMessage, type LogLine } from './log-lines';

/** PIDs of live processes whose command line contains every one of `parts`. */
export function findProcesses(parts: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').split('\0').join(' ');
    } catch {
      continue; // It ended while we looked.
    }
    if (parts.every((part) => cmdline.includes(part))) pids.push(Number(entry));
  }
  return pids;
}

/** The one live process of a job's component (`coordinator` or `aggregator`), by the job's output folder or id. */
export function jobComponentPid(component: 'coordinator' | 'aggregator', marker: string): number {
  const pids = findProcesses([`${component}/main.js`, marker]);
  if (pids.length !== 1) throw new Error(`expected one ${component} process for ${marker}, found ${pids.length}`);
  return pids[0];
}

/** Polls `check` every 50 ms until it returns a value, failing after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True once the job's checkpoint of `round` is complete on disk. */
export function hasCheckpoint(jobDirectory: string, round: number): boolean {
  return existsSync(join(jobDirectory, 'checkpoints', `round-${String(round).padStart(4, '0')}`, 'checkpoint.json'));
}

/** Lines of a pino log file whose msg is `msg` (none while the file does not exist yet). */
export function logEntries(path: string, msg: string): LogLine[] {
  return existsSync(path) ? linesWithMessage(readFileSync(path, 'utf8'), msg) : [];
}
