import { thrownShoalError } from '../testing/thrown-shoal-error';
import type { SecAggClient } from './secagg-client';
import { secAggTopology, type SecAggTopology } from './secagg-config';
import { SecAggServer } from './secagg-server';
import { survivorComponents } from './survivor-graph';
import { makeCohort, orgNames, type Cohort } from './test-support';
import { configDigest } from './secagg-config';
import { survivorsMessage } from './transcript';
import type { IdentityKeyPair, SurvivorSignature } from './types';

const D = 8;

function client(cohort: Cohort, org: string): SecAggClient {
  return cohort.clients.get(org) as SecAggClient;
}

/**
 * The ring order of a degree-4 graph, read back from the neighbour sets
 * alone: ring-adjacent members share two neighbours besides each other,
 * members two apart share one.
 */
function ringOf(topology: SecAggTopology): string[] {
  const others = (org: string) => (topology.neighbours.get(org) as readonly string[]).filter((peer) => peer !== org);
  const shared = (a: string, b: string) => others(a).filter((peer) => peer !== b && others(b).includes(peer)).length;
  const start = topology.participants[0];
  const ring = [start, others(start).find((peer) => shared(start, peer) === 2) as string];
  while (ring.length < topology.participants.length) {
    const [before, at] = ring.slice(-2);
    ring.push(others(at).find((peer) => peer !== before && shared(at, peer) === 2) as string);
  }
  return ring;
}

describe('survivorComponents', () => {
  const ringCohort = makeCohort({ n: 30, elementCount: D, seed: 'components', degree: 4 });
  const topology = secAggTopology(ringCohort.config);
  const ring = ringOf(topology);

  it('reads back a ring that visits every participant once', () => {
    expect(new Set(ring).size).toBe(30);
    ring.forEach((org, i) => expect(topology.neighbours.get(org)).toContain(ring[(i + 2) % 30]));
  });

  it('is one component for everyone, and for the ring with one run of degree/2 removed', () => {
    expect(survivorComponents(topology, ring)).toEqual([[...ring].sort()]);
    expect(survivorComponents(topology, ring.slice(2))).toHaveLength(1);
    // Runs of only degree/2 - 1 = 1 removed in several places never split the ring.
    expect(survivorComponents(topology, ring.filter((_, i) => i % 3 !== 0))).toHaveLength(1);
  });

  it('splits the ring when runs of degree/2 are removed in two places, largest part first', () => {
    const survivors = ring.filter((_, i) => ![0, 1, 10, 11].includes(i));
    expect(survivorComponents(topology, survivors)).toEqual([ring.slice(12).sort(), ring.slice(2, 10).sort()]);
  });

  it('is one component for any subset of the complete graph, and none for no survivors', () => {
    const complete = secAggTopology(makeCohort({ n: 6, elementCount: D, seed: 'components-complete' }).config);
    expect(survivorComponents(complete, ['org-005', 'org-001'])).toEqual([['org-001', 'org-005']]);
    expect(survivorComponents(complete, [])).toEqual([]);
  });
});

describe('a hostile server splitting the ring (n = 30, degree 4, threshold 4)', () => {
  it('every named survivor refuses to sign, and the honest server refuses to close (SECAGG_DISCONNECTED_SURVIVORS)', async () => {
    const cohort = makeCohort({ n: 30, elementCount: D, seed: 'split-ring', degree: 4 });
    expect(cohort.config).toMatchObject({ degree: 4, threshold: 4 });
    const orgs = orgNames(30);
    const ring = ringOf(secAggTopology(cohort.config));
    // Two runs of degree/2 = 2 consecutive ring members, opposite each other.
    const dropped = new Set([ring[0], ring[1], ring[15], ring[16]]);
    const survivors = orgs.filter((org) => !dropped.has(org));

    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    for (const org of orgs) server.receiveAdvertisement(client(cohort, org).advertiseKeys());
    const advertisements = server.closeAdvertise();
    for (const org of orgs) server.receiveShares(org, client(cohort, org).shareKeys(advertisements));
    server.closeShareKeys();
    for (const org of orgs) {
      const masked = await client(cohort, org).maskInput(server.sharesFor(org), new Uint32Array(D));
      // The dropped ones did mask; a hostile server would simply claim their inputs never came.
      if (!dropped.has(org)) server.receiveMaskedInput(org, masked);
    }

    for (const org of survivors) {
      const err = thrownShoalError(() => client(cohort, org).signSurvivors(survivors), 'SECAGG_DISCONNECTED_SURVIVORS');
      expect(err.details).toMatchObject({ phase: 'consistency', org, components: 2, componentSizes: [13, 13] });
    }
    expect(thrownShoalError(() => client(cohort, survivors[0]).signSurvivors(survivors), 'SECAGG_DISCONNECTED_SURVIVORS').message).toBe(
      `consistency: the survivor set of 26 falls into 2 parts of the neighbour graph (sizes 13, 13); unmasking it would reveal the sum of each part, so ${survivors[0]} refuses`,
    );

    // The same 26 inputs really arriving: the honest server will not unmask them either.
    const err = thrownShoalError(() => server.closeMaskedInput(), 'SECAGG_DISCONNECTED_SURVIVORS');
    expect(err.message).toBe(
      'masked-input: refusing to unmask: the 26 participants that sent masked inputs fall into 2 parts of the neighbour graph (sizes 13, 13), and unmasking would reveal the sum of each part',
    );
    expect(err.details).toEqual({ phase: 'masked-input', components: 2, componentSizes: [13, 13] });
    expect(err.retryable).toBe(false);
  });
});

describe('a hostile server inflating the survivor set', () => {
  /** n = 6, complete graph, threshold 5; org-005 shares keys, then sends nothing. Every client's own floor is 6. */
  async function inflated(seed: string) {
    const cohort = makeCohort({ n: 6, elementCount: D, seed, clientMinSurvivors: 6 });
    expect(cohort.config.threshold).toBe(5);
    const orgs = orgNames(6);
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 3 });
    for (const org of orgs) server.receiveAdvertisement(client(cohort, org).advertiseKeys());
    const advertisements = server.closeAdvertise();
    for (const org of orgs) server.receiveShares(org, client(cohort, org).shareKeys(advertisements));
    server.closeShareKeys();
    const real = orgs.slice(0, 5);
    for (const org of real) await client(cohort, org).maskInput(server.sharesFor(org), new Uint32Array(D));
    // The server names all six, so the name count meets everyone's floor of 6.
    const signatures = real.map((org) => client(cohort, org).signSurvivors(orgs));
    return { cohort, orgs, real, signatures };
  }

  it('a participant that sent no masked input will not sign a set naming it (SECAGG_OUT_OF_ORDER)', async () => {
    const { cohort, orgs } = await inflated('inflated-silent');
    thrownShoalError(() => client(cohort, 'org-005').signSurvivors(orgs), 'SECAGG_OUT_OF_ORDER');
  });

  it('every participant refuses to unmask with 5 signatures when its floor is 6 (SECAGG_TOO_FEW_SURVIVORS)', async () => {
    const { cohort, orgs, real, signatures } = await inflated('inflated');
    for (const org of real) {
      const err = thrownShoalError(() => client(cohort, org).unmask(orgs, signatures), 'SECAGG_TOO_FEW_SURVIVORS');
      expect(err.details).toEqual({ phase: 'unmask', org, signatures: 5, named: 6, minSurvivors: 6 });
    }
    expect(thrownShoalError(() => client(cohort, 'org-000').unmask(orgs, signatures), 'SECAGG_TOO_FEW_SURVIVORS').message).toBe(
      'unmask: only 5 of the 6 named survivors signed the survivor set; org-000 lets its input be unmasked only in a sum of at least 6',
    );
  });

  it('a padding signature made with another key does not count: it is refused (SECAGG_BAD_SIGNATURE)', async () => {
    const { cohort, orgs, signatures } = await inflated('inflated-forged');
    const digest = configDigest(cohort.config);
    const forger = cohort.identities.get('org-000') as IdentityKeyPair;
    const forged: SurvivorSignature = { orgId: 'org-005', signature: forger.sign(survivorsMessage(digest, orgs)) };
    const err = thrownShoalError(() => client(cohort, 'org-001').unmask(orgs, [...signatures, forged]), 'SECAGG_BAD_SIGNATURE');
    expect(err.details).toMatchObject({ phase: 'unmask', org: 'org-005' });
  });
});
