import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityFromSeed, type IdentityKeyPair } from '../secagg';
import { publicKeyText } from '../signing';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { entryHash, type AuditEntry } from './audit-entry';
import { AuditLog } from './audit-log';
import { verifyAuditFile, verifyAuditLog, type AuditVerification } from './verify-audit-log';

const orgA = identityFromSeed('org-a', new Uint8Array(32).fill(1));
const orgB = identityFromSeed('org-b', new Uint8Array(32).fill(2));
const keyA = publicKeyText(orgA.publicKey);
const keyB = publicKeyText(orgB.publicKey);

function clock(): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2026, 10, 21, 10, 0, tick++));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-audit-verify-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A 10-entry log (entry n on line n + 1), as lines without their newlines. */
function writeLog(name: string, identity: IdentityKeyPair = orgA, decision = (seq: number) => (seq % 2 === 0 ? 'allow' : 'deny')): string[] {
  const log = AuditLog.open(join(dir, name), { owner: identity.orgId, identity, now: clock() });
  for (let seq = 1; seq <= 9; seq += 1) log.append('offer.decision', { jobId: `job-${seq}`, outcome: decision(seq) }, 'policy');
  return readFileSync(log.path, 'utf8').split('\n').slice(0, -1);
}

const text = (lines: string[]): string => `${lines.join('\n')}\n`;
const entryOn = (lines: string[], line: number): AuditEntry => JSON.parse(lines[line - 1]) as AuditEntry;
const found = (verification: AuditVerification): Array<[string, number]> => verification.problems.map((p) => [p.kind, p.line]);

/** An entry built by someone who can hash but holds only `signer`'s key. */
function forge(fields: Omit<AuditEntry, 'hash' | 'signature'>, signer: IdentityKeyPair = orgB): string {
  const hash = entryHash(fields);
  return JSON.stringify({ ...fields, hash, signature: Buffer.from(signer.sign(Buffer.from(hash))).toString('base64') });
}

function replaced(lines: string[], line: number, change: (entry: AuditEntry) => AuditEntry): string[] {
  const copy = [...lines];
  copy[line - 1] = JSON.stringify(change(entryOn(lines, line)));
  return copy;
}

describe('verifyAuditLog', () => {
  it('finds an intact log intact, with or without its final newline', () => {
    const lines = writeLog('a.jsonl');
    const verification = verifyAuditLog(text(lines), { publicKey: keyA, expectedHead: { seq: 9, hash: entryOn(lines, 10).hash } });
    expect(verification).toEqual({ ok: true, entries: 10, owner: 'org-a', publicKey: keyA, head: { seq: 9, hash: entryOn(lines, 10).hash }, problems: [] });
    expect(verifyAuditLog(lines.join('\n')).problems).toEqual([]);
    expect(verifyAuditLog(text(lines), { expectedHead: { seq: 4, hash: entryOn(lines, 5).hash } }).ok).toBe(true);
  });

  it('names an edited entry, whichever field was changed', () => {
    const lines = writeLog('a.jsonl');
    const edits: Array<(e: AuditEntry) => AuditEntry> = [
      (e) => ({ ...e, data: { ...e.data, outcome: 'maybe' } }),
      (e) => ({ ...e, at: '2026-11-22T00:00:00.000Z' }),
      (e) => ({ ...e, actor: 'someone-else' }),
      (e) => ({ ...e, seq: 60 }),
    ];
    for (const edit of edits) expect(found(verifyAuditLog(text(replaced(lines, 7, edit)), { publicKey: keyA }))).toEqual([['edited', 7]]);
    const verification = verifyAuditLog(text(replaced(lines, 7, edits[0])));
    expect(verification.problems[0].message).toBe('line 7: entry 6 was edited: its hash does not match its content');
  });

  it('names an edit whose hash was recomputed, or a swapped signature, as a bad signature', () => {
    const lines = writeLog('a.jsonl');
    const rehashed = replaced(lines, 7, (e) => {
      const data = { ...e.data, outcome: 'maybe' };
      return { ...e, data, hash: entryHash({ ...e, data }) };
    });
    expect(found(verifyAuditLog(text(rehashed)))).toEqual([['bad-signature', 7]]);
    const stolen = replaced(lines, 7, (e) => ({ ...e, signature: entryOn(lines, 6).signature }));
    expect(found(verifyAuditLog(text(stolen), { publicKey: keyA }))).toEqual([['bad-signature', 7]]);
    const genesisResigned = replaced(lines, 1, (e) => ({ ...e, signature: entryOn(lines, 2).signature }));
    expect(found(verifyAuditLog(text(genesisResigned)))).toEqual([['bad-signature', 1]]);
  });

  it('names deleted entries as missing, by seq', () => {
    const lines = writeLog('a.jsonl');
    const one = verifyAuditLog(text(lines.filter((_, i) => i !== 6)));
    expect(found(one)).toEqual([['missing', 7]]);
    expect(one.problems[0].message).toBe('line 7: entry 6 is missing: the log goes from entry 5 to entry 7');
    const two = verifyAuditLog(text(lines.filter((_, i) => i !== 6 && i !== 7)));
    expect(two.problems.map((p) => p.message)).toEqual(['line 7: entries 6–7 are missing: the log goes from entry 5 to entry 8']);
  });

  it('names swapped and moved entries as reordered, once', () => {
    const lines = writeLog('a.jsonl');
    const swapped = [...lines.slice(0, 6), lines[7], lines[6], ...lines.slice(8)];
    const verification = verifyAuditLog(text(swapped), { publicKey: keyA });
    expect(found(verification)).toEqual([['reordered', 7]]);
    expect(verification.problems[0].message).toBe('line 7: entry 7 is out of order: it comes before entry 6 (line 8)');
    const movedToEnd = [...lines.slice(0, 3), ...lines.slice(4), lines[3]];
    expect(found(verifyAuditLog(text(movedToEnd)))).toEqual([['reordered', 4]]);
    const movedForward = [...lines.slice(0, 2), lines[8], ...lines.slice(2, 8), lines[9]];
    expect(found(verifyAuditLog(text(movedForward)))).toEqual([['reordered', 3]]);
  });

  it('names forged and copied lines as inserted', () => {
    const lines = writeLog('a.jsonl');
    const previous = entryOn(lines, 6);
    const plausible = forge({ seq: 6, at: '2026-11-21T10:00:05.500Z', type: 'offer.decision', actor: 'policy', data: { jobId: 'job-x', outcome: 'allow' }, prev: previous.hash });
    const withForgery = [...lines.slice(0, 6), plausible, ...lines.slice(6)];
    const verification = verifyAuditLog(text(withForgery), { publicKey: keyA });
    expect(found(verification)).toEqual([['inserted', 7]]);
    expect(verification.problems[0].message).toMatch(/^line 7: entry 6 was inserted: it is not signed by the log's key/);

    const stray = forge({ seq: 99, at: '2026-11-21T10:00:05.500Z', type: 'note', actor: 'x', data: {}, prev: '1'.repeat(64) });
    expect(found(verifyAuditLog(text([...lines.slice(0, 6), stray, ...lines.slice(6)])))).toEqual([['inserted', 7]]);
    const unhashed = JSON.stringify({ ...entryOn(lines, 7), data: { jobId: 'job-x' } });
    expect(found(verifyAuditLog(text([...lines.slice(0, 6), unhashed, ...lines.slice(6)])))).toEqual([['inserted', 7]]);

    const copiedLater = [...lines.slice(0, 8), lines[3], ...lines.slice(8)];
    expect(found(verifyAuditLog(text(copiedLater)))).toEqual([['inserted', 9]]);
    const copiedNext = [...lines.slice(0, 4), lines[3], ...lines.slice(4)];
    expect(found(verifyAuditLog(text(copiedNext)))).toEqual([['inserted', 5]]);
  });

  it('names a log without its first line as having no genesis', () => {
    const lines = writeLog('a.jsonl');
    for (const options of [{}, { publicKey: keyA }]) {
      const verification = verifyAuditLog(text(lines.slice(1)), options);
      expect(found(verification)).toEqual([['no-genesis', 1]]);
      expect(verification.owner).toBeNull();
    }
    expect(found(verifyAuditLog(''))).toEqual([['no-genesis', 1]]);
  });

  it('names lines that are not entries as malformed, and blank lines inside the log', () => {
    const lines = writeLog('a.jsonl');
    const garbage = [...lines.slice(0, 4), 'not json', ...lines.slice(5)];
    expect(verifyAuditLog(text(garbage)).problems).toEqual([{ line: 5, kind: 'malformed', message: 'line 5: not an audit entry: not JSON' }]);
    const { actor: _actor, ...withoutActor } = entryOn(lines, 5);
    expect(found(verifyAuditLog(text([...lines.slice(0, 4), JSON.stringify(withoutActor), ...lines.slice(5)])))).toEqual([['malformed', 5]]);
    const extraField = replaced(lines, 5, (e) => ({ ...e, note: 'unsigned' }) as AuditEntry);
    expect(verifyAuditLog(text(extraField)).problems[0].message).toBe('line 5: not an audit entry: unexpected field "note"');
    expect(found(verifyAuditLog(text([...lines.slice(0, 5), '', ...lines.slice(5)])))).toEqual([['malformed', 6]]);
    expect(found(verifyAuditLog(`${text(lines)}\n`))).toEqual([['malformed', 11]]);
  });

  it('names a log signed by another key than the pinned one', () => {
    const lines = writeLog('a.jsonl');
    const verification = verifyAuditLog(text(lines), { publicKey: keyB });
    expect(found(verification)).toEqual([['wrong-key', 1]]);
    expect(verification.problems[0].message).toBe(`line 1: the log is signed by ${keyA}, not by the pinned key ${keyB}`);
    expect(found(verifyAuditLog(text(writeLog('b.jsonl', orgB)), { publicKey: keyA }))).toEqual([['wrong-key', 1]]);
  });

  it('notices entries cut from the end, or rewritten, only against a signed head', () => {
    const lines = writeLog('a.jsonl');
    const head = { seq: 9, hash: entryOn(lines, 10).hash };
    const cut = lines.slice(0, 8);
    expect(verifyAuditLog(text(cut)).ok).toBe(true);
    const verification = verifyAuditLog(text(cut), { expectedHead: head });
    expect(verification.problems).toEqual([
      { line: 9, kind: 'truncated', message: 'line 9: entries 8–9 are gone from the end: the log stops at entry 7, but its signed head reached entry 9' },
    ]);
    const rewritten = writeLog('rewritten.jsonl', orgA, () => 'allow');
    expect(verifyAuditLog(text(rewritten), { publicKey: keyA }).ok).toBe(true);
    expect(found(verifyAuditLog(text(rewritten), { publicKey: keyA, expectedHead: head }))).toEqual([['edited', 10]]);
  });

  it('names any single tampering, anywhere in the log, with exactly one problem of its kind', () => {
    const lines = writeLog('a.jsonl');
    const last = lines.length - 1;
    const at = (k: number, line: string, from = lines): string[] => [...from.slice(0, k), line, ...from.slice(k)];
    const without = (i: number): string[] => lines.filter((_, j) => j !== i);
    let cases = 0;
    const expectOne = (label: string, tampered: string[], kind: string, line?: number): void => {
      for (const publicKey of [undefined, keyA]) {
        const problems = verifyAuditLog(text(tampered), { publicKey }).problems;
        const named = problems.map((p) => (line === undefined ? p.kind : `${p.kind}@${p.line}`)).join(', ');
        expect(`${label}: ${named}`).toBe(`${label}: ${line === undefined ? kind : `${kind}@${line}`}`);
        cases += 1;
      }
    };
    lines.forEach((content, i) => {
      const entry = JSON.parse(content) as AuditEntry;
      const data = { ...entry.data, extra: 1 };
      if (i > 0 && i < last) expectOne(`delete ${i + 1}`, without(i), 'missing', i + 1);
      expectOne(`edit ${i + 1}`, replaced(lines, i + 1, (e) => ({ ...e, actor: 'mallory' })), 'edited', i + 1);
      expectOne(`rehash ${i + 1}`, replaced(lines, i + 1, (e) => ({ ...e, data, hash: entryHash({ ...e, data }) })), 'bad-signature', i + 1);
      expectOne(`garble ${i + 1}`, lines.map((l, j) => (j === i ? '{"seq":' : l)), 'malformed', i + 1);
      if (i > 0) expectOne(`forge before ${i + 1}`, at(i, forge({ ...entry, data: { forged: true } })), 'inserted', i + 1);
      if (i < last) expectOne(`swap ${i + 1}`, [...lines.slice(0, i), lines[i + 1], content, ...lines.slice(i + 2)], 'reordered', i + 1);
      for (let k = 0; k <= lines.length; k += 1) {
        if (k !== i && k !== i + 1) expectOne(`copy ${i + 1} to ${k + 1}`, at(k, content), 'inserted');
        if (Math.abs(k - i) > 1 && k < lines.length) expectOne(`move ${i + 1} to ${k + 1}`, at(k, content, without(i)), 'reordered');
      }
    });
    expect(cases).toBe(436);
  });

  it('names an entry re-signed by the key holder without re-chaining as a broken link after it', () => {
    const lines = writeLog('a.jsonl');
    const original = entryOn(lines, 7);
    const rewritten = forge({ ...original, data: { jobId: 'job-6', outcome: 'deny' } }, orgA);
    const verification = verifyAuditLog(text([...lines.slice(0, 6), rewritten, ...lines.slice(7)]), { publicKey: keyA });
    expect(found(verification)).toEqual([['broken-link', 8]]);
    expect(verification.problems[0].message).toMatch(/^line 8: entry 7 does not link to entry 6: it names [0-9a-f]{12}… as its predecessor/);
  });

  it('reports every independent problem, each once', () => {
    const lines = writeLog('a.jsonl');
    const edited = replaced(lines, 3, (e) => ({ ...e, actor: 'mallory' }));
    const damaged = edited.filter((_, i) => i !== 7);
    expect(found(verifyAuditLog(text(damaged), { publicKey: keyA }))).toEqual([['edited', 3], ['missing', 8]]);
  });
});

describe('verifyAuditFile', () => {
  it('reads the file, and says so when there is none', () => {
    const lines = writeLog('a.jsonl');
    expect(verifyAuditFile(join(dir, 'a.jsonl'), { publicKey: keyA }).entries).toBe(lines.length);
    const err = thrownShoalError(() => verifyAuditFile(join(dir, 'nowhere.jsonl')), 'AUDIT_LOG_MISSING');
    expect(err.message).toBe(`there is no audit log at ${join(dir, 'nowhere.jsonl')}`);
  });
});
