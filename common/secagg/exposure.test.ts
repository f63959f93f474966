import { colludersOf, exposureProbability, hypergeometricTail } from './exposure';

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
    expect(at(20, 0.2)).toBeGreaterThan(at(22, 0.2));
    expect(at(20, 0.3)).toBeGreaterThan(at(20, 0.2));
    // 10 colluders can never be 2t - m = 11 of one neighbourhood: the bound is exactly 0.
    expect(at(20, 0.1)).toBe(0);
    // With 20 (γ = 0.2), 11 colluding neighbours happen often enough to matter: today's default at n = 100.
    expect(at(20, 0.2)).toBeGreaterThan(1e-3);
  });
});
