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
    ContributionLedger.open(workDir, 'job-a').recordContribution(3, 'fit', 'fit-3', now);

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
    expect(reopened.entries()).toEqual([{ round: 3, kind: 'fit', collectionId: 'fit-3', at: '2026-01-02T03:04:05.000Z' }]);
  });

  test('a second collection of the same round and kind is refused; the same one again is a no-op', () => {
    const ledger = ContributionLedger.open(workDir, 'job-a');
    ledger.recordContribution(3, 'fit', 'fit-3', now);
    ledger.recordContribution(3, 'fit', 'fit-3', now);

    const err = thrown(() => ledger.recordContribution(3, 'fit', 'fit-3-s1-a2', now));
    expect(err.code).toBe('SECAGG_ALREADY_CONTRIBUTED');
    expect(err.message).toBe('a masked fit input for round 3 was already sent to collection fit-3; none is sent to fit-3-s1-a2');
    expect(ContributionLedger.open(workDir, 'job-a').entries()).toHaveLength(1);
  });

  test.each([
    ['not JSON', '{"version":', 'is not valid JSON'],
    ['a wrong shape', JSON.stringify({ version: 1, jobId: 'job-a', entries: [{ round: 'three', kind: 'fit', collectionId: 'fit-3', at: now.toISOString() }] }), 'does not hold a contribution ledger (entries.0.round:'],
    ['another job', JSON.stringify({ version: 1, jobId: 'job-b', entries: [] }), 'belongs to job job-b, not job-a'],
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
