import { createRng, sampleWithoutReplacement } from '../random';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { adversaryParameters, DEFAULT_EXPOSURE_BOUND, DEFAULT_FAILURE_BOUND, safeThreshold } from './adversary-parameters';
import { colludersOf, exposureProbability, ringBridgeProbability, shortfallProbability } from './exposure';
import { minimumThreshold } from './secagg-config';
import { survivorComponents } from './survivor-graph';

const stated = { collusionFraction: 0.1, dropoutRate: 0.1 };

/** A SecAgg+ ring over positions 0..n-1 in ring order: each position and the k/2 on either side. */
function ringNeighbours(n: number, degree: number): { neighbours: Map<string, string[]> } {
  const name = (position: number): string => `p${(position + n) % n}`;
  const neighbours = new Map<string, string[]>();
  for (let at = 0; at < n; at++) {
    const members = [name(at)];
    for (let d = 1; d <= degree / 2; d++) members.push(name(at + d), name(at - d));
    neighbours.set(name(at), members);
  }
  return { neighbours };
}

const positions = (...ranges: Array<[number, number]>): string[] => ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => `p${from + i}`));

describe('adversaryParameters', () => {
  it('derives the README table at γ = ρ = 0.1', () => {
    const table = [10, 30, 100, 300].map((participants) => {
      const { degree, threshold } = adversaryParameters({ participants, ...stated });
      return [participants, degree, threshold];
    });
    expect(table).toEqual([[10, 9, 6], [30, 18, 12], [100, 34, 24], [300, 60, 44]]);
  });

  it('meets both bounds, and neither a smaller degree nor a lower threshold would', () => {
    for (const participants of [21, 30, 64, 100, 256]) {
      const { degree, threshold, exposure, failure } = adversaryParameters({ participants, ...stated });
      expect(exposure).toBeLessThan(DEFAULT_EXPOSURE_BOUND);
      expect(failure).toBeLessThanOrEqual(DEFAULT_FAILURE_BOUND);
      expect(threshold).toBeGreaterThanOrEqual(minimumThreshold(degree + 1, true));
      // One less is either below the ring's minimum or exposed.
      const lower = threshold - 1;
      expect(lower < minimumThreshold(degree + 1, true) || exposureProbability({ participants, degree, threshold: lower, ...stated }) >= DEFAULT_EXPOSURE_BOUND).toBe(true);
      for (let smaller = 2; smaller < degree; smaller += 2) {
        const t = safeThreshold(participants, smaller, stated.collusionFraction);
        expect(t === undefined || shortfallProbability(participants, smaller, t, stated.dropoutRate) > DEFAULT_FAILURE_BOUND).toBe(true);
      }
    }
  });

  it('uses the complete graph up to 20 participants with the exposure-safe strict majority', () => {
    // c = floor(γn) colluders expose nobody once 2t − n > c.
    expect([2, 3, 5, 7, 10, 20].map((participants) => adversaryParameters({ participants, ...stated }))).toMatchObject([
      { degree: 1, threshold: 2 },
      { degree: 2, threshold: 2 },
      { degree: 4, threshold: 3 },
      { degree: 6, threshold: 4 },
      { degree: 9, threshold: 6 },
      { degree: 19, threshold: 12 },
    ]);
  });

  it('falls back to the complete graph, reporting its failure as it is, when no degree tolerates the dropouts', () => {
    // 30 participants, 40% colluders: every ring needs more of each neighbourhood than 10% dropouts leave.
    const result = adversaryParameters({ participants: 30, collusionFraction: 0.4, dropoutRate: 0.1 });
    expect(result).toMatchObject({ degree: 29, threshold: 22, exposure: 0 });
    expect(result.failure).toBeCloseTo(shortfallProbability(30, 29, 22, 0.1), 15);
    // Tiny cohort, large γ: 3 participants and 1 colluder need all three shares; a dropout then fails the round.
    expect(adversaryParameters({ participants: 3, collusionFraction: 0.4, dropoutRate: 0.1 })).toMatchObject({ degree: 2, threshold: 3 });
    expect(adversaryParameters({ participants: 3, collusionFraction: 0.4, dropoutRate: 0.1 }).failure).toBeGreaterThan(0.2);
  });

  it('refuses inputs outside their ranges with the field named', () => {
    expect(thrownShoalError(() => adversaryParameters({ participants: 10, collusionFraction: 1, dropoutRate: 0.1 }), 'CONFIG_INVALID').details).toMatchObject({ field: 'collusionFraction' });
    expect(thrownShoalError(() => adversaryParameters({ participants: 0, ...stated }), 'CONFIG_INVALID').details).toMatchObject({ field: 'participants' });
    expect(thrownShoalError(() => adversaryParameters({ participants: 10, collusionFraction: 0.1, dropoutRate: -0.1 }), 'CONFIG_INVALID').details).toMatchObject({ field: 'dropoutRate' });
  });
});

describe('colluders bridging a split ring', () => {
  // 30 on a ring of degree 8 (k/2 = 4) with t = k/2 + 2 = 6, the lowest the ring allows.
  const n = 30;
  const degree = 8;
  const threshold = 6;
  const ring = ringNeighbours(n, degree);
  // The server declares two runs of 4 dropped but for one colluder in each (p2, p17), who signs as a survivor.
  const colluders = ['p2', 'p17'];
  const honestSurvivors = positions([4, 14], [19, 29]);
  const countedBy = (org: string, survivors: string[]): number => (ring.neighbours.get(org) as string[]).filter((peer) => survivors.includes(peer)).length;

  it('passes the connectivity check and every honest survivor\'s floor, yet splits the honest sum in two', () => {
    const survivors = [...honestSurvivors, ...colluders];
    expect(survivorComponents(ring, survivors)).toHaveLength(1);
    for (const org of honestSurvivors) expect(countedBy(org, survivors)).toBeGreaterThanOrEqual(threshold);
    // No pairwise mask links p4..p14 to p19..p29: the server unmasks each part's sum.
    expect(survivorComponents(ring, honestSurvivors).map((part) => part.length)).toEqual([11, 11]);
    // Without the colluders the border survivors count k/2 + 1 = 5 < t and refuse: the old argument.
    expect(countedBy('p4', honestSurvivors)).toBe(5);
  });

  it('is counted by the exposure bound, and the bound is no smaller than how often colluders land that way', () => {
    // With 2 colluders (γ = 2/30) and t = 6, a single colluder in a run suffices: the bound is 1, not 0.
    expect(exposureProbability({ participants: n, degree, threshold, collusionFraction: 2 / n })).toBe(1);
    // 100 participants, 6 colluders, k = 8, t = 7: a split needs two disjoint runs of 4 consecutive positions with 2 colluders each.
    const trial = { participants: 100, degree: 8, threshold: 7, collusionFraction: 0.06 };
    expect(colludersOf(100, 0.06)).toBe(6);
    const bound = ringBridgeProbability(trial);
    const rng = createRng('ring-bridging');
    let landed = 0;
    const trials = 4000;
    for (let i = 0; i < trials; i++) {
      const at = sampleWithoutReplacement(100, 6, rng);
      const full = Array.from({ length: 100 }, (_, start) => start).filter((start) => at.filter((p) => (p - start + 100) % 100 < 4).length >= 2);
      const twoDisjoint = full.some((a) => full.some((b) => (b - a + 100) % 100 >= 4 && (a - b + 100) % 100 >= 4));
      if (twoDisjoint) landed++;
    }
    const frequency = landed / trials;
    expect(frequency).toBeGreaterThan(0.05);
    expect(frequency).toBeLessThanOrEqual(bound);
  });

  it('at the derived parameters needs more colluders in two runs than γ allows, or is rarer than the bound', () => {
    for (const participants of [30, 100]) {
      const { degree: k, threshold: t } = adversaryParameters({ participants, ...stated });
      expect(2 * (t - k / 2 - 1)).toBeGreaterThan(colludersOf(participants, stated.collusionFraction));
    }
    // 300: 30 colluders could put the 13 needed into each of two runs of 30, but only with probability below 2^-40.
    const { degree, threshold } = adversaryParameters({ participants: 300, ...stated });
    expect(threshold - degree / 2 - 1).toBe(13);
    expect(ringBridgeProbability({ participants: 300, degree, threshold, ...stated })).toBeLessThan(DEFAULT_EXPOSURE_BOUND);
  });
});
