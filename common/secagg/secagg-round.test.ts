import { decodeExactSum, dequantizeSum, encodeExact, quantizationStep, quantizeWeighted } from './encoding';
import { neighbourhood } from './secagg-config';
import { makeCohort, orgNames, runRound, seededRandom, seededRandomBytes, type Cohort } from './test-support';
import type { SecAggClient } from './secagg-client';
import { SecAggServer } from './secagg-server';

function randomInput(org: string, length: number): Uint32Array {
  const bytes = seededRandomBytes(`input/${org}`)(length * 4);
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + length * 4));
}

function same(a: Uint32Array, b: Uint32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('exactness', () => {
  it('n = 5, complete graph: the unmasked sum equals the plain sum mod 2^32, bit for bit', async () => {
    const cohort = makeCohort({ n: 5, elementCount: 10_001, seed: 'exact-5' });
    expect(cohort.config).toMatchObject({ degree: 4, threshold: 4 });
    const result = await runRound(cohort, { input: (org) => randomInput(org, 10_001), minSurvivors: 3 });
    expect(result.survivors).toEqual(orgNames(5));
    expect(same(result.sum, result.expected)).toBe(true);
  });

  it('n = 30, sparse graph (degree 20): the unmasked sum equals the plain sum mod 2^32', async () => {
    const cohort = makeCohort({ n: 30, elementCount: 4_099, seed: 'exact-30' });
    expect(cohort.config).toMatchObject({ degree: 20, threshold: 15 });
    expect(neighbourhood(cohort.config, 'org-000')).toHaveLength(21);
    const result = await runRound(cohort, { input: (org) => randomInput(org, 4_099) });
    expect(result.survivors).toHaveLength(30);
    expect(same(result.sum, result.expected)).toBe(true);
  });

  it('the dequantised weighted mean is within the quantisation bound of the float mean', async () => {
    const d = 3_000;
    const settings = { clippingRange: 1, maxParticipants: 5 };
    const random = seededRandom('quantised-round');
    const orgs = orgNames(5);
    const weights = new Map(orgs.map((org, i) => [org, [0.2, 0.1, 0.3, 0.15, 0.25][i]]));
    const vectors = new Map(orgs.map((org) => [org, Float32Array.from({ length: d }, () => random() * 2 - 1)]));
    const cohort = makeCohort({ n: 5, elementCount: d + 1, seed: 'quantised-round' });
    const result = await runRound(cohort, {
      input: (org) => quantizeWeighted(vectors.get(org) as Float32Array, weights.get(org) as number, settings, random),
    });
    const { weightedSum, totalWeight } = dequantizeSum(result.sum, 5, settings);
    const bound = (5 * 1.5 * quantizationStep(settings)) / totalWeight;
    for (let k = 0; k < d; k++) {
      let mean = 0;
      for (const org of orgs) mean += (weights.get(org) as number) * (vectors.get(org) as Float32Array)[k];
      expect(Math.abs(weightedSum[k] / totalWeight - mean)).toBeLessThanOrEqual(bound);
    }
  });

  it('exact fixed point survives masking: sums of squares, counts and negative values come back exactly', async () => {
    const values = new Map(orgNames(5).map((org, i) => [org, new Float64Array([1e15 - i, -(i + 0.5), i * 2 ** -20, -1e14 * i])]));
    const cohort = makeCohort({ n: 5, elementCount: 20, seed: 'exact-round' });
    const result = await runRound(cohort, { input: (org) => encodeExact(values.get(org) as Float64Array, 1000 + Number(org.slice(4))) });
    const { weightedSum, totalWeight } = decodeExactSum(result.sum, 5);
    expect(Array.from(weightedSum)).toEqual([5e15 - 10, -12.5, 10 * 2 ** -20, -1e15]);
    expect(totalWeight).toBe(5010);
  });
});

describe('dropouts', () => {
  // n = 10, complete graph: threshold 7.
  const input = (org: string) => randomInput(org, 5_003);

  it('tolerates drops after AdvertiseKeys, after ShareKeys and after the masked input, down to t unmasking', async () => {
    const cohort = makeCohort({ n: 10, elementCount: 5_003, seed: 'drops-10' });
    expect(cohort.config.threshold).toBe(7);
    const result = await runRound(cohort, {
      input,
      minSurvivors: 3,
      dropAfterAdvertise: ['org-001'],
      dropAfterShare: ['org-004'],
      dropAfterMaskedInput: ['org-007'],
    });
    expect(result.survivors).toEqual(['org-000', 'org-002', 'org-003', 'org-005', 'org-006', 'org-007', 'org-008', 'org-009']);
    expect(same(result.sum, result.expected)).toBe(true);
  });

  it('tolerates a signer that never unmasks, as long as t answer', async () => {
    const cohort = makeCohort({ n: 10, elementCount: 5_003, seed: 'drops-10b' });
    const result = await runRound(cohort, { input, dropAfterShare: ['org-004', 'org-005'], dropAfterConsistency: ['org-009'] });
    expect(result.survivors).toHaveLength(8);
    expect(same(result.sum, result.expected)).toBe(true);
  });

  it('refuses to close the consistency check when fewer than t signed', async () => {
    const cohort = makeCohort({ n: 10, elementCount: 64, seed: 'drops-10c' });
    const err = await rejection(runRound(cohort, { input: (org) => randomInput(org, 64), dropAfterShare: ['org-004', 'org-005'], dropAfterMaskedInput: ['org-008', 'org-009'] }));
    expect(err.code).toBe('SECAGG_UNRECOVERABLE');
    expect(err.message).toBe('consistency: the self-mask seed of org-000 cannot be recovered: only 6 of its neighbourhood signed the survivor set; the threshold is 7');
  });

  it('fails with SECAGG_UNRECOVERABLE naming the secret when fewer than t answer the unmasking', async () => {
    const cohort = makeCohort({ n: 10, elementCount: 64, seed: 'drops-10d' });
    const err = await rejection(runRound(cohort, { input: (org) => randomInput(org, 64), dropAfterShare: ['org-004'], dropAfterConsistency: ['org-001', 'org-002', 'org-003'] }));
    expect(err.code).toBe('SECAGG_UNRECOVERABLE');
    expect(err.message).toBe('finish: the self-mask seed of org-000 cannot be recovered: 6 shares arrived; the threshold is 7');
  });

  it('refuses to go on when fewer than t shared keys', async () => {
    const cohort = makeCohort({ n: 10, elementCount: 64, seed: 'drops-10e' });
    const err = await rejection(runRound(cohort, { input: (org) => randomInput(org, 64), dropAfterAdvertise: ['org-000', 'org-001', 'org-002', 'org-003'] }));
    expect(err.code).toBe('QUORUM_NOT_MET');
    expect(err.message).toBe(
      "share: only 6 participants shared keys, and only 0 of them have a threshold of neighbours that did too; at least 7 are needed (the job's minimum is 1, the threshold 7)",
    );
  });

  it('sparse graph n = 30: drops in every phase still give the survivors\' exact sum', async () => {
    const cohort = makeCohort({ n: 30, elementCount: 1_001, seed: 'drops-30' });
    const result = await runRound(cohort, {
      input: (org) => randomInput(org, 1_001),
      minSurvivors: 10,
      dropAfterAdvertise: ['org-003'],
      dropAfterShare: ['org-010', 'org-020', 'org-021'],
      dropAfterMaskedInput: ['org-015'],
      dropAfterConsistency: ['org-027'],
    });
    expect(result.survivors).toHaveLength(26);
    expect(same(result.sum, result.expected)).toBe(true);
  });
});

describe('uniformity of a masked input', () => {
  // 256 bins on the top byte of 10^6 elements: chi-square with 255 degrees of freedom; 330.5 is its 0.999 quantile.
  const CRITICAL = 330.5;
  const d = 1_000_000;

  function chiSquare(values: Uint32Array): number {
    const bins = new Float64Array(256);
    for (let k = 0; k < values.length; k++) bins[values[k] >>> 24]++;
    const expected = values.length / 256;
    return bins.reduce((acc, observed) => acc + ((observed - expected) ** 2) / expected, 0);
  }

  async function maskedBy(cohort: Cohort, org: string, input: Uint32Array): Promise<Uint32Array> {
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 1 });
    for (const client of cohort.clients.values()) server.receiveAdvertisement(client.advertiseKeys());
    const ads = server.closeAdvertise();
    for (const [name, client] of cohort.clients) server.receiveShares(name, client.shareKeys(ads));
    server.closeShareKeys();
    return (cohort.clients.get(org) as SecAggClient).maskInput(server.sharesFor(org), input);
  }

  it('an all-zero input is indistinguishable from uniform once masked, and clearly not before', async () => {
    const zeros = new Uint32Array(d);
    const masked = await maskedBy(makeCohort({ n: 3, elementCount: d, seed: 'uniform-zero' }), 'org-001', zeros);
    expect(chiSquare(masked)).toBeLessThan(CRITICAL);
    expect(chiSquare(zeros)).toBeGreaterThan(CRITICAL);
  });

  it('a quantised model update (far from uniform) is indistinguishable from uniform once masked', async () => {
    const random = seededRandom('uniform-update');
    const update = quantizeWeighted(Float32Array.from({ length: d - 1 }, () => (random() - 0.5) * 0.1), 0.5, { clippingRange: 1, maxParticipants: 3 }, random);
    const masked = await maskedBy(makeCohort({ n: 3, elementCount: d, seed: 'uniform-update' }), 'org-000', update);
    expect(chiSquare(update)).toBeGreaterThan(CRITICAL);
    expect(chiSquare(masked)).toBeLessThan(CRITICAL);
  });
});
