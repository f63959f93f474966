import { thrownShoalError } from '../testing/thrown-shoal-error';
import { noiseMultiplierForBudget } from './noise-calibration';
import { distributedNoise, skellamEpsilon } from './noise-plan';
import { PrivacyAccountant } from './rdp-accountant';
import { skellamParameters, skellamStepOf } from './skellam';

const dp = { epsilon: 4, delta: 1e-5, clipNorm: 0.5 };

describe('distributedNoise (Skellam)', () => {
  test('calibrated for the honest survivors only: fewest survivors less the colluders, at sampling rate 1', () => {
    const noise = distributedNoise({ dp, rounds: 10, rosterSize: 10, fewestSurvivors: 7, colluders: 1 });

    expect(noise).toMatchObject({ mechanism: 'skellam', colluders: 1, honestMembers: 6 });
    expect(noise.skellam).toEqual(skellamParameters({ clipNorm: 0.5, memberNoiseStd: noise.noiseStd, members: 10 }));
    // Six honest members' noise carries the ten planned rounds to within the budget, and a hair less noise would not.
    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    for (let round = 0; round < 10; round++) accountant.recordRound(skellamStepOf(noise.skellam, 6));
    expect(accountant.epsilon).toBeLessThanOrEqual(4);
    expect(skellamEpsilon({ clipNorm: 0.5, memberNoiseStd: noise.noiseStd * 0.999, rosterSize: 10, honestMembers: 6, rounds: 10, delta: 1e-5 })).toBeGreaterThan(4);
  });

  test('reference: the calibrated member std is the Gaussian calibration\'s for the honest floor, within the 10^-4 rounding margin', () => {
    const z = noiseMultiplierForBudget({ epsilon: 4, delta: 1e-5, rounds: 10, samplingRate: 1, orders: [2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24, 32, 48, 64, 128, 256, 512] });
    const noise = distributedNoise({ dp, rounds: 10, rosterSize: 10, fewestSurvivors: 7, colluders: 1 });
    const gaussianMemberStd = (z * 0.5) / Math.sqrt(6);
    expect(noise.noiseStd / gaussianMemberStd).toBeGreaterThan(1);
    expect(noise.noiseStd / gaussianMemberStd).toBeLessThan(1.0005);
  });

  test('more colluders means more noise per member', () => {
    const none = distributedNoise({ dp, rounds: 10, rosterSize: 10, fewestSurvivors: 7, colluders: 0 });
    const two = distributedNoise({ dp, rounds: 10, rosterSize: 10, fewestSurvivors: 7, colluders: 2 });
    expect(two.noiseStd / none.noiseStd).toBeCloseTo(Math.sqrt(7 / 5), 2);
  });

  test('a given noise multiplier is the job\'s own choice for the whole roster', () => {
    const noise = distributedNoise({ dp: { ...dp, noiseMultiplier: 2 }, rounds: 10, rosterSize: 4, fewestSurvivors: 3, colluders: 0 });
    expect(noise.noiseStd).toBe((2 * 0.5) / 2);
    expect(noise.noiseMultiplier).toBeCloseTo(2, 12);
  });

  test('no honest survivor, or fewest survivors outside 1..roster size, is refused', () => {
    thrownShoalError(() => distributedNoise({ dp, rounds: 10, rosterSize: 4, fewestSurvivors: 2, colluders: 2 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => distributedNoise({ dp, rounds: 10, rosterSize: 4, fewestSurvivors: 5, colluders: 0 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => distributedNoise({ dp, rounds: 10, rosterSize: 4, fewestSurvivors: 0, colluders: 0 }), 'PRIVACY_INVALID_SETTING');
  });
});
