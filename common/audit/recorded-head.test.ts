import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityFromSeed } from '../secagg';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { AuditLog } from './audit-log';

const orgA = identityFromSeed('org-a', new Uint8Array(32).fill(1));

let dir: string;
let logPath: string;
let headFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-audit-head-'));
  // As the agent keeps them: the log may live elsewhere, the head stays with the identity key.
  logPath = join(dir, 'logs', 'audit.jsonl');
  headFile = join(dir, 'work', 'audit-head.json');
  mkdirSync(join(dir, 'work'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const open = (established = true): AuditLog => AuditLog.open(logPath, { owner: 'org-a', identity: orgA, headFile, established });
const recorded = (): { log: string; seq: number; hash: string } => JSON.parse(readFileSync(headFile, 'utf8')) as { log: string; seq: number; hash: string };
const lines = (): string[] => readFileSync(logPath, 'utf8').split('\n').filter((l) => l !== '');

/** A log with entries 0..3 whose head is recorded, as a running agent leaves it. */
function keptLog(): { seq: number; hash: string } {
  const log = open(false);
  log.append('agent.started', {});
  log.append('offer.received', { jobId: 'job-1' });
  log.append('offer.decision', { jobId: 'job-1', accepted: true });
  return log.head();
}

describe('the recorded audit head', () => {
  it('a fresh agent (no identity key before, no recorded head) starts the log and records its head after every append', () => {
    const log = open(false);
    expect(recorded()).toEqual({ log: logPath, seq: 0, hash: log.head().hash });
    const entry = log.append('agent.started', {});
    expect(recorded()).toEqual({ log: logPath, seq: 1, hash: entry.hash });
  });

  it('reopens a log that reaches its recorded head and goes on from there', () => {
    const head = keptLog();
    const reopened = open();
    expect(reopened.head()).toEqual(head);
    expect(reopened.append('agent.started', {}).seq).toBe(4);
  });

  it('refuses a missing log when a head was recorded: AUDIT_LOG_MISSING, naming the file and what it had reached', () => {
    const head = keptLog();
    rmSync(logPath);
    const error = thrownShoalError(() => open(false), 'AUDIT_LOG_MISSING');
    expect(error.message).toBe(`the audit log ${logPath} is missing, but ${headFile} records that it had reached entry 3 (hash ${head.hash.slice(0, 16)}…); refusing to start a new trail over it: restore the log from a backup`);
    expect(error.details).toEqual({ path: logPath, state: 'missing', expected: head });
    // Nothing was started in its place.
    expect(() => readFileSync(logPath)).toThrow(/ENOENT/);
  });

  it('refuses an emptied log', () => {
    keptLog();
    writeFileSync(logPath, '');
    const error = thrownShoalError(() => open(), 'AUDIT_LOG_MISSING');
    expect(error.message).toMatch(new RegExp(`^the audit log ${logPath} is empty, but ${headFile} records that it had reached entry 3 `));
    expect(readFileSync(logPath, 'utf8')).toBe('');
  });

  it('refuses a missing log when the agent already had its identity key, even with no recorded head', () => {
    const error = thrownShoalError(() => open(true), 'AUDIT_LOG_MISSING');
    expect(error.message).toBe(`the audit log ${logPath} is missing, but this agent has kept it before (its identity key exists); refusing to start a new trail over it: restore the log from a backup`);
    expect(error.details).toEqual({ path: logPath, state: 'missing', expected: null });
  });

  it('refuses a log cut short by one line: AUDIT_LOG_TRUNCATED', () => {
    const head = keptLog();
    writeFileSync(logPath, `${lines().slice(0, -1).join('\n')}\n`);
    const error = thrownShoalError(() => open(), 'AUDIT_LOG_TRUNCATED');
    expect(error.message).toBe(`the audit log ${logPath} ends at entry 2, but it had reached entry 3 (hash ${head.hash.slice(0, 16)}…), as recorded in ${headFile}: entries were removed from its end; restore it from a backup`);
    expect(error.details).toMatchObject({ path: logPath, headFile, expected: head, found: { seq: 2 } });
    // The log is left as it was found.
    expect(lines()).toHaveLength(3);
  });

  it('refuses a log cut and written again to the same length (another chain)', () => {
    keptLog();
    writeFileSync(logPath, `${lines().slice(0, -1).join('\n')}\n`);
    // Re-extended by someone holding the key, with different content, and the head file left alone.
    const forged = AuditLog.open(logPath, { owner: 'org-a', identity: orgA });
    forged.append('offer.decision', { jobId: 'job-1', accepted: false });
    const error = thrownShoalError(() => open(), 'AUDIT_LOG_TRUNCATED');
    expect(error.message).toMatch(/does not hold entry 3 \(hash [0-9a-f]{16}…\), as recorded in .*: it was cut and written again, or replaced; restore it from a backup$/);
  });

  it('accepts a log one entry ahead of its record (a crash between the two writes) and catches the record up', () => {
    keptLog();
    const stale = readFileSync(headFile, 'utf8');
    const ahead = open().append('job.joined', { jobId: 'job-1' });
    writeFileSync(headFile, stale);
    expect(open().head()).toEqual({ seq: 4, hash: ahead.hash });
    expect(recorded()).toEqual({ log: logPath, seq: 4, hash: ahead.hash });
  });

  it('records the head of a log kept before heads were recorded', () => {
    const old = AuditLog.open(logPath, { owner: 'org-a', identity: orgA });
    const last = old.append('agent.started', {});
    expect(open().head()).toEqual({ seq: 1, hash: last.hash });
    expect(recorded()).toEqual({ log: logPath, seq: 1, hash: last.hash });
  });

  it('refuses a damaged head record rather than guessing', () => {
    keptLog();
    for (const text of ['', '{"seq": 3}', '{"seq": -1, "hash": "' + 'a'.repeat(64) + '"}', 'not json']) {
      writeFileSync(headFile, text);
      const error = thrownShoalError(() => open(), 'AUDIT_HEAD_UNREADABLE');
      expect(error.message).toBe(`the recorded audit head ${headFile} is not {"seq": <entry number>, "hash": <64 hex>}; restore it or the log from a backup`);
    }
  });
});
