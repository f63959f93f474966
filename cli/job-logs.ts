/**
 * `shoal job logs <job>`: the coordinator's and the aggregator's logs, which
 * the launcher keeps in the job's folder, as readable lines:
 * `time level component msg key=value…`. Pino's JSON lines are taken apart
 * here; any other line (a crash message) is shown as it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError } from '../common/errors';
import { jobFolder } from './job-status';

export type LogComponent = 'coordinator' | 'aggregator';
export const LOG_COMPONENTS: readonly LogComponent[] = ['coordinator', 'aggregator'];

export interface JobLogOptions {
  component: LogComponent | 'all';
  /** Only the last this many lines; all when undefined. */
  tail?: number;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields shown in the line's fixed columns, or the same on every line of one job's log. */
const SHOWN_APART = new Set(['time', 'level', 'component', 'msg', 'pid', 'hostname', 'jobId']);

function formatValue(key: string, value: unknown): string {
  // Errors ({ type, message, stack } from pino, { code, message } from Shoal) read well as "code: message" on one line.
  if (key === 'err' && typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    const { code, message } = value as { code?: unknown; message: string };
    return formatValue('', typeof code === 'string' ? `${code}: ${message}` : message);
  }
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

interface LogEntry {
  /** Milliseconds since the epoch; a line without one takes the time of the line before it. */
  time: number;
  text: string;
}

function parseEntry(line: string, previousTime: number, fallbackComponent: string): LogEntry {
  let fields: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { time: previousTime, text: line };
    fields = parsed as Record<string, unknown>;
  } catch {
    return { time: previousTime, text: line };
  }
  const time = typeof fields.time === 'number' ? fields.time : typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
  const level = typeof fields.level === 'number' ? (LEVELS[fields.level] ?? String(fields.level)) : String(fields.level ?? '-').toUpperCase();
  const rest = Object.entries(fields).filter(([key]) => !SHOWN_APART.has(key)).map(([key, value]) => `${key}=${formatValue(key, value)}`);
  const text = [
    Number.isFinite(time) ? new Date(time).toISOString() : '-',
    level.padEnd(5),
    typeof fields.component === 'string' ? fields.component : fallbackComponent,
    typeof fields.msg === 'string' ? fields.msg : '-',
    ...rest,
  ].join(' ');
  return { time: Number.isFinite(time) ? time : previousTime, text };
}

/** One pino JSON line as `time level component msg key=value…`; other lines unchanged. */
export function formatLogLine(line: string, component = '-'): string {
  return parseEntry(line, 0, component).text;
}

function entriesOf(text: string, component: LogComponent): LogEntry[] {
  const entries: LogEntry[] = [];
  let time = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseEntry(line, time, component);
    time = entry.time;
    entries.push(entry);
  }
  return entries;
}

/** The job's log lines, formatted; both logs interleaved by time with `all`. */
export function readJobLogs(outRoot: string, jobId: string, options: JobLogOptions): string[] {
  const dir = jobFolder(outRoot, jobId);
  if (!existsSync(dir)) throw new ShoalError('UNKNOWN_JOB', `no job ${jobId}: ${dir} does not exist (jobs go where \`shoal job submit --out\` put them)`, { component: 'cli' });
  const wanted = options.component === 'all' ? LOG_COMPONENTS : [options.component];
  const present = wanted.filter((component) => existsSync(join(dir, `${component}.log`)));
  if (present.length === 0) {
    const names = wanted.map((component) => `${component}.log`).join(' or ');
    throw new ShoalError('LOG_MISSING', `job ${jobId} has no ${names} in ${dir} (its processes may not have started, or ran where they keep their logs elsewhere)`, { component: 'cli' });
  }
  const entries = present.flatMap((component) => entriesOf(readFileSync(join(dir, `${component}.log`), 'utf8'), component));
  // A stable sort: each log's own order holds among lines of the same millisecond.
  if (present.length > 1) entries.sort((a, b) => a.time - b.time);
  const lines = entries.map((entry) => entry.text);
  return options.tail === undefined ? lines : lines.slice(Math.max(0, lines.length - options.tail));
}
