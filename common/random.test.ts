import { createRng, sampleDirichlet, sampleGamma, sampleWithoutReplacement, shuffleInPlace } from './random';

function meanAndVariance(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, variance };
}

describe('createRng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const first = createRng(42);
    const again = createRng(42);
    const other = createRng(43);
    const a = [first(), first(), first()];
    const b = [again(), again(), again()];
    const c = [other(), other(), other()];

    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('treats a number seed and its string form alike', () => {
    expect(createRng(7)()).toBe(createRng('7')());
  });

  it('stays in [0, 1)', () => {
    const rng = createRng('range');
    for (let i = 0; i < 10_000; i++) {
      const value = rng();
      expect(value >= 0 && value < 1).toBe(true);
    }
  });
});

describe('shuffleInPlace', () => {
  it('keeps the same elements and is deterministic for a seed', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const copy = [...items];

    shuffleInPlace(items, createRng(1));
    shuffleInPlace(copy, createRng(1));

    expect(items).toEqual(copy);
    expect([...items].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(items).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('shuffles typed arrays', () => {
    const items = Int32Array.from({ length: 20 }, (_, i) => i);

    shuffleInPlace(items, createRng(2));

    expect(Array.from(items).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('makes all 6 orders of 3 items about equally likely', () => {
    const rng = createRng('perm');
    const counts = new Map<string, number>();
    const trials = 60_000;
    for (let t = 0; t < trials; t++) {
      const items = ['a', 'b', 'c'];
      shuffleInPlace(items, rng);
      const key = items.join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }

    expect(counts.size).toBe(6);
    // Expected 10,000 each with standard deviation ~91; 5% is over 5 deviations.
    for (const count of counts.values()) expect(Math.abs(count - trials / 6)).toBeLessThan(500);
  });

  it('leaves empty and single-element arrays alone', () => {
    const empty: number[] = [];
    const single = [9];

    shuffleInPlace(empty, createRng(3));
    shuffleInPlace(single, createRng(3));

    expect(empty).toEqual([]);
    expect(single).toEqual([9]);
  });
});

describe('sampleGamma', () => {
  // Gamma(k, 1) has mean k and variance k. Tolerances are 5 standard errors:
  // the mean's is sqrt(k/n), the sample variance's is k·sqrt((2 + 6/k)/n).
  it.each([0.3, 1, 2.5, 9])('matches the mean and variance of Gamma(%p, 1)', (shape) => {
    const rng = createRng(`gamma-${shape}`);
    const n = 40_000;
    const draws = Array.from({ length: n }, () => sampleGamma(shape, rng));

    const { mean, variance } = meanAndVariance(draws);

    expect(draws.every((value) => value >= 0 && Number.isFinite(value))).toBe(true);
    expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
    expect(Math.abs(variance - shape)).toBeLessThan(5 * shape * Math.sqrt((2 + 6 / shape) / n));
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects shape %p', (shape) => {
    expect(() => sampleGamma(shape, createRng(1))).toThrow(/shape must be a finite number > 0/);
  });
});

describe('sampleDirichlet', () => {
  it('returns k non-negative weights summing to 1', () => {
    const rng = createRng('dir');
    for (let t = 0; t < 200; t++) {
      const weights = sampleDirichlet(0.7, 5, rng);

      expect(weights).toHaveLength(5);
      expect(weights.every((w) => w >= 0)).toBe(true);
      expect(weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(1, 12);
    }
  });

  it('matches the mean 1/k and variance of one component', () => {
    const rng = createRng('dir-moments');
    const alpha = 0.5;
    const k = 4;
    const n = 40_000;
    const first = Array.from({ length: n }, () => sampleDirichlet(alpha, k, rng)[0]);

    const { mean, variance } = meanAndVariance(first);

    // Var = alpha(alpha0 − alpha) / (alpha0²(alpha0 + 1)) with alpha0 = k·alpha = 2: 0.5 · 1.5 / (4 · 3) = 0.0625.
    expect(Math.abs(mean - 0.25)).toBeLessThan(5 * Math.sqrt(0.0625 / n));
    expect(variance).toBeCloseTo(0.0625, 2);
  });

  it('stays finite for tiny alpha, where plain Gamma draws underflow to 0', () => {
    const rng = createRng('tiny');
    let largestTotal = 0;
    for (let t = 0; t < 100; t++) {
      const weights = sampleDirichlet(0.001, 10, rng);

      expect(weights.every(Number.isFinite)).toBe(true);
      expect(weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(1, 12);
      largestTotal += Math.max(...weights);
    }
    // With alpha this small nearly all mass usually lands on one component
    // (the average largest weight is ~0.995 over several seeds).
    expect(largestTotal / 100).toBeGreaterThan(0.98);
  });

  it('rejects bad alpha and k', () => {
    expect(() => sampleDirichlet(0, 3, createRng(1))).toThrow(/alpha must be a finite number > 0/);
    expect(() => sampleDirichlet(1, 0, createRng(1))).toThrow(/k must be an integer >= 1/);
    expect(() => sampleDirichlet(1, 2.5, createRng(1))).toThrow(/k must be an integer >= 1/);
  });
});

describe('sampleWithoutReplacement', () => {
  it('returns k distinct indices in [0, n)', () => {
    const chosen = sampleWithoutReplacement(1_000_000, 100, createRng('swr'));

    expect(chosen).toHaveLength(100);
    expect(new Set(chosen).size).toBe(100);
    expect(chosen.every((i) => Number.isInteger(i) && i >= 0 && i < 1_000_000)).toBe(true);
  });

  it('is a permutation when k equals n, and empty when k is 0', () => {
    const all = sampleWithoutReplacement(30, 30, createRng('perm'));

    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(sampleWithoutReplacement(30, 0, createRng('perm'))).toEqual([]);
  });

  it('includes every index equally often', () => {
    const rng = createRng('inclusion');
    const counts = new Array<number>(10).fill(0);
    const trials = 30_000;
    for (let t = 0; t < trials; t++) {
      for (const i of sampleWithoutReplacement(10, 3, rng)) counts[i]++;
    }

    // Each index is in a sample with probability 0.3: expected 9,000, sd ~79.
    for (const count of counts) expect(Math.abs(count - 9_000)).toBeLessThan(400);
  });

  it('is deterministic for a seed', () => {
    expect(sampleWithoutReplacement(500, 20, createRng(5))).toEqual(sampleWithoutReplacement(500, 20, createRng(5)));
  });

  it('rejects k outside [0, n] and a bad n', () => {
    expect(() => sampleWithoutReplacement(5, 6, createRng(1))).toThrow(/k must be an integer in \[0, n=5\], got 6/);
    expect(() => sampleWithoutReplacement(-1, 0, createRng(1))).toThrow(/n must be an integer >= 0/);
  });
});
