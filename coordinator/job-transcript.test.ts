import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { verifyAuditFile, type AuditEntry } from '../common/audit';
import { compileJobSpec, type JobSpec } from '../common/job-spec';
import { signAuditHead, signDecision, type AuditHeadBody, type DecisionBody } from '../common/offer-protocol';
import { identityFromSeed } from '../common/secagg';
import { canonicalJson, publicKeyText, sha256Hex } from '../common/signing';
import { JobTranscript, type RecordedDecision } from './job-transcript';

const spec: JobSpec = compileJobSpec(parseYaml(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')));
const logger = pino({ level: 'silent' });

const bank1 = identityFromSeed('bank-1', new Uint8Array(32).fill(1));
const bank2 = identityFromSeed('bank-2', new Uint8Array(32).fill(2));
const outsider = identityFromSeed('bank-9', new Uint8Array(32).fill(9));
/** Someone else's key claiming to be bank-1. */
const impostor = identityFromSeed('bank-1', new Uint8Array(32).fill(66));
const BANK1_KEY = publicKeyText(bank1.publicKey);
const BANK2_KEY = publicKeyText(bank2.publicKey);
const OUTSIDER_KEY = publicKeyText(outsider.publicKey);
const IMPOSTOR_KEY = publicKeyText(impostor.publicKey);

const AT = '2026-03-01T10:01:00.000Z';
const LATER = '2026-03-01T10:07:00.000Z';
const HASH_4 = '4'.repeat(64);
const OFFER_SHA256 = 'f'.repeat(64);

function decisionBody(orgId: string, changes: Partial<Omit<DecisionBody, 'kind'>> = {}): Omit<DecisionBody, 'kind'> {
  return {
    jobId: spec.jobId,
    orgId,
    accepted: true,
    decidedBy: 'policy',
    decider: 'allow-credit-jobs',
    reason: '',
    at: AT,
    auditHead: { seq: 4, hash: HASH_4 },
    offerSha256: OFFER_SHA256,
    ...changes,
  };
}

function headBody(orgId: string, seq: number, changes: Partial<Omit<AuditHeadBody, 'kind'>> = {}): Omit<AuditHeadBody, 'kind'> {
  return { jobId: spec.jobId, orgId, seq, hash: String(seq % 10).repeat(64), at: LATER, ...changes };
}

const entries = (transcript: JobTranscript): AuditEntry[] =>
  readFileSync(transcript.summary().transcript.path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);

const lastEntry = (transcript: JobTranscript): Pick<AuditEntry, 'type' | 'data'> => {
  const all = entries(transcript);
  const { type, data } = all[all.length - 1];
  return { type, data };
};

let root: string;
let dir: string;
let transcript: JobTranscript;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shoal-job-transcript-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(join(root, 'job-'));
  transcript = new JobTranscript(spec, dir, logger);
});

describe('opening', () => {
  it('starts a transcript in the output folder with the job and its invited organisations', () => {
    const summary = transcript.summary();

    expect(spec.invitedOrgs).toEqual(['bank-1', 'bank-2', 'bank-3', 'bank-4', 'bank-5']);
    expect(summary.transcript.path).toBe(join(dir, 'transcript.jsonl'));
    expect(summary.decisions).toEqual([]);
    expect(summary.auditHeads).toEqual([]);
    expect(entries(transcript).map((entry) => [entry.seq, entry.type, entry.actor])).toEqual([
      [0, 'audit.opened', 'coordinator:credit-default-mlp'],
      [1, 'job.opened', 'coordinator:credit-default-mlp'],
    ]);
    expect(lastEntry(transcript).data).toEqual({ jobId: 'credit-default-mlp', specSha256: sha256Hex(canonicalJson(spec)), invited: spec.invitedOrgs });
  });
});

describe('decisions', () => {
  it('refuses an earlier decision replayed after a later one', () => {
    const decline = signDecision(decisionBody('bank-1', { accepted: false, auditHead: { seq: 3, hash: '3'.repeat(64) } }), bank1);
    const accept = signDecision(decisionBody('bank-1', { accepted: true, auditHead: { seq: 5, hash: '5'.repeat(64) } }), bank1);
    transcript.acceptDecision(decline);
    transcript.acceptDecision(accept);

    expect(transcript.acceptDecision(decline)).toBeNull();

    expect(transcript.summary().decisions).toEqual([expect.objectContaining({ orgId: 'bank-1', accepted: true })]);
    expect(lastEntry(transcript)).toEqual({ type: 'decision.refused', data: expect.objectContaining({ orgId: 'bank-1', reason: expect.stringContaining('replayed') }) });
  });

  it('accepts a signed decision from an invited organisation and makes its audit head the organisation\'s head', () => {
    const message = signDecision(decisionBody('bank-1'), bank1);

    const recorded = transcript.acceptDecision(message);

    const expected: RecordedDecision = { orgId: 'bank-1', accepted: true, decidedBy: 'policy', decider: 'allow-credit-jobs', reason: '', at: AT, signer: BANK1_KEY };
    expect(recorded).toEqual(expected);
    expect(transcript.summary().decisions).toEqual([expected]);
    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 4, hash: HASH_4, at: AT, signer: BANK1_KEY }]);
    expect(entries(transcript).slice(2).map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'decision.received', data: { ...expected, auditHead: { seq: 4, hash: HASH_4 }, offerSha256: expect.any(String), signature: message.signature } },
      { type: 'audit-head.received', data: { orgId: 'bank-1', seq: 4, hash: HASH_4 } },
    ]);
  });

  it('lists the decisions of several organisations by organisation', () => {
    const declined = decisionBody('bank-2', { accepted: false, decidedBy: 'person', decider: 'Grace Hopper', reason: 'too many rounds', auditHead: { seq: 9, hash: '9'.repeat(64) } });
    transcript.acceptDecision(signDecision(declined, bank2));
    transcript.acceptDecision(signDecision(decisionBody('bank-1'), bank1));

    const { decisions, auditHeads } = transcript.summary();

    expect(decisions).toEqual([
      { orgId: 'bank-1', accepted: true, decidedBy: 'policy', decider: 'allow-credit-jobs', reason: '', at: AT, signer: BANK1_KEY },
      { orgId: 'bank-2', accepted: false, decidedBy: 'person', decider: 'Grace Hopper', reason: 'too many rounds', at: AT, signer: BANK2_KEY },
    ]);
    expect(auditHeads.map((head) => [head.orgId, head.seq])).toEqual([
      ['bank-1', 4],
      ['bank-2', 9],
    ]);
  });

  const signed = signDecision(decisionBody('bank-1'), bank1);
  it.each([
    [
      'a decision for another job',
      signDecision(decisionBody('bank-1', { jobId: 'another-job' }), bank1),
      { reason: 'a decision for job another-job from bank-1, which this job did not invite', signer: BANK1_KEY },
    ],
    [
      'a decision from an organisation the job did not invite',
      signDecision(decisionBody('bank-9'), outsider),
      { reason: 'a decision for job credit-default-mlp from bank-9, which this job did not invite', signer: OUTSIDER_KEY },
    ],
    ['an unsigned decision', { kind: 'shoal.decision/v1', ...decisionBody('bank-1') }, { reason: 'the message is not signed (expected payload, signature and signer)' }],
    [
      'a decision altered after signing',
      { ...signed, payload: signed.payload.replace('"seq":4', '"seq":5') },
      { reason: 'the signature does not match the payload: it was altered or signed by another key' },
    ],
    ['an audit head sent as a decision', signAuditHead(headBody('bank-1', 5), bank1), { reason: 'the signed payload is not a shoal.decision/v1' }],
  ])('refuses %s and records the refusal', (_name, message, refusal) => {
    const before = entries(transcript).length;

    const recorded = transcript.acceptDecision(message);

    expect(recorded).toBeNull();
    expect(transcript.summary().decisions).toEqual([]);
    expect(transcript.summary().auditHeads).toEqual([]);
    expect(entries(transcript)).toHaveLength(before + 1);
    expect(lastEntry(transcript)).toEqual({ type: 'decision.refused', data: refusal });
  });

  it('the altered decision above really differs from the signed one by one character', () => {
    const altered = signed.payload.replace('"seq":4', '"seq":5');

    expect(altered.length).toBe(signed.payload.length);
    expect([...altered].filter((char, index) => char !== signed.payload[index])).toHaveLength(1);
  });

  it('refuses a second decision for an organisation signed by another key, keeping the first', () => {
    transcript.acceptDecision(signDecision(decisionBody('bank-1'), bank1));
    const forged = signDecision(decisionBody('bank-1', { accepted: false, at: LATER, auditHead: { seq: 50, hash: '5'.repeat(64) } }), impostor);

    const recorded = transcript.acceptDecision(forged);

    expect(recorded).toBeNull();
    expect(transcript.summary().decisions).toEqual([{ orgId: 'bank-1', accepted: true, decidedBy: 'policy', decider: 'allow-credit-jobs', reason: '', at: AT, signer: BANK1_KEY }]);
    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 4, hash: HASH_4, at: AT, signer: BANK1_KEY }]);
    expect(lastEntry(transcript)).toEqual({ type: 'decision.refused', data: { orgId: 'bank-1', reason: 'a second decision signed by another key', signer: IMPOSTOR_KEY } });
  });

  it('lets a later decision signed by the same key replace the earlier one', () => {
    transcript.acceptDecision(signDecision(decisionBody('bank-1', { accepted: false, reason: 'forged offer' }), bank1));
    const later = decisionBody('bank-1', { accepted: true, at: LATER, auditHead: { seq: 7, hash: '7'.repeat(64) } });

    const recorded = transcript.acceptDecision(signDecision(later, bank1));

    const expected: RecordedDecision = { orgId: 'bank-1', accepted: true, decidedBy: 'policy', decider: 'allow-credit-jobs', reason: '', at: LATER, signer: BANK1_KEY };
    expect(recorded).toEqual(expected);
    expect(transcript.summary().decisions).toEqual([expected]);
    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 7, hash: '7'.repeat(64), at: LATER, signer: BANK1_KEY }]);
  });
});

describe('audit heads', () => {
  beforeEach(() => {
    transcript.acceptDecision(signDecision(decisionBody('bank-1'), bank1));
  });

  it('replaces an organisation\'s head with a higher one signed by its decision\'s key', () => {
    transcript.acceptAuditHead(signAuditHead(headBody('bank-1', 9), bank1));

    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 9, hash: '9'.repeat(64), at: LATER, signer: BANK1_KEY }]);
    expect(lastEntry(transcript)).toEqual({ type: 'audit-head.received', data: { orgId: 'bank-1', seq: 9, hash: '9'.repeat(64) } });
  });

  it('ignores a head lower than the one it holds, writing nothing', () => {
    const before = entries(transcript).length;

    transcript.acceptAuditHead(signAuditHead(headBody('bank-1', 3), bank1));

    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 4, hash: HASH_4, at: AT, signer: BANK1_KEY }]);
    expect(entries(transcript)).toHaveLength(before);
  });

  it('refuses a head signed by another key than the organisation\'s decision', () => {
    transcript.acceptAuditHead(signAuditHead(headBody('bank-1', 90), impostor));

    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 4, hash: HASH_4, at: AT, signer: BANK1_KEY }]);
    expect(lastEntry(transcript)).toEqual({
      type: 'audit-head.refused',
      data: { orgId: 'bank-1', reason: 'not signed by the key that signed the organisation\'s decision', signer: IMPOSTOR_KEY },
    });
  });

  it('refuses a head from an organisation that has sent no decision', () => {
    transcript.acceptAuditHead(signAuditHead(headBody('bank-2', 8), bank2));

    expect(transcript.summary().auditHeads.map((head) => head.orgId)).toEqual(['bank-1']);
    expect(lastEntry(transcript)).toEqual({
      type: 'audit-head.refused',
      data: { orgId: 'bank-2', reason: 'not signed by the key that signed the organisation\'s decision', signer: BANK2_KEY },
    });
  });

  it('refuses a head for another job, even from the right key', () => {
    transcript.acceptAuditHead(signAuditHead(headBody('bank-1', 9, { jobId: 'another-job' }), bank1));

    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 4, hash: HASH_4, at: AT, signer: BANK1_KEY }]);
    expect(lastEntry(transcript).type).toBe('audit-head.refused');
  });

  it('ignores a head altered after signing', () => {
    const signed = signAuditHead(headBody('bank-1', 9), bank1);

    transcript.acceptAuditHead({ ...signed, payload: signed.payload.replace('"seq":9', '"seq":8') });

    expect(transcript.summary().auditHeads).toEqual([{ orgId: 'bank-1', seq: 4, hash: HASH_4, at: AT, signer: BANK1_KEY }]);
  });
});

describe('joining', () => {
  it('records the key an organisation joined with and keeps its decision signed by that key', () => {
    transcript.acceptDecision(signDecision(decisionBody('bank-1'), bank1));

    transcript.onJoin('bank-1', BANK1_KEY);

    expect(transcript.summary().decisions.map((decision) => [decision.orgId, decision.signer])).toEqual([['bank-1', BANK1_KEY]]);
    expect(transcript.summary().auditHeads.map((head) => [head.orgId, head.seq])).toEqual([['bank-1', 4]]);
    expect(lastEntry(transcript)).toEqual({ type: 'participant.joined', data: { orgId: 'bank-1', identityKey: BANK1_KEY } });
  });

  it('discards a decision and head signed in the organisation\'s name by another key once it joins with its own', () => {
    transcript.acceptDecision(signDecision(decisionBody('bank-1', { accepted: false }), impostor));

    transcript.onJoin('bank-1', BANK1_KEY);

    expect(transcript.summary().decisions).toEqual([]);
    expect(transcript.summary().auditHeads).toEqual([]);
    expect(entries(transcript).slice(-2).map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'participant.joined', data: { orgId: 'bank-1', identityKey: BANK1_KEY } },
      { type: 'decision.discarded', data: { orgId: 'bank-1', reason: 'signed by a key other than the one the organisation joined with', signer: IMPOSTOR_KEY } },
    ]);
  });

  it('after a join, refuses a first decision signed by another key and accepts one signed by the joined key', () => {
    transcript.onJoin('bank-1', BANK1_KEY);

    const forged = transcript.acceptDecision(signDecision(decisionBody('bank-1', { accepted: false }), impostor));
    const refusal = lastEntry(transcript);
    const genuine = transcript.acceptDecision(signDecision(decisionBody('bank-1'), bank1));

    expect(forged).toBeNull();
    expect(refusal).toEqual({ type: 'decision.refused', data: { orgId: 'bank-1', reason: 'not signed by the key the organisation joined with', signer: IMPOSTOR_KEY } });
    expect(genuine?.signer).toBe(BANK1_KEY);
    expect(transcript.summary().decisions.map((decision) => [decision.orgId, decision.accepted, decision.signer])).toEqual([['bank-1', true, BANK1_KEY]]);
  });

  it('records a join without an identity key and pins nothing', () => {
    transcript.acceptDecision(signDecision(decisionBody('bank-1'), impostor));

    transcript.onJoin('bank-1', undefined);

    expect(lastEntry(transcript)).toEqual({ type: 'participant.joined', data: { orgId: 'bank-1', identityKey: null } });
    expect(transcript.summary().decisions.map((decision) => decision.signer)).toEqual([IMPOSTOR_KEY]);
  });
});

describe('the transcript file', () => {
  it('verifies against the transcript\'s own key and ends at the head the summary reports', () => {
    transcript.acceptDecision(signDecision(decisionBody('bank-1'), bank1));
    transcript.acceptDecision(signDecision(decisionBody('bank-9'), outsider));
    transcript.onJoin('bank-1', BANK1_KEY);
    transcript.acceptAuditHead(signAuditHead(headBody('bank-1', 9), bank1));
    transcript.acceptAuditHead(signAuditHead(headBody('bank-1', 12), impostor));
    const summary = transcript.summary();

    const verification = verifyAuditFile(summary.transcript.path, { publicKey: summary.transcript.publicKey });

    expect(verification).toEqual({
      ok: true,
      entries: 8,
      owner: 'coordinator:credit-default-mlp',
      publicKey: summary.transcript.publicKey,
      head: summary.transcript.head,
      problems: [],
    });
    expect(summary.transcript.head.seq).toBe(7);
    expect(entries(transcript).map((entry) => entry.type)).toEqual([
      'audit.opened',
      'job.opened',
      'decision.received',
      'audit-head.received',
      'decision.refused',
      'participant.joined',
      'audit-head.received',
      'audit-head.refused',
    ]);
  });

  it('does not verify against another key', () => {
    const summary = transcript.summary();

    const verification = verifyAuditFile(summary.transcript.path, { publicKey: BANK1_KEY });

    expect(verification.ok).toBe(false);
    expect(verification.problems.map((problem) => [problem.line, problem.kind])).toEqual([[1, 'wrong-key']]);
  });
});
