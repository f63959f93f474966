import { logAddExp, logBinomial, logErfc, logFactorial, logSubExp, logSumExp } from './log-math';

describe('logErfc', () => {
  it('matches SciPy across the middle and far into the tail', () => {
    // Reference: log(2) + scipy.special.log_ndtr(−x·√2) (SciPy 1.17), i.e. log erfc(x).
    const reference: Array<[number, number]> = [
      [-3, 0.6931361352504468],
      [-1, 0.6112323176780705],
      [0, 0],
      [0.5, -0.7350111298370848],
      [1.9, -4.93234586278027],
      [2, -5.36494126461664],
      [3, -10.720363041981116],
      [10, -102.87988902484493],
      [100, -10005.177585122668],
      [1e5, -10000000012.085293],
    ];
    for (const [x, expected] of reference) {
      expect(Math.abs(logErfc(x) - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));
    }
    expect(logErfc(Infinity)).toBe(-Infinity);
    expect(logErfc(-Infinity)).toBe(Math.log(2));
  });
});

describe('log-space sums', () => {
  it('adds and subtracts without overflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logSumExp([800, 800, 800])).toBeCloseTo(800 + Math.log(3), 12);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSubExp(1000 + Math.log(3), 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSubExp(5, 5)).toBe(-Infinity);
    expect(logSubExp(4, 5)).toBeNaN();
  });

  it('has exact log-factorials and binomials', () => {
    // log(512!) from scipy.special.gammaln(513) = 2686.0604716263483.
    expect(logFactorial(512)).toBe(2686.0604716263483);
    expect(logFactorial(0)).toBe(0);
    expect(Math.exp(logBinomial(10, 3))).toBeCloseTo(120, 11);
  });
});
