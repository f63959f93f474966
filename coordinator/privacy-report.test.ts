import { secureGraphOf } from '../common/round-plan';
import type { PrivacySummary } from './privacy-budget';
import { privacyReportOf } from './privacy-report';

type ReportSpec = Parameters<typeof privacyReportOf>[0];

const spec = (secure: Partial<ReportSpec['secureAggregation']> = {}): ReportSpec => ({
  differentialPrivacy: { mode: 'distributed', epsilon: 8, delta: 1e-5, clipNorm: 1 },
  training: { rounds: 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' },
  minParticipants: 3,
  roundDeadlineSeconds: 300,
  secureAggregation: { enabled: true, clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30, collusionFraction: 0.1, dropoutRate: 0.1, ...secure },
});

const summary: PrivacySummary = { mode: 'distributed', epsilonBudget: 8, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1.2, epsilonSpent: 2, roundsAccounted: 3 };

describe('privacyReportOf', () => {
  test('says that ε covers model updates only, at sampling rate 1 and the enforced floor', () => {
    const report = privacyReportOf(spec(), 5, summary);

    expect(report.differentialPrivacy).toBe(summary);
    expect(report.covers).toEqual(['model updates of every fit round']);
    expect(report.notCovered.map((entry) => entry.release)).toEqual([
      'preprocessing statistics (normalisation sums)',
      'evaluation sums of every round',
      'the number of examples per round and the contributors of each round',
    ]);
    for (const entry of report.notCovered) expect(entry.reason).toContain('released exactly');
    expect(report.samplingRate).toBe(1);
    expect(report.samplingRateReason).toContain('public seed');
    expect(report.accountedAt).toBe('the fewest survivors every participant enforces');
  });

  test('without differential privacy ε covers nothing and model updates are listed as not covered', () => {
    const report = privacyReportOf(spec(), 5, null);

    expect(report.covers).toEqual([]);
    expect(report.notCovered[0]).toEqual({ release: 'model updates of every fit round', reason: 'the job runs without differential privacy' });
    expect(report.samplingRate).toBeNull();
    expect(report.accountedAt).toBeNull();
  });

  test('on the complete graph the neighbourhood is the roster and 2t − m colluders are the limit', () => {
    // Roster 5 with 4 neighbours each: the complete graph, m = 5; threshold 4 gives 2t − m = 3.
    const report = privacyReportOf(spec({ threshold: 4, neighbours: 4 }), 5, summary);

    expect(report.secureAggregation.enabled).toBe(true);
    expect(report.secureAggregation.adversary).toMatchObject({
      rosterSize: 5, collusionFraction: 0.1, dropoutRate: 0.1, exposureBound: 2 ** -40, exposure: 0, degree: 4, threshold: 4, neighbourhoodSize: 5, toleratesColludingNeighbours: 2,
    });
    // Fewer than 4 of 5 kept at 10% dropout: 1 − 0.9^5 − 5·0.1·0.9^4.
    expect(report.secureAggregation.adversary?.failure).toBeCloseTo(1 - 0.9 ** 5 - 5 * 0.1 * 0.9 ** 4, 12);
    expect(report.secureAggregation.adversary?.statement).toContain('colluding with a fraction 0.1 of the participants');
    expect(report.secureAggregation.adversary?.statement).toContain('at most 2 colluding neighbours of one participant are harmless');
    expect(report.secureAggregation.adversary?.statement).toContain('multiplies the exposure by the number tried');
  });

  test('by default reports the derived graph for the planned roster, with its exposure below the bound and its failure', () => {
    const adversary = privacyReportOf(spec(), 100, summary).secureAggregation.adversary;

    expect(adversary).toMatchObject({ rosterSize: 100, degree: 34, threshold: 24, neighbourhoodSize: 35, toleratesColludingNeighbours: 12 });
    expect(adversary?.exposure).toBeLessThan(2 ** -40);
    expect(adversary?.failure).toBeGreaterThan(0);
    expect(adversary?.failure).toBeLessThanOrEqual(0.01);
  });

  test('on the SecAgg+ ring the neighbourhood is a participant and its neighbours, as secureGraphOf sets them', () => {
    const s = spec({ neighbours: 6 });
    const graph = secureGraphOf(s, 20);
    const report = privacyReportOf(s, 20, summary);

    expect(graph?.degree).toBe(6);
    const t = graph?.threshold ?? 0;
    expect(report.secureAggregation.adversary).toMatchObject({ degree: 6, threshold: t, neighbourhoodSize: 7, toleratesColludingNeighbours: Math.max(0, 2 * t - 7 - 1) });
  });

  test('gives no adversary when the job aggregates in the clear or nobody was admitted', () => {
    expect(privacyReportOf(spec({ enabled: false }), 5, summary).secureAggregation.adversary).toBeNull();
    expect(privacyReportOf(spec(), 0, summary).secureAggregation.adversary).toBeNull();
  });
});
