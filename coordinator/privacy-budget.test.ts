import { noiseMultiplierForBudget, PrivacyAccountant, skellamStepOf } from '../common/privacy';
import { distributedNoiseOf, fewestSurvivorsOf } from '../common/round-plan';
import { PrivacyBudget } from './privacy-budget';

type PlanSpec = ConstructorParameters<typeof PrivacyBudget>[0];
type DpSpec = PlanSpec['differentialPrivacy'];

/** The parts of a compiled job spec the budget reads; secure aggregation with the spec's defaults unless `threshold` is given. */
const plan = (dp: Partial<DpSpec> = {}, options: { rounds?: number; minParticipants?: number; threshold?: number } = {}): PlanSpec => ({
  differentialPrivacy: { mode: 'central', epsilon: 8, delta: 1e-5, clipNorm: 1, ...dp },
  training: { rounds: options.rounds ?? 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' },
  minParticipants: options.minParticipants ?? 3,
  roundDeadlineSeconds: 300,
  secureAggregation: { enabled: true, threshold: options.threshold, clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30, collusionFraction: 0.1, dropoutRate: 0.1 },
});

function runUntilStopped(budget: PrivacyBudget, contributors: number, rosterSize: number, limit = 1000): number {
  let rounds = 0;
  while (rounds < limit && budget.allowsAnotherRound(rosterSize)) {
    budget.recordRound(contributors, rosterSize);
    rounds++;
  }
  return rounds;
}

describe('PrivacyBudget', () => {
  test('a calibrated noise multiplier lets exactly the planned rounds run, and ε stays within the budget', () => {
    const budget = new PrivacyBudget(plan({}, { rounds: 20 }), 5);

    const rounds = runUntilStopped(budget, 5, 5);

    expect(rounds).toBe(20);
    expect(budget.epsilonSpent).toBeLessThanOrEqual(8);
    expect(budget.epsilonSpent).toBeGreaterThan(7.9);
  });

  test('a fixed noise multiplier ends the job before a round would take ε past the budget', () => {
    const budget = new PrivacyBudget(plan({ noiseMultiplier: 2, epsilon: 4 }, { rounds: 1000 }), 5);

    const rounds = runUntilStopped(budget, 5, 5);

    const accountant = new PrivacyAccountant({ delta: 1e-5 });
    for (let i = 0; i < rounds; i++) accountant.recordRound({ samplingRate: 1, noiseMultiplier: 2 });
    expect(budget.epsilonSpent).toBeCloseTo(accountant.epsilon, 12);
    expect(budget.epsilonSpent).toBeLessThanOrEqual(4);
    expect(accountant.epsilonAfter({ samplingRate: 1, noiseMultiplier: 2 })).toBeGreaterThan(4);
    expect(rounds).toBeGreaterThan(0);
  });

  test('distributed (Skellam) noise is calibrated for the fewest survivors, and every round is charged at that floor', () => {
    const spec = plan({ mode: 'distributed' }, { minParticipants: 4, threshold: 4 });
    const budget = new PrivacyBudget(spec, 6);

    expect(budget.noiseStdFor(6)).toBe(distributedNoiseOf(spec, 6)?.noiseStd);
    budget.recordRound(6, 6);
    const reportedWhole = budget.epsilonSpent;
    const atFloor = new PrivacyBudget(spec, 6);
    atFloor.recordRound(4, 6);
    // All six reported present or only the floor of four: the charge is the floor's either way.
    expect(reportedWhole).toBeCloseTo(atFloor.epsilonSpent, 12);
    // The noise is calibrated so that the floor carries the budget: the planned 10 rounds fit, the first already spent.
    expect(runUntilStopped(atFloor, 4, 6)).toBe(9);
    expect(atFloor.epsilonSpent).toBeLessThanOrEqual(8);
    expect(atFloor.epsilonSpent).toBeGreaterThan(7.9);
  });

  test('a hostile aggregator reporting more contributors than the floor does not lower the charge', () => {
    const spec = plan({ mode: 'distributed' }, { rounds: 10, minParticipants: 3 });
    const floor = fewestSurvivorsOf(spec, 9);
    expect(floor).toBeLessThan(9);
    const reportedFloor = new PrivacyBudget(spec, 9);
    const inflated = new PrivacyBudget(spec, 9);
    for (let round = 0; round < 5; round++) {
      reportedFloor.recordRound(floor, 9);
      inflated.recordRound(9, 9);
    }

    expect(inflated.epsilonSpent).toBeGreaterThanOrEqual(reportedFloor.epsilonSpent);
    expect(inflated.epsilonSpent).toBeCloseTo(reportedFloor.epsilonSpent, 12);
    // What the floor's noise costs, accounted by hand by the Skellam bound: the floor's honest members (γ = 0.1 of 9: none colludes).
    const noise = distributedNoiseOf(spec, 9);
    if (!noise) throw new Error('distributed noise expected');
    expect(noise.colluders).toBe(0);
    const byHand = new PrivacyAccountant({ delta: 1e-5 });
    for (let round = 0; round < 5; round++) byHand.recordRound(skellamStepOf(noise.skellam, floor));
    expect(inflated.epsilonSpent).toBeCloseTo(byHand.epsilon, 9);
    // Had the aggregator's count of nine been believed, the five rounds would have looked cheaper.
    const believed = new PrivacyAccountant({ delta: 1e-5 });
    for (let round = 0; round < 5; round++) believed.recordRound(skellamStepOf(noise.skellam, 9));
    expect(believed.epsilon).toBeLessThan(inflated.epsilonSpent);
  });

  test('colluders are never counted on for noise: floor(γ·roster) of the survivors are charged as adding nothing', () => {
    const spec = plan({ mode: 'distributed' }, { rounds: 10, minParticipants: 4, threshold: 7 });
    const noise = distributedNoiseOf(spec, 10);
    if (!noise) throw new Error('distributed noise expected');
    expect(noise).toMatchObject({ colluders: 1, honestMembers: 6 });
    const budget = new PrivacyBudget(spec, 10);
    budget.recordRound(10, 10);
    const byHand = new PrivacyAccountant({ delta: 1e-5 });
    byHand.recordRound(skellamStepOf(noise.skellam, 6));
    expect(budget.epsilonSpent).toBeCloseTo(byHand.epsilon, 12);
    // A sum of no more members than may collude carries no honest noise at all: ε is unbounded and the job stops.
    const colludersOnly = new PrivacyBudget(spec, 10);
    colludersOnly.recordRound(1, 10);
    expect(colludersOnly.epsilonSpent).toBe(Infinity);
    expect(colludersOnly.allowsAnotherRound(10)).toBe(false);
  });

  test('a roster whose fewest survivors could all be colluders is a ConfigError naming collusionFraction', () => {
    const spec = { ...plan({ mode: 'distributed' }, { minParticipants: 2, threshold: 2 }) };
    spec.secureAggregation = { ...spec.secureAggregation, collusionFraction: 0.4 };
    const error = (() => {
      try {
        distributedNoiseOf(spec, 5);
      } catch (err) {
        return err as { code: string; message: string };
      }
      return undefined;
    })();
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toContain('collusionFraction 0.4');
  });

  test('a count reported below the floor is charged at that count, so a report can only raise the charge', () => {
    const spec = plan({ mode: 'distributed' }, { minParticipants: 4, threshold: 4 });
    const atFloor = new PrivacyBudget(spec, 6);
    const below = new PrivacyBudget(spec, 6);
    atFloor.recordRound(4, 6);
    below.recordRound(3, 6);
    expect(below.epsilonSpent).toBeGreaterThan(atFloor.epsilonSpent);
  });

  test('central mode is calibrated and accounted at sampling rate 1: a public cohort amplifies nothing', () => {
    const budget = new PrivacyBudget(plan({}, { rounds: 10 }), 3);
    expect(budget.noiseMultiplier).toBe(noiseMultiplierForBudget({ epsilon: 8, delta: 1e-5, rounds: 10, samplingRate: 1 }));

    budget.recordRound(3, 3);
    const byHand = new PrivacyAccountant({ delta: 1e-5 });
    byHand.recordRound({ samplingRate: 1, noiseMultiplier: budget.noiseMultiplier });
    expect(budget.epsilonSpent).toBeCloseTo(byHand.epsilon, 12);
  });

  test('distributed noise follows each roster, exactly as common/round-plan derives it for participants', () => {
    const spec = plan({ mode: 'distributed', clipNorm: 0.5 }, { minParticipants: 3 });
    const sampled = new PrivacyBudget(spec, 7);

    for (const roster of [3, 4, 5, 7, 12]) {
      const noise = distributedNoiseOf(spec, roster);
      expect(sampled.noiseStdFor(roster)).toBe(noise?.noiseStd);
      expect(sampled.noiseMultiplierFor(roster)).toBe(noise?.noiseMultiplier);
      // Whatever the roster, ten rounds at its honest floor fit the budget, and only just.
      const budget = new PrivacyBudget(spec, roster);
      expect(runUntilStopped(budget, fewestSurvivorsOf(spec, roster), roster)).toBe(10);
      expect(budget.epsilonSpent).toBeGreaterThan(7.9);
    }
    expect(new PrivacyBudget(plan(), 7).noiseStdFor(7)).toBe(0);
  });

  test('a roster that shrinks gets more noise per member, so every round stays within the budget', () => {
    const spec = plan({ mode: 'distributed' }, { rounds: 10, minParticipants: 3 });
    const budget = new PrivacyBudget(spec, 9);
    const rosters = [9, 9, 8, 7, 6, 6, 5, 4, 4, 3];
    for (const roster of rosters) {
      expect(budget.allowsAnotherRound(roster)).toBe(true);
      budget.recordRound(fewestSurvivorsOf(spec, roster), roster);
    }
    expect(budget.epsilonSpent).toBeLessThanOrEqual(8);
    expect(budget.epsilonSpent).toBeGreaterThan(7.9);
  });

  test('the summary reports what ran and what was spent', () => {
    const budget = new PrivacyBudget(plan({ noiseMultiplier: 3 }, { rounds: 5 }), 5);
    budget.recordRound(5, 5);

    expect(budget.summary()).toEqual({ mode: 'central', epsilonBudget: 8, delta: 1e-5, clipNorm: 1, noiseMultiplier: 3, epsilonSpent: budget.epsilonSpent, roundsAccounted: 1 });
    expect(budget.epsilonSpent).toBeGreaterThan(0);
  });
});
