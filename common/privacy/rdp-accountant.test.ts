import { thrownShoalError } from '../testing/thrown-shoal-error';
import { DEFAULT_ORDERS, PrivacyAccountant, PrivacyAccountantJson, epsilonFromRdp, rdpOfSampledGaussian } from './rdp-accountant';

/** |actual − expected| ≤ relative · |expected|. */
function expectRelativelyClose(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

/** RDP of `steps` identical rounds: composition adds. */
function rdpOfRounds(samplingRate: number, noiseMultiplier: number, steps: number, orders: readonly number[]): number[] {
  return rdpOfSampledGaussian(samplingRate, noiseMultiplier, orders).map((value) => value * steps);
}

/**
 * Reference values, with their sources:
 *  [TFP]  tensorflow/privacy, tensorflow_privacy/privacy/analysis/rdp_accountant_test.py
 *  [DPA]  google/differential-privacy, python/dp_accounting/rdp/rdp_privacy_accountant_test.py
 *  [SGD]  tensorflow/privacy, tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py
 *         (orders and steps from compute_dp_sgd_privacy_lib.py in the same repository)
 *  [NFB]  tensorflow/privacy, tensorflow_privacy/privacy/analysis/compute_noise_from_budget_test.py
 * Python's assertAlmostEqual(places=p) is |diff| < 0.5·10^-p, which is toBeCloseTo(x, p).
 */
describe('rdpOfSampledGaussian', () => {
  it('is the plain Gaussian α/(2z²) when every participant is sampled (q = 1)', () => {
    // [TFP] test_compute_rdp_no_sampling: compute_rdp(1, 10, 1, 20) == 0.1.
    expect(rdpOfSampledGaussian(1, 10, [20])).toEqual([0.1]);
    // [DPA] test_compute_rdp_gaussian: α = 3.14159, σ = 2.71828 gives α/(2σ²).
    expect(rdpOfSampledGaussian(1, 2.71828, [3.14159])[0]).toBeCloseTo(3.14159 / (2 * 2.71828 ** 2), 15);
  });

  it('is 0 when nobody is sampled (q = 0) and Infinity without noise (z = 0)', () => {
    // [TFP] test_compute_rdp_no_data: compute_rdp(0, 10, 1, 20) == 0.
    expect(rdpOfSampledGaussian(0, 10, [20, 1.5, 256])).toEqual([0, 0, 0]);
    expect(rdpOfSampledGaussian(0.01, 0, [2, 2.5])).toEqual([Infinity, Infinity]);
    expect(rdpOfSampledGaussian(0.01, 1, [Infinity])).toEqual([Infinity]);
  });

  it('matches TF Privacy for 10 rounds at q = 0.1, z = 2, order 5 (whole order)', () => {
    // [TFP] test_compute_rdp_scalar: compute_rdp(0.1, 2, 10, 5) ≈ 0.07737, places=5.
    expect(rdpOfRounds(0.1, 2, 10, [5])[0]).toBeCloseTo(0.07737, 5);
  });

  it('matches TF Privacy for 50 rounds at q = 0.01, z = 2.5 over fractional and whole orders', () => {
    const orders = [1.5, 2.5, 5, 50, 100, Infinity];
    const rdp = rdpOfRounds(0.01, 2.5, 50, orders);
    // [TFP] test_compute_rdp_sequence: assertSequenceAlmostEqual(..., delta=1e-5).
    const tfp = [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307];
    tfp.forEach((expected, i) => expect(Math.abs(rdp[i] - expected)).toBeLessThan(1e-5));
    // [DPA] test_compute_rdp_poisson_sampled_gaussian: np.allclose(..., rtol=1e-4).
    const dpa = [6.5007e-4, 1.0854e-3, 2.1808e-3, 2.3846e-2, 1.6742e2];
    dpa.forEach((expected, i) => expectRelativelyClose(rdp[i], expected, 1e-4));
    expect(rdp[5]).toBe(Infinity);
  });

  it('matches A_α integrated numerically at 40 digits, from tiny to extreme (q, z, α)', () => {
    // The (q, σ, α) list is [TFP]/[DPA] test_compute_log_a_equals_mp, which compares
    // log A_α with an mpmath integral computed at test time (rtol 1e-4). The expected
    // RDP = log(A_α)/(α − 1) below was computed here the same way: mpmath 1.3 quad of
    // ∫ N(x; 0, σ²)·((1 − q) + q·exp((2x − 1)/(2σ²)))^α dx at 40 digits, split at the
    // peaks; for whole α it agrees with the exact binomial sum to 16 digits.
    const cases: Array<[number, number, number, number]> = [
      [1e-7, 0.1, 1.01, 4.003412322526395e-6],
      [1e-6, 0.1, 256, 12786.13031096926],
      [1e-5, 0.1, 256.1, 12793.44194350616],
      [1e-6, 1, 27, 3.372888963403268e-11],
      [1e-4, 1, 1.5, 1.28853739076733e-8],
      [1e-3, 1, 2, 1.718280352214515e-6],
      [0.01, 10, 20, 1.006826311202261e-5],
      [0.1, 100, 20.5, 1.025221459388118e-5],
      [0.99, 0.1, 256, 12799.98991025106],
      [0.999, 100, 256.1, 0.01277972574666057],
    ];
    for (const [q, sigma, order, expected] of cases) {
      // Tiny RDP values carry the absolute rounding of log A ≈ 0, hence 1e-6 relative.
      expectRelativelyClose(rdpOfSampledGaussian(q, sigma, [order])[0], expected, 1e-6);
    }
  });

  it('falls as the noise multiplier grows and rises with the sampling rate', () => {
    const orders = [1.5, 2, 8, 32.5];
    const [low, mid, high] = [0.8, 1.1, 2].map((z) => rdpOfSampledGaussian(0.05, z, orders));
    orders.forEach((_, i) => expect(low[i]).toBeGreaterThan(mid[i]));
    orders.forEach((_, i) => expect(mid[i]).toBeGreaterThan(high[i]));
    const denser = rdpOfSampledGaussian(0.1, 1.1, orders);
    orders.forEach((_, i) => expect(denser[i]).toBeGreaterThan(mid[i]));
  });

  it('refuses settings outside their domain', () => {
    thrownShoalError(() => rdpOfSampledGaussian(1.5, 1, [2]), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => rdpOfSampledGaussian(-0.1, 1, [2]), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => rdpOfSampledGaussian(0.1, -1, [2]), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => rdpOfSampledGaussian(0.1, NaN, [2]), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => rdpOfSampledGaussian(0.1, 1, []), 'PRIVACY_INVALID_SETTING');
    const err = thrownShoalError(() => rdpOfSampledGaussian(0.1, 1, [2, 1]), 'PRIVACY_INVALID_SETTING');
    expect(err.message).toBe('orders[1] must be > 1, got 1');
    expect(err.details).toEqual({ index: 1, order: 1 });
  });
});

describe('epsilonFromRdp', () => {
  it('matches the improved conversion for constant RDP (pure DP)', () => {
    // [TFP] test_get_privacy_spent_check_target_delta and [DPA] test_compute_epsilon_delta_pure_dp:
    // rdp = 1.1 at orders 2…32, δ = 1e-5 → ε = 1.32783806176 (places=7) at order 32.
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const spent = epsilonFromRdp(orders, orders.map(() => 1.1), 1e-5);
    expect(spent.epsilon).toBeCloseTo(1.32783806176, 7);
    expect(spent.order).toBe(32);
    // The classic bound at the same order, by hand: 1.1 + log(1e5)/31.
    const classic = epsilonFromRdp(orders, orders.map(() => 1.1), 1e-5, { conversion: 'classic' });
    expect(classic.epsilon).toBeCloseTo(1.1 + Math.log(1e5) / 31, 12);
    expect(classic.order).toBe(32);
  });

  it('recovers (1, 1e-6)-DP for the Gaussian mechanism with z = 4.530877117', () => {
    // [TFP] test_get_privacy_spent_check_target_delta / [DPA] test_compute_epsilon_delta_gaussian:
    // orders 0.001·i for i in 1000…99999, q = 1, one step → ε ≈ 1 (places=7). α = 1 itself is
    // not an RDP order here, so the list starts at 1.001; the optimum is near α = 22.
    const orders = Array.from({ length: 98999 }, (_, i) => (i + 1001) * 0.001);
    const spent = epsilonFromRdp(orders, rdpOfSampledGaussian(1, 4.530877117, orders), 1e-6);
    expect(spent.epsilon).toBeCloseTo(1, 7);
  });

  it('reproduces published DP-SGD ε values end to end (improved conversion)', () => {
    // [SGD] test_compute_dp_sgd_privacy, which goes through dp_accounting's RdpAccountant
    // (the improved conversion), with orders = DEFAULT_ORDERS and steps = ⌈epochs·n/batch⌉:
    //   (n, batch, z, epochs, δ) → (ε, optimal order), assertAlmostEqual places=7.
    const first = epsilonFromRdp(DEFAULT_ORDERS, rdpOfRounds(150 / 60000, 1.3, 6000, DEFAULT_ORDERS), 1e-5);
    expect(first.epsilon).toBeCloseTo(0.7242234026109595, 7);
    expect(first.order).toBe(19);
    const second = epsilonFromRdp(DEFAULT_ORDERS, rdpOfRounds(100 / 100000, 1.0, 30000, DEFAULT_ORDERS), 1e-7);
    expect(second.epsilon).toBeCloseTo(1.4154988495444842, 7);
    expect(second.order).toBe(13);
    // ε ≈ 5.9e6 here, so places=7 would demand 1e-14 relative; we hold 1e-10 relative.
    const lowNoise = epsilonFromRdp(DEFAULT_ORDERS, rdpOfRounds(1024 / 1e8, 0.1, Math.ceil((10 * 1e8) / 1024), DEFAULT_ORDERS), 1e-7);
    expectRelativelyClose(lowNoise.epsilon, 5907982.3113978775, 1e-10);
    expect(lowNoise.order).toBe(1.25);
  });

  it('reproduces the older classic-conversion values for the same configurations', () => {
    // [NFB] test_compute_noise: TF Privacy's old get_privacy_spent (ε = rdp − log δ/(α − 1)) and the
    // same orders; compute_noise(n, batch, ε, epochs, δ) returns z, so ε(z) is the listed target.
    const first = epsilonFromRdp(DEFAULT_ORDERS, rdpOfRounds(150 / 60000, 1.3, 6000, DEFAULT_ORDERS), 1e-5, { conversion: 'classic' });
    expect(first.epsilon).toBeCloseTo(0.941870567, 7);
    const second = epsilonFromRdp(DEFAULT_ORDERS, rdpOfRounds(100 / 100000, 1.0, 30000, DEFAULT_ORDERS), 1e-7, { conversion: 'classic' });
    expect(second.epsilon).toBeCloseTo(1.70928734, 7);
    const third = epsilonFromRdp(DEFAULT_ORDERS, rdpOfRounds(1024 / 1e8, 0.1, Math.ceil((10 * 1e8) / 1024), DEFAULT_ORDERS), 1e-7, { conversion: 'classic' });
    expectRelativelyClose(third.epsilon, 5907984.81339406, 1e-12);
  });

  it('gives 0 when δ already covers the total variation, Infinity when no order is finite', () => {
    expect(epsilonFromRdp([2, 4], [1e-14, 2e-14], 1e-5)).toEqual({ epsilon: 0, order: 2 });
    expect(epsilonFromRdp([2, 4], [Infinity, Infinity], 1e-5)).toEqual({ epsilon: Infinity, order: 2 });
    expect(epsilonFromRdp([2, Infinity], [Infinity, 0.5], 1e-5)).toEqual({ epsilon: 0.5, order: Infinity });
  });

  it('refuses malformed input', () => {
    for (const delta of [0, 1, -1e-5, NaN]) thrownShoalError(() => epsilonFromRdp([2], [0.1], delta), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => epsilonFromRdp([2, 3], [0.1], 1e-5), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => epsilonFromRdp([2], [-0.1], 1e-5), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => epsilonFromRdp([2], [NaN], 1e-5), 'PRIVACY_INVALID_SETTING');
  });
});

describe('PrivacyAccountant', () => {
  const step = { samplingRate: 0.0025, noiseMultiplier: 1.3 };

  it('starts at ε = 0 with no rounds', () => {
    const accountant = new PrivacyAccountant({ delta: 1e-5 });

    expect(accountant.epsilon).toBe(0);
    expect(accountant.rounds).toBe(0);
    expect(accountant.orders).toEqual(DEFAULT_ORDERS);
  });

  it('reaches the published DP-SGD ε after 6000 recorded rounds', () => {
    const accountant = new PrivacyAccountant({ delta: 1e-5 });

    for (let round = 0; round < 6000; round++) accountant.recordRound(step);

    // [SGD] Test0: n = 60000, batch 150, z = 1.3, 15 epochs, δ = 1e-5.
    expect(accountant.rounds).toBe(6000);
    expect(accountant.epsilon).toBeCloseTo(0.7242234026109595, 7);
    expect(accountant.optimalOrder).toBe(19);
  });

  it('epsilonAfter previews the next round without recording it', () => {
    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    for (let round = 0; round < 10; round++) accountant.recordRound(step);
    const before = accountant.epsilon;

    const preview = accountant.epsilonAfter(step);

    expect(accountant.rounds).toBe(10);
    expect(accountant.epsilon).toBe(before);
    expect(preview).toBeGreaterThan(before);
    accountant.recordRound(step);
    expect(accountant.epsilon).toBe(preview);
  });

  it('ε grows strictly with every round', () => {
    const accountant = new PrivacyAccountant({ delta: 1e-6 });
    let previous = accountant.epsilon;

    for (let round = 0; round < 200; round++) {
      accountant.recordRound({ samplingRate: 0.1, noiseMultiplier: 1.1 });
      expect(accountant.epsilon).toBeGreaterThan(previous);
      previous = accountant.epsilon;
    }
  });

  it('composes different rounds by adding their RDP', () => {
    // [TFP] test_check_composition: 40000 rounds at q = 1e-4, z = 0.4 then 100 at q = 0.1, z = 2,
    // δ = 1e-5, with these orders. Under the classic conversion it was ε = 8.509656 at α = 2.5
    // (places=5, kept in a comment there); the improved conversion must not exceed it.
    const orders = [1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 64, 256];
    const accountant = new PrivacyAccountant({ delta: 1e-5, orders });

    for (let round = 0; round < 40000; round++) accountant.recordRound({ samplingRate: 1e-4, noiseMultiplier: 0.4 });
    for (let round = 0; round < 100; round++) accountant.recordRound({ samplingRate: 0.1, noiseMultiplier: 2 });

    const rdp = accountant.toJSON().rdp as number[];
    const classic = epsilonFromRdp(orders, rdp, 1e-5, { conversion: 'classic' });
    expect(classic.epsilon).toBeCloseTo(8.509656, 5);
    expect(classic.order).toBe(2.5);
    expect(accountant.epsilon).toBeLessThanOrEqual(8.509656);
    expect(accountant.rounds).toBe(40100);
  });

  it('spends nothing on a round that sampled nobody', () => {
    // [DPA] test_zero_poisson_sample: q = 0 gives ε = 0.
    const accountant = new PrivacyAccountant({ delta: 1e-10, orders: [3.14159] });

    accountant.recordRound({ samplingRate: 0, noiseMultiplier: 1 });

    expect(accountant.epsilon).toBe(0);
    expect(accountant.rounds).toBe(1);
  });

  it('saves to JSON and restores, with null standing for Infinity', () => {
    const accountant = new PrivacyAccountant({ delta: 1e-5, orders: [1.5, 2, 32] });
    accountant.recordRound({ samplingRate: 0.01, noiseMultiplier: 1 });
    accountant.recordRound({ samplingRate: 0.01, noiseMultiplier: 1 });

    const json = JSON.parse(JSON.stringify(accountant)) as PrivacyAccountantJson;
    const restored = PrivacyAccountant.fromJSON(json);

    expect(json.rounds).toBe(2);
    expect(json.orders).toEqual([1.5, 2, 32]);
    expect(restored.epsilon).toBe(accountant.epsilon);
    expect(restored.rounds).toBe(2);
    expect(restored.epsilonAfter({ samplingRate: 0.01, noiseMultiplier: 1 })).toBe(accountant.epsilonAfter({ samplingRate: 0.01, noiseMultiplier: 1 }));

    accountant.recordRound({ samplingRate: 0.01, noiseMultiplier: 0 });
    const noiseless = JSON.parse(JSON.stringify(accountant)) as PrivacyAccountantJson;
    expect(noiseless.rdp).toEqual([null, null, null]);
    expect(noiseless.epsilon).toBeNull();
    expect(PrivacyAccountant.fromJSON(noiseless).epsilon).toBe(Infinity);
  });

  it('refuses invalid settings and leaves its state untouched', () => {
    thrownShoalError(() => new PrivacyAccountant({ delta: 0 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => new PrivacyAccountant({ delta: 1 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => new PrivacyAccountant({ delta: 1e-5, orders: [] }), 'PRIVACY_INVALID_SETTING');
    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    accountant.recordRound(step);
    const before = accountant.epsilon;

    thrownShoalError(() => accountant.recordRound({ samplingRate: 1.5, noiseMultiplier: 1 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => accountant.recordRound({ samplingRate: 0.1, noiseMultiplier: -1 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => PrivacyAccountant.fromJSON({ ...accountant.toJSON(), rounds: -1 }), 'PRIVACY_INVALID_SETTING');

    expect(accountant.rounds).toBe(1);
    expect(accountant.epsilon).toBe(before);
  });
});
