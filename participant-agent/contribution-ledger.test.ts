import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ShoalError } from '../common/errors';
import { ContributionLedger, contributionLedgerPath } from './contribution-ledger';

function thrown(run: () => unknown): ShoalError {
  try {
    run();
  } catch (err) {
    return err as ShoalError;
  }
  throw new Error('expected a throw');
}

describe('ContributionLedger', () => {
  let workDir: string;
  const now = new Date('2026-01-02T03:04:05.000Z');
  const MODEL_A = 'a'.repeat(64);
  const MODEL_B = 'b'.repeat(64);

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'shoal-contributions-'));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  test('a missing file means nothing was contributed, and opening creates nothing', () => {
    const ledger = ContributionLedger.open(workDir, 'job-a');

    expect(ledger.hasContributed(3, 'fit')).toBe(false);
    expect(readdirSync(workDir)).toEqual([]);
  });

  test('a recorded contribution is on disk, owner-only, and a new instance (a restarted agent) still knows it', () => {
    ContributionLedger.open(workDir, 'job-a').recordContribution(3, 'fit', 'fit-3', MODEL_A, now);

    const path = contributionLedgerPath(workDir, 'job-a');
    expect(path).toBe(join(workDir, 'contributions', 'job-a.json'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    const reopened = ContributionLedger.open(workDir, 'job-a');
    expect(reopened.hasContributed(3, 'fit')).toBe(true);
    expect(reopened.collectionOf(3, 'fit')).toBe('fit-3');
    // Another round, another kind or another job is a separate entry.
    expect(reopened.hasContributed(3, 'evaluate')).toBe(false);
    expect(reopened.hasContributed(4, 'fit')).toBe(false);
    expect(ContributionLedger.open(workDir, 'job-b').hasContributed(3, 'fit')).toBe(false);
    expect(reopened.entries()).toEqual([{ round: 3, kind: 'fit', collectionId: 'fit-3', modelSha256: MODEL_A, at: '2026-01-02T03:04:05.000Z' }]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 2, jobId: 'job-a' });
  });

  test('a second collection of the same round and kind is refused; the same one again is a no-op', () => {
    const ledger = ContributionLedger.open(workDir, 'job-a');
    ledger.recordContribution(3, 'fit', 'fit-3', MODEL_A, now);
    ledger.recordContribution(3, 'fit', 'fit-3', MODEL_A, now);

    const err = thrown(() => ledger.recordContribution(3, 'fit', 'fit-3-s1-a2', MODEL_B, now));
    expect(err.code).toBe('SECAGG_ALREADY_CONTRIBUTED');
    expect(err.message).toBe('a masked fit input for round 3 was already sent to collection fit-3; none is sent to fit-3-s1-a2');
    expect(ContributionLedger.open(workDir, 'job-a').entries()).toHaveLength(1);
  });

  test('a model already sent for a kind in one round is refused for that kind in any other round, across restarts', () => {
    const ledger = ContributionLedger.open(workDir, 'job-a');
    ledger.recordContribution(3, 'fit', 'fit-3', MODEL_A, now);
    ledger.recordContribution(3, 'evaluate', 'evaluate-3', MODEL_B, now);
    // The model evaluated after round 3 is the one round 4 fits: another kind, so allowed.
    ledger.recordContribution(4, 'fit', 'fit-4', MODEL_B, now);

    const reopened = ContributionLedger.open(workDir, 'job-a');
    expect(reopened.contributionWithModel('fit', MODEL_A)).toEqual({ round: 3, kind: 'fit', collectionId: 'fit-3', modelSha256: MODEL_A, at: now.toISOString() });
    expect(reopened.contributionWithModel('evaluate', MODEL_A)).toBeUndefined();
    const err = thrown(() => reopened.recordContribution(5, 'fit', 'fit-5', MODEL_A, now));
    expect(err.code).toBe('SECAGG_MODEL_REPEATED');
    expect(err.message).toBe('the model of this fit task for round 5 is the one whose masked fit input was already sent in round 3 (collection fit-3); a second secure sum of one model over another roster would let the aggregator difference the two');
    expect(err.details).toEqual({ round: 5, kind: 'fit', collectionId: 'fit-5', contributedTo: 'fit-3', contributedInRound: 3 });
    expect(thrown(() => reopened.recordContribution(5, 'evaluate', 'evaluate-5', MODEL_B, now)).code).toBe('SECAGG_MODEL_REPEATED');
    // Nothing was written for the refused ones.
    expect(ContributionLedger.open(workDir, 'job-a').entries().map((e) => e.collectionId)).toEqual(['fit-3', 'evaluate-3', 'fit-4']);
  });

  test('entries without a model (statistics) never match one another by model', () => {
    const ledger = ContributionLedger.open(workDir, 'job-a');
    ledger.recordContribution(0, 'statistics', 'statistics-0', null, now);

    expect(ledger.entries()[0].modelSha256).toBeNull();
    // A second statistics input is still refused, by its (round, kind).
    expect(thrown(() => ledger.recordContribution(0, 'statistics', 'statistics-0-s2-a1', null, now)).code).toBe('SECAGG_ALREADY_CONTRIBUTED');
  });

  test('a version-1 file is read with no model hashes, keeps refusing its rounds, and is written back as version 2', () => {
    const path = contributionLedgerPath(workDir, 'job-a');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ version: 1, jobId: 'job-a', entries: [{ round: 3, kind: 'fit', collectionId: 'fit-3', at: now.toISOString() }] }));

    const ledger = ContributionLedger.open(workDir, 'job-a');
    expect(ledger.entries()).toEqual([{ round: 3, kind: 'fit', collectionId: 'fit-3', modelSha256: null, at: now.toISOString() }]);
    expect(thrown(() => ledger.recordContribution(3, 'fit', 'fit-3-s2-a1', MODEL_A, now)).code).toBe('SECAGG_ALREADY_CONTRIBUTED');
    ledger.recordContribution(4, 'fit', 'fit-4', MODEL_A, now);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 2,
      jobId: 'job-a',
      entries: [
        { round: 3, kind: 'fit', collectionId: 'fit-3', modelSha256: null, at: now.toISOString() },
        { round: 4, kind: 'fit', collectionId: 'fit-4', modelSha256: MODEL_A, at: now.toISOString() },
      ],
    });
  });

  test.each([
    ['not JSON', '{"version":', 'is not valid JSON'],
    ['a wrong shape', JSON.stringify({ version: 1, jobId: 'job-a', entries: [{ round: 'three', kind: 'fit', collectionId: 'fit-3', at: now.toISOString() }] }), 'does not hold a contribution ledger (entries.0.round:'],
    ['another job', JSON.stringify({ version: 1, jobId: 'job-b', entries: [] }), 'belongs to job job-b, not job-a'],
    ['a model hash that is not SHA-256 hex', JSON.stringify({ version: 2, jobId: 'job-a', entries: [{ round: 3, kind: 'fit', collectionId: 'fit-3', modelSha256: 'abc', at: now.toISOString() }] }), 'does not hold a contribution ledger (entries.0.modelSha256:'],
    ['a version-2 entry without its model hash', JSON.stringify({ version: 2, jobId: 'job-a', entries: [{ round: 3, kind: 'fit', collectionId: 'fit-3', at: now.toISOString() }] }), 'does not hold a contribution ledger (entries.0.modelSha256:'],
    ['an unknown version', JSON.stringify({ version: 3, jobId: 'job-a', entries: [] }), 'does not hold a contribution ledger (version:'],
  ])('a file holding %s is refused with an error naming the file, and left as it is', (_what, content, why) => {
    const path = contributionLedgerPath(workDir, 'job-a');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);

    const err = thrown(() => ContributionLedger.open(workDir, 'job-a'));
    expect(err.code).toBe('CONTRIBUTION_LEDGER_CORRUPT');
    expect(err.message).toContain(`the contribution ledger ${path} ${why}`);
    expect(err.details).toEqual({ path });
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  test('a job id that is not an identifier never becomes a path', () => {
    expect(thrown(() => ContributionLedger.open(workDir, '../escape')).code).toBe('INVALID_IDENTIFIER');
  });
});
