import { PrivacyAccountant } from '../common/privacy';
import { PrivacyBudget } from './privacy-budget';

const dp = (overrides: Partial<ConstructorParameters<typeof PrivacyBudget>[0]> = {}): ConstructorParameters<typeof PrivacyBudget>[0] => ({
  mode: 'central',
  epsilon: 8,
  delta: 1e-5,
  clipNorm: 1,
  ...overrides,
});

function runUntilStopped(budget: PrivacyBudget, contributors: number, limit = 1000): number {
  let rounds = 0;
  while (rounds < limit && budget.allowsAnotherRound()) {
    budget.recordRound(contributors);
    rounds++;
  }
  return rounds;
}

describe('PrivacyBudget', () => {
  test('a calibrated noise multiplier lets exactly the planned rounds run, and ε stays within the budget', () => {
    const budget = new PrivacyBudget(dp(), 20, 1, 5, 3);

    const rounds = runUntilStopped(budget, 5);

    expect(rounds).toBe(20);
    expect(budget.epsilonSpent).toBeLessThanOrEqual(8);
    expect(budget.epsilonSpent).toBeGreaterThan(7.9);
  });

  test('a fixed noise multiplier ends the job before a round would take ε past the budget', () => {
    const budget = new PrivacyBudget(dp({ noiseMultiplier: 2, epsilon: 4 }), 1000, 1, 5, 3);

    const rounds = runUntilStopped(budget, 5);

    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    for (let i = 0; i < rounds; i++) accountant.recordRound({ samplingRate: 1, noiseMultiplier: 2 });
    expect(budget.epsilonSpent).toBeCloseTo(accountant.epsilon, 12);
    expect(budget.epsilonSpent).toBeLessThanOrEqual(4);
    expect(accountant.epsilonAfter({ samplingRate: 1, noiseMultiplier: 2 })).toBeGreaterThan(4);
    expect(rounds).toBeGreaterThan(0);
  });

  test('distributed noise is calibrated for the fewest survivors and accounted with those actually present', () => {
    const budget = new PrivacyBudget(dp({ mode: 'distributed' }), 10, 1, 6, 4);
    const central = new PrivacyBudget(dp(), 10, 1, 6, 4);

    expect(budget.noiseMultiplier).toBeCloseTo(central.noiseMultiplier * Math.sqrt(6 / 4), 9);
    budget.recordRound(6);
    const allPresent = budget.epsilonSpent;
    const fewer = new PrivacyBudget(dp({ mode: 'distributed' }), 10, 1, 6, 4);
    fewer.recordRound(4);
    expect(fewer.epsilonSpent).toBeGreaterThan(allPresent);
    expect(runUntilStopped(fewer, 4)).toBe(9);
  });

  test('the summary reports what ran and what was spent', () => {
    const budget = new PrivacyBudget(dp({ noiseMultiplier: 3 }), 5, 1, 5, 3);
    budget.recordRound(5);

    expect(budget.summary()).toEqual({ mode: 'central', epsilonBudget: 8, delta: 1e-5, clipNorm: 1, noiseMultiplier: 3, epsilonSpent: budget.epsilonSpent, roundsAccounted: 1 });
    expect(budget.epsilonSpent).toBeGreaterThan(0);
  });
});
