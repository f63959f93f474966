import { binomialShortfall, bothSecretsProbability, colludersOf, exposureProbability, hypergeometricTail, ringBridgeProbability, shortfallProbability, twoRunsTail } from './exposure';

describe('exposure of an honest participant to an active server with colluders', () => {
  it('hypergeometric tail matches a direct count on a small population', () => {
    // 10 items, 3 marked, draw 4: P(X >= 2) = (C(3,2)C(7,2) + C(3,3)C(7,1)) / C(10,4) = (63 + 7) / 210.
    expect(hypergeometricTail(10, 3, 4, 2)).toBeCloseTo(70 / 210, 12);
    expect(hypergeometricTail(10, 3, 4, 0)).toBe(1);
    expect(hypergeometricTail(10, 3, 4, 4)).toBe(0);
  });

  it('complete graph: exposed exactly when the colluders reach 2t - n', () => {
    // n = 10, γ = 0.2: 2 colluders; t = 6 needs 2 (exposed), t = 7 needs 4 (safe).
    expect(colludersOf(10, 0.2)).toBe(2);
    expect(exposureProbability({ participants: 10, degree: 9, threshold: 6, collusionFraction: 0.2 })).toBe(1);
    expect(exposureProbability({ participants: 10, degree: 9, threshold: 7, collusionFraction: 0.2 })).toBe(0);
  });

  it('ring: a higher threshold lowers the bound, a larger collusion fraction raises it', () => {
    const at = (threshold: number, collusionFraction: number): number => exposureProbability({ participants: 100, degree: 28, threshold, collusionFraction });
    expect(at(20, 0.1)).toBeGreaterThan(at(22, 0.1));
    expect(at(20, 0.1)).toBeGreaterThan(0);
    expect(at(20, 0.15)).toBeGreaterThan(at(20, 0.1));
    // 10 colluders can never be 2t - m = 11 of one neighbourhood: both secrets stay safe...
    expect(bothSecretsProbability({ participants: 100, degree: 28, threshold: 20, collusionFraction: 0.1 })).toBe(0);
    // ...but 5 of them in each of two runs of 14 ring positions (t - k/2 - 1 = 5) bridge a split ring, which is not rare.
    expect(ringBridgeProbability({ participants: 100, degree: 28, threshold: 20, collusionFraction: 0.1 })).toBeGreaterThan(1e-4);
    expect(at(20, 0.1)).toBe(Math.min(1, (100 * 100 / 2) * twoRunsTail(100, 10, 14, 5)));
    // Two runs needing 6 each cannot both be filled by 10 colluders.
    expect(at(21, 0.1)).toBe(0);
    // With 20 (γ = 0.2), 11 colluding neighbours happen often enough to matter.
    expect(bothSecretsProbability({ participants: 100, degree: 28, threshold: 20, collusionFraction: 0.2 })).toBeGreaterThan(1e-3);
    // t = m: neither event can happen with fewer colluders than the neighbourhood.
    expect(at(29, 0.1)).toBe(0);
  });

  it('two disjoint runs: matches a direct count, and is 0 once the runs need more than all the marked', () => {
    // 6 positions, 2 marked, two runs of 2: both hold one exactly when one marked is in each, 2·2 of C(6,2) = 15 placements.
    expect(twoRunsTail(6, 2, 2, 1)).toBeCloseTo(4 / 15, 12);
    expect(twoRunsTail(6, 2, 2, 2)).toBe(0);
    expect(twoRunsTail(6, 2, 2, 0)).toBeCloseTo(1, 12);
  });

  it('the complete graph cannot split: no bridging term', () => {
    expect(ringBridgeProbability({ participants: 10, degree: 9, threshold: 6, collusionFraction: 0.4 })).toBe(0);
  });
});

describe('dropout shortfall', () => {
  it('matches a direct binomial count', () => {
    // 5 members, 10% dropout, fewer than 4 kept = at least 2 dropped: 1 - 0.9^5 - 5·0.1·0.9^4.
    expect(binomialShortfall(5, 4, 0.1)).toBeCloseTo(1 - 0.9 ** 5 - 5 * 0.1 * 0.9 ** 4, 12);
    expect(binomialShortfall(5, 6, 0.1)).toBe(1);
    expect(binomialShortfall(5, 5, 0)).toBe(0);
  });

  it('is one tail on the complete graph and a union bound over the n neighbourhoods on the ring', () => {
    expect(shortfallProbability(10, 9, 6, 0.1)).toBeCloseTo(binomialShortfall(10, 6, 0.1), 15);
    expect(shortfallProbability(100, 28, 20, 0.1)).toBeCloseTo(100 * binomialShortfall(29, 20, 0.1), 15);
  });
});
