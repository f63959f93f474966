/**
 * The last head of an audit log, kept in a small file beside the party's
 * other records (not beside the log): a chain verifies from its own genesis,
 * so a log that was deleted, emptied or cut short at a line boundary looks
 * like a valid younger log. The recorded head is what tells them apart.
 * Written atomically after every append; a crash between the append and this
 * write leaves the log one entry ahead, which opening accepts and catches up.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file';
import { auditError } from './audit-entry';

export interface RecordedHead {
  seq: number;
  hash: string;
}

/** The head recorded at `path`, or undefined when none has been recorded yet. */
export function readRecordedHead(path: string): RecordedHead | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw auditError('AUDIT_HEAD_UNREADABLE', `cannot read the recorded audit head ${path}`, { path }, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const head = parsed as Partial<RecordedHead> | undefined;
  if (!head || !Number.isSafeInteger(head.seq) || (head.seq as number) < 0 || typeof head.hash !== 'string' || !/^[0-9a-f]{64}$/.test(head.hash)) {
    // Written atomically, so damage here is someone's doing, not a torn write: nothing is assumed.
    throw auditError('AUDIT_HEAD_UNREADABLE', `the recorded audit head ${path} is not {"seq": <entry number>, "hash": <64 hex>}; restore it or the log from a backup`, { path });
  }
  return { seq: head.seq as number, hash: head.hash };
}

export function writeRecordedHead(path: string, log: string, head: RecordedHead): void {
  try {
    writeFileAtomic(path, `${JSON.stringify({ log, seq: head.seq, hash: head.hash })}\n`, { mode: 0o600 });
  } catch (err) {
    throw auditError('AUDIT_LOG_WRITE_FAILED', `cannot record the audit head in ${path}`, { path }, err);
  }
}

/**
 * Refuses a (verified) log that ends before the recorded head, or whose
 * entry at the recorded position is not the recorded one: entries were cut
 * from its end, or it was replaced by another chain.
 */
export function checkAgainstRecorded(logPath: string, headPath: string, text: string, head: RecordedHead, recorded: RecordedHead): void {
  const expected = `entry ${recorded.seq} (hash ${recorded.hash.slice(0, 16)}…), as recorded in ${headPath}`;
  if (head.seq < recorded.seq) {
    throw auditError('AUDIT_LOG_TRUNCATED', `the audit log ${logPath} ends at entry ${head.seq}, but it had reached ${expected}: entries were removed from its end; restore it from a backup`, {
      path: logPath, headFile: headPath, found: head, expected: recorded,
    });
  }
  if (entryHashAt(text, recorded.seq) !== recorded.hash) {
    throw auditError('AUDIT_LOG_TRUNCATED', `the audit log ${logPath} does not hold ${expected}: it was cut and written again, or replaced; restore it from a backup`, {
      path: logPath, headFile: headPath, found: head, expected: recorded,
    });
  }
}

function entryHashAt(text: string, seq: number): string | undefined {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { seq?: unknown; hash?: unknown };
    if (entry.seq === seq) return typeof entry.hash === 'string' ? entry.hash : undefined;
  }
  return undefined;
}
