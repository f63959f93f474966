import { thrownShoalError } from '../testing/thrown-shoal-error';
import { DEFAULT_ORDERS, PrivacyAccountant, epsilonFromRdp, rdpOfSampledGaussian } from './rdp-accountant';
import { integerL1Bound, rdpOfSkellam, type SkellamStep } from './skellam-rdp';

const step = (l2Sensitivity: number, variance: number, l1Sensitivity = integerL1Bound(l2Sensitivity)): SkellamStep => ({ mechanism: 'skellam', l2Sensitivity, l1Sensitivity, variance });

describe('rdpOfSkellam', () => {
  test('the bound by hand: α·Δ2²/(2μ) + min(((2α − 1)Δ2² + 6Δ1)/(4μ²), 3Δ1/(2μ))', () => {
    // Δ2 = 1, Δ1 = 1, μ = 10: at α = 2, 0.1 + min(9/400, 3/20) = 0.1225; at α = 10, 0.5 + min(25/400, 0.15) = 0.5625.
    expect(rdpOfSkellam(step(1, 10, 1), [2, 10])).toEqual([0.1225, 0.5625]);
    // μ = 1: the discreteness term takes its other branch, 3Δ1/(2μ) = 1.5 (below (3 + 6)/4 = 2.25).
    expect(rdpOfSkellam(step(1, 1, 1), [2])[0]).toBeCloseTo(1 + 1.5, 15);
  });

  test('a fractional order is charged the bound at the next whole order (Rényi divergence grows with the order)', () => {
    const [atFraction, atWhole] = rdpOfSkellam(step(3, 40), [2.25, 3]);
    expect(atFraction).toBe(atWhole);
  });

  test('the bound falls as the noise grows and rises with the sensitivity and the order', () => {
    const orders = [2, 4, 8, 32];
    const base = rdpOfSkellam(step(10, 1000), orders);
    rdpOfSkellam(step(10, 2000), orders).forEach((value, i) => expect(value).toBeLessThan(base[i]));
    rdpOfSkellam(step(11, 1000), orders).forEach((value, i) => expect(value).toBeGreaterThan(base[i]));
    base.slice(1).forEach((value, i) => expect(value).toBeGreaterThan(base[i]));
  });

  test('never below the Gaussian mechanism at equal variance, and above it by the discreteness term only', () => {
    const orders = [2, 3, 5, 8, 16, 64];
    const skellam = rdpOfSkellam(step(4, 50), orders);
    const gaussian = rdpOfSampledGaussian(1, Math.sqrt(50) / 4, orders);
    skellam.forEach((value, i) => {
      expect(value).toBeGreaterThan(gaussian[i]);
      expect(value - gaussian[i]).toBeCloseTo(Math.min(((2 * orders[i] - 1) * 16 + 6 * 16) / (4 * 2500), (3 * 16) / 50 / 2), 12);
    });
  });

  test('reference: at the variances the distributed mechanism runs at (μ ≈ 10^12), ε equals the continuous Gaussian\'s at equal variance', () => {
    // Δ2 = 10^6 integer steps, μ = 10^12 (z = √μ/Δ2 = 1), 10 rounds at δ = 1e-5. No number stated in the paper was found to
    // compare with; this is the large-μ limit the paper shows (Skellam matching the Gaussian as μ grows), checked at the whole
    // orders the theorem covers. At the default orders the Gaussian also uses fractional ones (1.25 … 4.5), which the Skellam
    // bound charges at the next whole order: 4% more ε in this high-ε setting.
    const rounds = 10;
    const whole = DEFAULT_ORDERS.filter((order) => Number.isInteger(order));
    const skellam = epsilonFromRdp(whole, rdpOfSkellam(step(1e6, 1e12), whole).map((value) => value * rounds), 1e-5).epsilon;
    const gaussian = epsilonFromRdp(whole, rdpOfSampledGaussian(1, 1, whole).map((value) => value * rounds), 1e-5).epsilon;
    expect(gaussian).toBeCloseTo(19.8017, 3);
    expect(Math.abs(skellam / gaussian - 1)).toBeLessThan(1e-9);
    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    for (let round = 0; round < rounds; round++) accountant.recordRound(step(1e6, 1e12));
    const fractionalGaussian = new PrivacyAccountant({ delta: 1e-5 });
    for (let round = 0; round < rounds; round++) fractionalGaussian.recordRound({ samplingRate: 1, noiseMultiplier: 1 });
    expect(fractionalGaussian.epsilon).toBeCloseTo(19.0536, 3);
    expect(accountant.epsilon).toBeCloseTo(skellam, 9);
    // At a small variance (μ = 4, Δ2 = 1) discreteness costs: Skellam's ε is well above the Gaussian's.
    const small = epsilonFromRdp(whole, rdpOfSkellam(step(1, 4), whole), 1e-5).epsilon;
    const smallGaussian = epsilonFromRdp(whole, rdpOfSampledGaussian(1, 2, whole), 1e-5).epsilon;
    expect(small).toBeGreaterThan(smallGaussian * 1.05);
  });

  test('no noise is ε = ∞, no sensitivity is 0, and a negative setting is refused', () => {
    expect(rdpOfSkellam(step(1, 0), [2])).toEqual([Infinity]);
    expect(rdpOfSkellam(step(0, 10, 0), [2, Infinity])).toEqual([0, 0]);
    expect(rdpOfSkellam(step(1, 10), [Infinity])).toEqual([Infinity]);
    thrownShoalError(() => rdpOfSkellam(step(-1, 10), [2]), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => rdpOfSkellam(step(1, Number.NaN), [2]), 'PRIVACY_INVALID_SETTING');
  });

  test('Δ1 of an integer vector: Δ2·min(Δ2, √d)', () => {
    expect(integerL1Bound(3)).toBe(9);
    expect(integerL1Bound(100, 16)).toBe(400);
    expect(integerL1Bound(2, 16)).toBe(4);
  });

  test('the accountant charges Skellam rounds by this bound', () => {
    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    accountant.recordRound(step(5, 400));
    accountant.recordRound(step(5, 400));
    const byHand = epsilonFromRdp(DEFAULT_ORDERS, rdpOfSkellam(step(5, 400), DEFAULT_ORDERS).map((v) => 2 * v), 1e-5).epsilon;
    expect(accountant.epsilon).toBeCloseTo(byHand, 12);
    expect(accountant.rounds).toBe(2);
  });
});
