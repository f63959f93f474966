import { thrownShoalError } from '../testing/thrown-shoal-error';
import type { SecAggClient } from './secagg-client';
import { SecAggServer } from './secagg-server';
import { identitiesFor, makeCohort, orgNames, type Cohort } from './test-support';
import { advertisementMessage, survivorsMessage } from './transcript';
import { configDigest } from './secagg-config';
import type { IdentityKeyPair, KeyAdvertisement, SurvivorSignature } from './types';

const D = 16;
const ORGS = orgNames(5); // complete graph, threshold 4

function client(cohort: Cohort, org: string): SecAggClient {
  return cohort.clients.get(org) as SecAggClient;
}

function identity(cohort: Cohort, org: string): IdentityKeyPair {
  return cohort.identities.get(org) as IdentityKeyPair;
}

interface Stage {
  cohort: Cohort;
  server: SecAggServer;
  advertisements: KeyAdvertisement[];
  survivors: string[];
  signatures: SurvivorSignature[];
}

/** Runs a 5-participant collection up to the unmasking phase; everyone survives. */
async function toUnmask(options: { seed: string; collectionId?: string; jobId?: string; minSurvivors?: number }): Promise<Stage> {
  const cohort = makeCohort({ n: 5, elementCount: D, seed: options.seed, collectionId: options.collectionId, jobId: options.jobId });
  const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: options.minSurvivors ?? 3 });
  for (const org of ORGS) server.receiveAdvertisement(client(cohort, org).advertiseKeys());
  const advertisements = server.closeAdvertise();
  for (const org of ORGS) server.receiveShares(org, client(cohort, org).shareKeys(advertisements));
  server.closeShareKeys();
  for (const org of ORGS) server.receiveMaskedInput(org, await client(cohort, org).maskInput(server.sharesFor(org), new Uint32Array(D)));
  const survivors = server.closeMaskedInput();
  for (const org of ORGS) server.receiveSurvivorSignature(client(cohort, org).signSurvivors(survivors));
  const signatures = server.closeConsistency();
  return { cohort, server, advertisements, survivors, signatures };
}

/** Signatures over `set` made directly with the identities, as a colluding server would collect them. */
function signSet(cohort: Cohort, set: string[]): SurvivorSignature[] {
  const digest = configDigest(cohort.config);
  return set.map((org) => ({ orgId: org, signature: identity(cohort, org).sign(survivorsMessage(digest, set)) }));
}

describe('advertisements', () => {
  function fresh(seed: string, collectionId = 'fit-1', jobId = 'job-1') {
    const cohort = makeCohort({ n: 5, elementCount: D, seed, collectionId, jobId });
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    return { cohort, server, ads: ORGS.map((org) => client(cohort, org).advertiseKeys()) };
  }

  it('refuses an unsigned advertisement, at the server and at a participant', () => {
    const { cohort, server, ads } = fresh('ads-unsigned');
    const unsigned = { ...ads[1], signature: new Uint8Array(0) };
    const err = thrownShoalError(() => server.receiveAdvertisement(unsigned), 'SECAGG_BAD_SIGNATURE');
    expect(err.message).toBe('advertise: key advertisement of org-001 does not verify against its roster key (unsigned, signed by another key, or from another job or collection)');
    expect(err.details).toMatchObject({ phase: 'advertise', org: 'org-001' });
    expect(err.component).toBe('secagg');
    thrownShoalError(() => client(cohort, 'org-000').shareKeys([ads[0], unsigned, ...ads.slice(2)]), 'SECAGG_BAD_SIGNATURE');
  });

  it('refuses an advertisement re-signed by a key other than the roster\'s', () => {
    const { cohort, server, ads } = fresh('ads-resigned');
    const impostor = identitiesFor(['org-001'], 'impostor').get('org-001') as IdentityKeyPair;
    const resigned = { ...ads[1], signature: impostor.sign(advertisementMessage(configDigest(cohort.config), 'org-001', ads[1].encryptionKey, ads[1].maskingKey, ads[1].seedCommitment)) };
    thrownShoalError(() => server.receiveAdvertisement(resigned), 'SECAGG_BAD_SIGNATURE');
    const err = thrownShoalError(() => client(cohort, 'org-000').shareKeys([ads[0], resigned, ...ads.slice(2)]), 'SECAGG_BAD_SIGNATURE');
    expect(err.message).toContain('share: key advertisement of org-001');
  });

  it('refuses advertisements replayed from an earlier collection or another job', () => {
    const { server } = fresh('ads-replay');
    // The same identities (same seed) in another collection and another job.
    const earlier = fresh('ads-replay', 'fit-0').ads[2];
    const otherJob = fresh('ads-replay', 'fit-1', 'job-0').ads[3];
    expect(thrownShoalError(() => server.receiveAdvertisement(earlier), 'SECAGG_BAD_SIGNATURE').message).toContain('org-002');
    expect(thrownShoalError(() => server.receiveAdvertisement(otherJob), 'SECAGG_BAD_SIGNATURE').message).toContain('org-003');
  });

  it('refuses unknown orgs and duplicates', () => {
    const { cohort, server, ads } = fresh('ads-dup');
    thrownShoalError(() => server.receiveAdvertisement({ ...ads[0], orgId: 'org-999' }), 'SECAGG_BAD_MESSAGE');
    server.receiveAdvertisement(ads[0]);
    expect(thrownShoalError(() => server.receiveAdvertisement(ads[0]), 'SECAGG_BAD_MESSAGE').message).toBe('advertise: a second key advertisement from org-000');
    thrownShoalError(() => client(cohort, 'org-001').shareKeys([...ads, ads[3]]), 'SECAGG_BAD_MESSAGE');
  });

  it('waits for the missing and stops waiting for the gone', () => {
    const { server, ads } = fresh('ads-wait');
    ads.slice(0, 3).forEach((ad) => server.receiveAdvertisement(ad));
    expect(server.waitingFor()).toEqual(['org-003', 'org-004']);
    server.markGone('org-004', 'disconnected');
    expect(server.waitingFor()).toEqual(['org-003']);
    expect(thrownShoalError(() => server.receiveAdvertisement(ads[4]), 'SECAGG_BAD_MESSAGE').message).toBe('advertise: key advertisement from org-004, which was marked gone (disconnected)');
  });

  it('refuses to share with fewer than t advertised neighbours', () => {
    const { cohort, ads } = fresh('ads-few');
    const err = thrownShoalError(() => client(cohort, 'org-000').shareKeys(ads.slice(0, 3)), 'SECAGG_TOO_FEW_SURVIVORS');
    expect(err.message).toBe("share: only 3 of the 5 members of org-000's neighbourhood advertised keys; the threshold is 4");
  });
});

describe('order', () => {
  it('refuses out-of-order calls at participant and server', async () => {
    const cohort = makeCohort({ n: 5, elementCount: D, seed: 'order' });
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    await expect(client(cohort, 'org-000').maskInput([], new Uint32Array(D))).rejects.toMatchObject({ code: 'SECAGG_OUT_OF_ORDER' });
    thrownShoalError(() => client(cohort, 'org-000').unmask(ORGS, []), 'SECAGG_OUT_OF_ORDER');
    thrownShoalError(() => server.receiveShares('org-000', []), 'SECAGG_OUT_OF_ORDER');
    thrownShoalError(() => server.sharesFor('org-000'), 'SECAGG_OUT_OF_ORDER');
    await expect(server.finish()).rejects.toMatchObject({ code: 'SECAGG_OUT_OF_ORDER' });
    const ad = client(cohort, 'org-000').advertiseKeys();
    expect(client(cohort, 'org-000').advertiseKeys()).toEqual(ad);
  });
});

describe('shares and masked inputs', () => {
  async function shared(seed: string, n = 5, degree?: number) {
    const cohort = makeCohort({ n, elementCount: D, seed, degree });
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    const orgs = orgNames(n);
    for (const org of orgs) server.receiveAdvertisement(client(cohort, org).advertiseKeys());
    const ads = server.closeAdvertise();
    const shares = new Map(orgs.map((org) => [org, client(cohort, org).shareKeys(ads)]));
    return { cohort, server, shares, orgs };
  }

  it('the server refuses shares off the neighbour graph, missing, misattributed or of the wrong length', async () => {
    const { server, shares } = await shared('shares-sparse', 8, 4);
    const mine = shares.get('org-000') as ReturnType<SecAggClient['shareKeys']>;
    expect(mine).toHaveLength(4);
    const outsider = orgNames(8).find((org) => org !== 'org-000' && !mine.some((s) => s.to === org)) as string;
    const err = thrownShoalError(() => server.receiveShares('org-000', [...mine.slice(1), { ...mine[0], to: outsider }]), 'SECAGG_BAD_MESSAGE');
    expect(err.message).toBe(`share: org-000 sent a share to ${outsider}, which is not one of its advertised neighbours`);
    expect(thrownShoalError(() => server.receiveShares('org-000', mine.slice(1)), 'SECAGG_BAD_MESSAGE').message).toBe(`share: org-000 sent no share for ${mine[0].to}`);
    thrownShoalError(() => server.receiveShares('org-000', [{ ...mine[0], from: 'org-001' }, ...mine.slice(1)]), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => server.receiveShares('org-000', [{ ...mine[0], ciphertext: mine[0].ciphertext.subarray(1) }, ...mine.slice(1)]), 'SECAGG_BAD_MESSAGE');
    server.receiveShares('org-000', mine);
    thrownShoalError(() => server.receiveShares('org-000', mine), 'SECAGG_BAD_MESSAGE');
  });

  it('a participant refuses a tampered or misaddressed share and an input of the wrong length', async () => {
    const { cohort, server, shares, orgs } = await shared('shares-tamper');
    for (const org of orgs) server.receiveShares(org, shares.get(org) as ReturnType<SecAggClient['shareKeys']>);
    server.closeShareKeys();
    const forMe = server.sharesFor('org-000');
    const tampered = Uint8Array.from(forMe[1].ciphertext);
    tampered[20] ^= 1;
    const me = client(cohort, 'org-000');
    await expect(me.maskInput([forMe[0], { ...forMe[1], ciphertext: tampered }, ...forMe.slice(2)], new Uint32Array(D))).rejects.toMatchObject({
      code: 'SECAGG_BAD_MESSAGE',
      message: `masked-input: the share from ${forMe[1].from} does not decrypt for org-000 (tampered, or from another collection)`,
    });
    await expect(me.maskInput(server.sharesFor('org-001'), new Uint32Array(D))).rejects.toMatchObject({ code: 'SECAGG_BAD_MESSAGE' });
    await expect(me.maskInput(forMe, new Uint32Array(D - 1))).rejects.toMatchObject({ code: 'SECAGG_BAD_MESSAGE' });
    await expect(me.maskInput(forMe.slice(0, 2), new Uint32Array(D))).rejects.toMatchObject({ code: 'SECAGG_TOO_FEW_SURVIVORS' });
    const masked = await me.maskInput(forMe, new Uint32Array(D));
    thrownShoalError(() => server.receiveMaskedInput('org-001', new Uint32Array(D + 1)), 'SECAGG_BAD_MESSAGE');
    server.receiveMaskedInput('org-000', masked);
    thrownShoalError(() => server.receiveMaskedInput('org-000', masked), 'SECAGG_BAD_MESSAGE');
  });
});

describe('quorum', () => {
  it('refuses to unmask a sum of fewer participants than the job\'s minimum', async () => {
    const cohort = makeCohort({ n: 5, elementCount: D, seed: 'quorum' });
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 4 });
    for (const org of ORGS) server.receiveAdvertisement(client(cohort, org).advertiseKeys());
    const ads = server.closeAdvertise();
    for (const org of ORGS) server.receiveShares(org, client(cohort, org).shareKeys(ads));
    server.closeShareKeys();
    for (const org of ORGS.slice(0, 3)) server.receiveMaskedInput(org, await client(cohort, org).maskInput(server.sharesFor(org), new Uint32Array(D)));
    expect(server.waitingFor()).toEqual(['org-003', 'org-004']);
    const err = thrownShoalError(() => server.closeMaskedInput(), 'QUORUM_NOT_MET');
    expect(err.message).toBe("masked-input: refusing to unmask a sum of 3 participants; the job's minimum is 4");
    expect(err.retryable).toBe(true);
  });
});

describe('unmasking', () => {
  it('a participant refuses to sign a survivor set below its own floor, even one its neighbourhood threshold allows (SECAGG_TOO_FEW_SURVIVORS)', async () => {
    const cohort = makeCohort({ n: 5, elementCount: D, seed: 'own-floor', clientMinSurvivors: 5 });
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    for (const org of ORGS) server.receiveAdvertisement(client(cohort, org).advertiseKeys());
    const advertisements = server.closeAdvertise();
    for (const org of ORGS) server.receiveShares(org, client(cohort, org).shareKeys(advertisements));
    server.closeShareKeys();
    for (const org of ORGS) await client(cohort, org).maskInput(server.sharesFor(org), new Uint32Array(D));
    // A hostile aggregator drops org-004's input: 4 survivors meet the threshold of 4, not the participants' floor of 5.
    const fewer = ORGS.filter((org) => org !== 'org-004');
    const err = thrownShoalError(() => client(cohort, 'org-000').signSurvivors(fewer), 'SECAGG_TOO_FEW_SURVIVORS');
    expect(err.message).toContain('only in a sum of at least 5');
    expect(client(cohort, 'org-001').signSurvivors(ORGS).orgId).toBe('org-001');
  });

  it('answers the signed set, and the same request again identically', async () => {
    const { cohort, survivors, signatures } = await toUnmask({ seed: 'unmask-ok' });
    const first = client(cohort, 'org-000').unmask(survivors, signatures);
    expect(first.shares.map((s) => `${s.kind}:${s.owner}`)).toEqual(ORGS.map((org) => `self-mask-seed:${org}`));
    expect(client(cohort, 'org-000').unmask(survivors, signatures)).toEqual(first);
  });

  it('refuses a second survivor set that would reveal a survivor\'s masking-key share (SECAGG_DOUBLE_REVEAL)', async () => {
    const { cohort, survivors, signatures } = await toUnmask({ seed: 'double' });
    const me = client(cohort, 'org-000');
    me.unmask(survivors, signatures);
    // The server now claims org-004 dropped, to get org-004's masking-key share on top of its seed share.
    const smaller = survivors.filter((org) => org !== 'org-004');
    const err = thrownShoalError(() => me.unmask(smaller, signSet(cohort, smaller)), 'SECAGG_DOUBLE_REVEAL');
    expect(err.message).toBe("unmask: org-000 was asked to unmask a survivor set other than the one it signed; answering could reveal both secrets of a peer");
    thrownShoalError(() => me.signSurvivors(smaller), 'SECAGG_DOUBLE_REVEAL');
    // Another participant, asked with the other set before it revealed anything, refuses too.
    thrownShoalError(() => client(cohort, 'org-001').unmask(smaller, signSet(cohort, smaller)), 'SECAGG_DOUBLE_REVEAL');
  });

  it('refuses a survivor set below the threshold (SECAGG_TOO_FEW_SURVIVORS)', async () => {
    const { cohort, survivors, signatures } = await toUnmask({ seed: 'too-few' });
    const small = ['org-000', 'org-001', 'org-002'];
    const err = thrownShoalError(() => client(cohort, 'org-000').unmask(small, signSet(cohort, small)), 'SECAGG_TOO_FEW_SURVIVORS');
    expect(err.message).toBe("unmask: the survivor set holds 3 members of org-000's neighbourhood; the threshold is 4");
    expect(client(cohort, 'org-000').unmask(survivors, signatures).shares).toHaveLength(5);
  });

  it('refuses a survivor set signed by too few (SECAGG_BAD_SIGNATURE)', async () => {
    const { cohort, survivors, signatures } = await toUnmask({ seed: 'unsigned' });
    expect(thrownShoalError(() => client(cohort, 'org-000').unmask(survivors, []), 'SECAGG_BAD_SIGNATURE').message).toBe(
      "unmask: the survivor set carries 0 valid signatures from survivors in org-000's neighbourhood; the threshold is 4",
    );
    thrownShoalError(() => client(cohort, 'org-000').unmask(survivors, signatures.slice(0, 3)), 'SECAGG_BAD_SIGNATURE');
    const forged = signatures.map((s, i) => (i === 2 ? { ...s, signature: signatures[3].signature } : s));
    expect(thrownShoalError(() => client(cohort, 'org-000').unmask(survivors, forged), 'SECAGG_BAD_SIGNATURE').message).toContain('survivor-set signature of org-002');
  });

  it('refuses survivor signatures replayed from another collection or job, at server and participant', async () => {
    const current = await toUnmask({ seed: 'replay' });
    const earlier = await toUnmask({ seed: 'replay', collectionId: 'fit-0' });
    const otherJob = await toUnmask({ seed: 'replay', jobId: 'job-0' });
    const err = thrownShoalError(() => client(current.cohort, 'org-000').unmask(current.survivors, earlier.signatures), 'SECAGG_BAD_SIGNATURE');
    expect(err.message).toBe('unmask: survivor-set signature of org-000 does not verify (over another set, from another job or collection, or by another key)');
    thrownShoalError(() => client(current.cohort, 'org-001').unmask(current.survivors, otherJob.signatures), 'SECAGG_BAD_SIGNATURE');
  });

  it('the server refuses replayed signatures during the consistency check', async () => {
    const earlier = await toUnmask({ seed: 'replay-server', collectionId: 'fit-0' });
    const cohort = makeCohort({ n: 5, elementCount: D, seed: 'replay-server' });
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    for (const org of ORGS) server.receiveAdvertisement(client(cohort, org).advertiseKeys());
    const ads = server.closeAdvertise();
    for (const org of ORGS) server.receiveShares(org, client(cohort, org).shareKeys(ads));
    server.closeShareKeys();
    for (const org of ORGS) server.receiveMaskedInput(org, await client(cohort, org).maskInput(server.sharesFor(org), new Uint32Array(D)));
    server.closeMaskedInput();
    const err = thrownShoalError(() => server.receiveSurvivorSignature(earlier.signatures[1]), 'SECAGG_BAD_SIGNATURE');
    expect(err.message).toContain('consistency: survivor-set signature of org-001 does not verify');
  });

  it('the server refuses an unmask response that reveals what was not asked for', async () => {
    const { cohort, server, survivors, signatures } = await toUnmask({ seed: 'server-unmask' });
    const response = client(cohort, 'org-000').unmask(survivors, signatures);
    const wrongKind = { ...response, shares: response.shares.map((s, i) => (i === 1 ? { ...s, kind: 'masking-key' as const } : s)) };
    expect(thrownShoalError(() => server.receiveUnmask(wrongKind), 'SECAGG_BAD_MESSAGE').message).toBe(
      'unmask: org-000 revealed a masking-key share of org-001, which was not asked for',
    );
    thrownShoalError(() => server.receiveUnmask({ ...response, shares: response.shares.slice(1) }), 'SECAGG_BAD_MESSAGE');
    server.receiveUnmask(response);
    thrownShoalError(() => server.receiveUnmask(response), 'SECAGG_BAD_MESSAGE');
  });
});
