import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityFromSeed } from '../secagg';
import { publicKeyText } from '../signing';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { entryHash, GENESIS_PREV, type AuditEntry } from './audit-entry';
import { AuditLog } from './audit-log';
import { verifyAuditFile } from './verify-audit-log';

const orgA = identityFromSeed('org-a', new Uint8Array(32).fill(1));
const orgB = identityFromSeed('org-b', new Uint8Array(32).fill(2));
const keyA = publicKeyText(orgA.publicKey);

function clock(): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2026, 10, 21, 10, 0, tick++));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-audit-log-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const readEntries = (path: string): AuditEntry[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);

describe('AuditLog', () => {
  it('starts a log with its genesis entry, in folders it creates, and round-trips appended entries', () => {
    const path = join(dir, 'nested', 'deeper', 'audit.jsonl');
    const log = AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    const decision = log.append('offer.decision', { jobId: 'credit-1', outcome: 'allow', skipped: undefined });
    const start = log.append('job.started', { jobId: 'credit-1', rounds: 3, limits: { cpu: 2 } }, 'agent');

    const entries = readEntries(path);
    expect(entries).toEqual([expect.objectContaining({ seq: 0, type: 'audit.opened', actor: 'org-a', data: { owner: 'org-a', publicKey: keyA }, prev: GENESIS_PREV }), decision, start]);
    expect(decision).toMatchObject({ seq: 1, at: '2026-11-21T10:00:01.000Z', actor: 'org-a', data: { jobId: 'credit-1', outcome: 'allow' }, prev: entries[0].hash });
    expect(start).toMatchObject({ seq: 2, actor: 'agent', prev: decision.hash });
    expect(start.hash).toBe(entryHash(start));
    expect(log.head()).toEqual({ seq: 2, hash: start.hash });
    expect(log.path).toBe(path);
    expect(log.publicKey).toBe(keyA);
    expect(verifyAuditFile(path, { publicKey: keyA })).toMatchObject({ ok: true, entries: 3, owner: 'org-a', head: { seq: 2, hash: start.hash } });
  });

  it('writes the same bytes for the same seed and clock', () => {
    for (const name of ['one.jsonl', 'two.jsonl']) AuditLog.open(join(dir, name), { owner: 'org-a', identity: orgA, now: clock() }).append('x', { n: 1 });
    expect(readFileSync(join(dir, 'one.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'two.jsonl'), 'utf8'));
  });

  it('continues the chain of an existing log when reopened', () => {
    const path = join(dir, 'audit.jsonl');
    const first = AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    first.append('a', { n: 1 });
    const before = first.append('b', { n: 2 });

    const reopened = AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    expect(reopened.head()).toEqual({ seq: 2, hash: before.hash });
    const next = reopened.append('c', { n: 3 });
    expect(next).toMatchObject({ seq: 3, prev: before.hash });
    expect(readEntries(path).map((entry) => entry.seq)).toEqual([0, 1, 2, 3]);
    expect(verifyAuditFile(path, { publicKey: keyA }).ok).toBe(true);
  });

  it('starts an empty file and mends a last line that lost its newline', () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(AuditLog.open(empty, { owner: 'org-a', identity: orgA }).head().seq).toBe(0);

    const path = join(dir, 'audit.jsonl');
    AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() }).append('a', {});
    writeFileSync(path, readFileSync(path, 'utf8').trimEnd());
    AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() }).append('b', {});
    expect(verifyAuditFile(path, { publicKey: keyA })).toMatchObject({ ok: true, entries: 3 });
  });

  it('refuses to open, or append to, a tampered log', () => {
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    log.append('offer.decision', { outcome: 'deny' });
    log.append('offer.decision', { outcome: 'deny' });
    const tampered = readFileSync(path, 'utf8').replace('"outcome":"deny"', '"outcome":"allow"');
    writeFileSync(path, tampered);

    const err = thrownShoalError(() => AuditLog.open(path, { owner: 'org-a', identity: orgA }), 'AUDIT_LOG_CORRUPT');
    expect(err.message).toBe(`the audit log ${path} is damaged, so nothing more is written to it: line 2: entry 1 was edited: its hash does not match its content`);
    expect(err.details).toEqual({ path, kind: 'edited', line: 2, problems: 1 });
    expect(readFileSync(path, 'utf8')).toBe(tampered);
    thrownShoalError(() => log.append('late', {}), 'AUDIT_LOG_CORRUPT');
    expect(readFileSync(path, 'utf8')).toBe(tampered);
  });

  it('refuses a log signed by another key or kept by another owner', () => {
    const path = join(dir, 'audit.jsonl');
    AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    const foreign = thrownShoalError(() => AuditLog.open(path, { owner: 'org-a', identity: orgB }), 'AUDIT_LOG_CORRUPT');
    expect(foreign.details).toMatchObject({ kind: 'wrong-key', line: 1 });
    const renamed = thrownShoalError(() => AuditLog.open(path, { owner: 'org-c', identity: orgA }), 'AUDIT_LOG_CORRUPT');
    expect(renamed.message).toBe(`the audit log ${path} is kept by "org-a", not "org-c"`);
  });

  it('refuses to fork the chain when another writer appended behind its back', () => {
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    const other = AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    other.append('other', {});
    thrownShoalError(() => log.append('mine', {}), 'AUDIT_LOG_CORRUPT');
    appendFileSync(path, '');
    expect(verifyAuditFile(path, { publicKey: keyA })).toMatchObject({ ok: true, entries: 2 });
  });

  it('takes only plain JSON data and writes nothing otherwise', () => {
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, { owner: 'org-a', identity: orgA, now: clock() });
    const before = readFileSync(path, 'utf8');
    expect(thrownShoalError(() => log.append('x', { loss: Number.NaN }), 'AUDIT_ENTRY_INVALID').message).toBe('data.loss is NaN; audit data must be finite numbers');
    expect(thrownShoalError(() => log.append('x', { at: new Date(0) }), 'AUDIT_ENTRY_INVALID').message).toBe('data.at is a Date; audit data must be plain JSON');
    thrownShoalError(() => log.append('x', { rows: [1, Infinity] }), 'AUDIT_ENTRY_INVALID');
    thrownShoalError(() => log.append('', {}), 'AUDIT_ENTRY_INVALID');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(log.head().seq).toBe(0);
  });
});
