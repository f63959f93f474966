/**
 * Audit entries and verification results as text for people: one line per
 * entry, short enough to scan in a terminal. Whatever a log holds, an entry
 * stays on one line: anything with spaces, quotes or control characters is
 * written as a JSON string.
 */
import type { AuditEntry } from './audit-entry';
import type { AuditVerification } from './verify-audit-log';

const MAX_VALUE = 60;
const MAX_LINE = 200;

/** e.g. `#12  2026-11-21 10:03:04Z  offer.decision  by policy  jobId=credit-1 outcome=allow rule=requester` */
export function formatAuditEntry(entry: AuditEntry): string {
  const fields = formatAuditData(entry.data);
  const parts = [`#${entry.seq}`, formatTime(entry.at), inline(entry.type), `by ${inline(entry.actor)}`];
  if (fields !== '') parts.push(fields);
  return shorten(parts.join('  '), MAX_LINE);
}

/** Just the entry's data as `key=value` pairs (the console shows seq, time, type and actor in columns of their own). */
export function formatAuditData(data: AuditEntry['data']): string {
  return Object.entries(data).map(([key, value]) => `${inline(key)}=${formatValue(value)}`).join(' ');
}

/** "intact: …" with the head and key, or "damaged: …" followed by one line per problem. */
export function formatVerification(verification: AuditVerification): string {
  const { entries, head, owner, publicKey, problems } = verification;
  if (verification.ok && head !== null) {
    const keeper = owner === null ? '' : `, kept by ${inline(owner)}`;
    return `intact: ${count(entries, 'entry', 'entries')}, head #${head.seq} ${head.hash.slice(0, 12)}${keeper}, signed by ${publicKey ?? 'an unknown key'}`;
  }
  const lines = problems.map((problem) => `  ${problem.kind.padEnd(13)} ${problem.message}`);
  return [`damaged: ${count(problems.length, 'problem', 'problems')} in ${count(entries, 'entry', 'entries')}`, ...lines].join('\n');
}

function formatTime(at: string): string {
  // Seconds are precise enough to read a log by; the file keeps the full time.
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(at);
  return match ? `${match[1]} ${match[2]}Z` : inline(at);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return inline(shorten(value, MAX_VALUE));
  if (value !== null && typeof value === 'object') return shorten(JSON.stringify(value), MAX_VALUE);
  return String(value);
}

/** The text as is when it reads unambiguously in a key=value line, else as a JSON string. */
function inline(text: string): string {
  const plain = text !== '' && !/[\s="]/.test(text) && JSON.stringify(text) === `"${text}"`;
  return plain ? text : JSON.stringify(text);
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  // By code points, so an emoji is never cut in half.
  return `${Array.from(text).slice(0, max - 1).join('')}…`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
