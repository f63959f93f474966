import { thrownShoalError } from '../testing/thrown-shoal-error';
import type { SecAggClient } from './secagg-client';
import { SecAggServer } from './secagg-server';
import { makeCohort, runRound, type Cohort } from './test-support';
import { configDigest } from './secagg-config';
import { seedCommitment } from './transcript';
import type { RevealedShare, UnmaskResponse } from './types';

const D = 8;

function input(org: string): Uint32Array {
  const seed = Number(org.slice(-3));
  return Uint32Array.from({ length: D }, (_, k) => (seed * 1000 + k * 7) >>> 0);
}

/** Shifts y by one in its lowest byte: still a field element, no longer on the owner's polynomial. */
function wrong(share: RevealedShare): RevealedShare {
  const y = new Uint8Array(share.y);
  y[y.length - 1] ^= 1;
  return { ...share, y };
}

/** `liar` reveals wrong shares of `kind` (for the owners in `owners`, or all). */
function lieAs(liar: string, kind: RevealedShare['kind'], owners?: string[]) {
  return (response: UnmaskResponse): UnmaskResponse => {
    if (response.orgId !== liar) return response;
    return { ...response, shares: response.shares.map((s) => (s.kind === kind && (owners === undefined || owners.includes(s.owner)) ? wrong(s) : s)) };
  };
}

describe('self-mask seed commitments', () => {
  it('advertises SHA-256 of the seed under a domain label, and an honest round names no bad holder', async () => {
    const cohort = makeCohort({ n: 5, elementCount: D, seed: 'commit-honest' });
    const ad = (cohort.clients.get('org-000') as SecAggClient).advertiseKeys();
    expect(ad.seedCommitment).toHaveLength(32);
    expect(Buffer.from(ad.seedCommitment)).not.toEqual(seedCommitment(configDigest(cohort.config), 'org-000', new Uint8Array(32)));
    const fresh = makeCohort({ n: 5, elementCount: D, seed: 'commit-honest' });
    const result = await runRound(fresh, { input });
    expect(result.sum).toEqual(result.expected);
    expect(result.badShareHolders).toEqual([]);
  });

  it('(a) a wrong self-mask-seed share with a spare present: exact sum, and the liar is named', async () => {
    // Complete graph of 5, threshold 4: each seed has 5 shares, one spare. org-001 sits among the 4 lowest x, so the first try fails.
    const cohort = makeCohort({ n: 5, elementCount: D, seed: 'commit-spare' });
    const result = await runRound(cohort, { input, alterUnmask: lieAs('org-001', 'self-mask-seed') });
    expect(result.sum).toEqual(result.expected);
    expect(result.badShareHolders).toEqual(['org-001']);
  });

  it('(b) a wrong self-mask-seed share with no spare: SECAGG_BAD_SHARE naming the owner', async () => {
    // org-004 signs then drops, leaving exactly t = 4 shares of each seed.
    const cohort = makeCohort({ n: 5, elementCount: D, seed: 'commit-no-spare' });
    let caught: unknown;
    await runRound(cohort, { input, dropAfterConsistency: ['org-004'], alterUnmask: lieAs('org-001', 'self-mask-seed', ['org-002']) }).catch((err) => (caught = err));
    const err = thrownShoalError(() => {
      throw caught;
    }, 'SECAGG_BAD_SHARE');
    expect(err.details).toMatchObject({ phase: 'finish', owner: 'org-002', kind: 'self-mask-seed', threshold: 4, shares: 4 });
    expect(err.details.suspects).toEqual(['org-000', 'org-001', 'org-002', 'org-003']);
    expect(err.message).toContain('self-mask seed of org-002');
  });

  it('(c) an advertisement whose commitment was tampered with fails signature verification; one without a 32-byte commitment is malformed', () => {
    const cohort: Cohort = makeCohort({ n: 5, elementCount: D, seed: 'commit-tamper' });
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    const ad = (cohort.clients.get('org-001') as SecAggClient).advertiseKeys();
    const flipped = new Uint8Array(ad.seedCommitment);
    flipped[0] ^= 0x80;
    thrownShoalError(() => server.receiveAdvertisement({ ...ad, seedCommitment: flipped }), 'SECAGG_BAD_SIGNATURE');
    const err = thrownShoalError(() => server.receiveAdvertisement({ ...ad, seedCommitment: new Uint8Array(0) }), 'SECAGG_BAD_MESSAGE');
    expect(err.message).toContain('32-byte self-mask seed commitment');
    server.receiveAdvertisement(ad);
  });

  it('(d) a wrong masking-key share is identified the same way', async () => {
    // org-005 shares keys then drops: its masking key has 5 surviving holders against t = 4.
    const cohort = makeCohort({ n: 6, threshold: 4, elementCount: D, seed: 'commit-masking-key' });
    const result = await runRound(cohort, { input, dropAfterShare: ['org-005'], alterUnmask: lieAs('org-002', 'masking-key') });
    expect(result.survivors).not.toContain('org-005');
    expect(result.sum).toEqual(result.expected);
    expect(result.badShareHolders).toEqual(['org-002']);
  });

  it('leaves a caught liar out of every later secret, even where its share would come first', async () => {
    const cohort = makeCohort({ n: 6, threshold: 4, elementCount: D, seed: 'commit-everywhere' });
    const result = await runRound(cohort, { input, alterUnmask: lieAs('org-000', 'self-mask-seed') });
    expect(result.sum).toEqual(result.expected);
    expect(result.badShareHolders).toEqual(['org-000']);
  });

  it('two liars among six holders of threshold 4 are both named', async () => {
    const cohort = makeCohort({ n: 6, threshold: 4, elementCount: D, seed: 'commit-two-liars' });
    const both = (r: UnmaskResponse) => lieAs('org-003', 'self-mask-seed')(lieAs('org-001', 'self-mask-seed')(r));
    const result = await runRound(cohort, { input, alterUnmask: both });
    expect(result.sum).toEqual(result.expected);
    expect(result.badShareHolders).toEqual(['org-001', 'org-003']);
  });
});
