import { thrownShoalError } from '../testing/thrown-shoal-error';
import { noiseMultiplierForBudget } from './noise-calibration';
import { DEFAULT_ORDERS, PrivacyAccountant, epsilonFromRdp, rdpOfSampledGaussian } from './rdp-accountant';

function epsilonOf(noiseMultiplier: number, budget: { delta: number; rounds: number; samplingRate: number }): number {
  const perRound = rdpOfSampledGaussian(budget.samplingRate, noiseMultiplier, DEFAULT_ORDERS);
  return epsilonFromRdp(DEFAULT_ORDERS, perRound.map((value) => value * budget.rounds), budget.delta).epsilon;
}

describe('noiseMultiplierForBudget', () => {
  it('inverts a published DP-SGD ε back to its noise multiplier', () => {
    // tensorflow/privacy, tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py, Test0:
    // n = 60000, batch 150 (q = 0.0025), z = 1.3, 15 epochs (6000 steps), δ = 1e-5 → ε = 0.7242234026109595.
    const z = noiseMultiplierForBudget({ epsilon: 0.7242234026109595, delta: 1e-5, rounds: 6000, samplingRate: 0.0025 });

    expect(Math.abs(z - 1.3)).toBeLessThanOrEqual(1.3e-3);
  });

  it.each([
    { epsilon: 1, delta: 1e-5, rounds: 100, samplingRate: 0.1 },
    { epsilon: 3, delta: 1e-6, rounds: 1000, samplingRate: 0.01 },
    { epsilon: 8, delta: 1e-5, rounds: 50, samplingRate: 1 },
    { epsilon: 0.5, delta: 1e-7, rounds: 1, samplingRate: 0.3 },
    { epsilon: 20, delta: 1e-3, rounds: 10, samplingRate: 0.5 },
  ])('returns the smallest z within budget for %o', (budget) => {
    const z = noiseMultiplierForBudget(budget);

    expect(epsilonOf(z, budget)).toBeLessThanOrEqual(budget.epsilon);
    expect(epsilonOf(0.99 * z, budget)).toBeGreaterThan(budget.epsilon);
  });

  it('agrees with the accountant that will enforce the budget', () => {
    const budget = { epsilon: 2, delta: 1e-5, rounds: 40, samplingRate: 0.2 };
    const z = noiseMultiplierForBudget(budget);
    const accountant = new PrivacyAccountant({ delta: budget.delta });

    for (let round = 0; round < budget.rounds; round++) {
      expect(accountant.epsilonAfter({ samplingRate: budget.samplingRate, noiseMultiplier: z })).toBeLessThanOrEqual(budget.epsilon);
      accountant.recordRound({ samplingRate: budget.samplingRate, noiseMultiplier: z });
    }
    expect(accountant.epsilonAfter({ samplingRate: budget.samplingRate, noiseMultiplier: z })).toBeGreaterThan(budget.epsilon);
  });

  it('needs no noise when nobody is ever sampled', () => {
    expect(noiseMultiplierForBudget({ epsilon: 1, delta: 1e-5, rounds: 10, samplingRate: 0 })).toBe(0);
  });

  it('refuses impossible settings with PRIVACY_INVALID_SETTING', () => {
    const valid = { epsilon: 1, delta: 1e-5, rounds: 10, samplingRate: 0.1 };
    const invalid: Array<Partial<typeof valid>> = [
      { epsilon: 0 },
      { epsilon: -1 },
      { epsilon: NaN },
      { epsilon: Infinity },
      { delta: 0 },
      { delta: 1 },
      { delta: 1.5 },
      { rounds: 0 },
      { rounds: 2.5 },
      { samplingRate: 1.2 },
    ];
    for (const override of invalid) thrownShoalError(() => noiseMultiplierForBudget({ ...valid, ...override }), 'PRIVACY_INVALID_SETTING');
    const err = thrownShoalError(() => noiseMultiplierForBudget({ ...valid, epsilon: 0 }));
    expect(err.message).toBe('epsilon must be a finite number > 0, got 0');
  });

  it('says when the orders, not the noise, stop a tiny budget from being met', () => {
    // At δ = 1e-9 the largest default order (512) keeps ε above ~0.026 however much noise is added.
    const err = thrownShoalError(
      () => noiseMultiplierForBudget({ epsilon: 0.01, delta: 1e-9, rounds: 10000, samplingRate: 1 }),
      'PRIVACY_BUDGET_UNREACHABLE',
    );

    expect(err.message).toContain('the largest Renyi order (512) limits how small epsilon can get');
    expect(err.details).toMatchObject({ optimalOrder: 512 });
  });
});
