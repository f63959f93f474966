import { thrownShoalError } from '../testing/thrown-shoal-error';
import { PrivacyAccountant } from './rdp-accountant';
import { noiseMultiplierForBudget } from './noise-calibration';
import { distributedNoise } from './noise-plan';

const dp = { epsilon: 4, delta: 1e-5, clipNorm: 0.5 };

describe('distributedNoise', () => {
  test('calibrated at sampling rate 1 and raised so that the fewest survivors still carry the calibrated noise', () => {
    const base = noiseMultiplierForBudget({ epsilon: 4, delta: 1e-5, rounds: 10, samplingRate: 1 });

    const noise = distributedNoise({ dp, rounds: 10, rosterSize: 9, fewestSurvivors: 7 });

    expect(noise.noiseMultiplier).toBeCloseTo(base * Math.sqrt(9 / 7), 12);
    expect(noise.noiseStd).toBeCloseTo((noise.noiseMultiplier * 0.5) / 3, 12);
    // Seven survivors each adding noiseStd: the sum's std is base·C, and ten such rounds fit the budget.
    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    for (let round = 0; round < 10; round++) accountant.recordRound({ samplingRate: 1, noiseMultiplier: (noise.noiseStd * Math.sqrt(7)) / 0.5 });
    expect(accountant.epsilon).toBeLessThanOrEqual(4);
    expect(accountant.epsilon).toBeGreaterThan(3.99);
  });

  test('a given noise multiplier is the job\'s own choice for the whole roster', () => {
    expect(distributedNoise({ dp: { ...dp, noiseMultiplier: 2 }, rounds: 10, rosterSize: 4, fewestSurvivors: 3 })).toEqual({ noiseMultiplier: 2, noiseStd: (2 * 0.5) / 2 });
  });

  test('fewest survivors outside 1..roster size is refused', () => {
    thrownShoalError(() => distributedNoise({ dp, rounds: 10, rosterSize: 4, fewestSurvivors: 5 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => distributedNoise({ dp, rounds: 10, rosterSize: 4, fewestSurvivors: 0 }), 'PRIVACY_INVALID_SETTING');
  });
});
