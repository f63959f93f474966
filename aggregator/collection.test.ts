import type { ShoalError } from '../common/errors';
import type { NumericVector } from '../common/vector-codec';
import { Collection, type CollectionOptions } from './collection';
import { thrownShoalError } from '../common/testing/thrown-shoal-error';

const open: Collection[] = [];

function collection(overrides: Partial<CollectionOptions> = {}): Collection {
  const created = new Collection({
    collectionId: 'round-1-update',
    expectedOrgs: ['org-a', 'org-b', 'org-c'],
    minContributors: 2,
    elementCount: 3,
    dtype: 'DTYPE_FLOAT32',
    deadlineUnixMs: Date.now() + 10_000,
    ...overrides,
  });
  open.push(created);
  return created;
}

function contribute(target: Collection, orgId: string, weight: number, vector: NumericVector): void {
  target.admit(orgId, vector.length, vector instanceof Float64Array ? 'DTYPE_FLOAT64' : 'DTYPE_FLOAT32', weight);
  target.complete(orgId, weight, vector);
}

const thrownBy = (action: () => unknown): ShoalError => thrownShoalError(action);

async function rejectionOf(promise: Promise<unknown>): Promise<ShoalError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeDefined();
  return outcome as ShoalError;
}

/** 'settled' if the collection has settled (either way) by the time pending callbacks have run. */
async function stateOf(target: Collection): Promise<'settled' | 'pending'> {
  const settled = target.settled().then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  const stillPending = new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')));
  return Promise.race([settled, stillPending]);
}

afterEach(() => {
  for (const created of open.splice(0)) created.close('test finished');
});

describe('aggregation', () => {
  it('sums weighted vectors exactly in float64', async () => {
    const target = collection({ expectedOrgs: ['org-a', 'org-b'] });

    contribute(target, 'org-a', 1, new Float32Array([1, 2, 0.5]));
    contribute(target, 'org-b', 3, new Float32Array([0.25, -1, 4]));
    const result = await target.settled();

    expect(result.weightedSum).toBeInstanceOf(Float64Array);
    expect(Array.from(result.weightedSum)).toEqual([1.75, -1, 12.5]);
    expect(result.totalWeight).toBe(4);
    expect(result.contributors).toEqual(['org-a', 'org-b']);
    expect(result.missing).toEqual([]);
  });

  it('keeps sums beyond float32 precision', async () => {
    const target = collection({ expectedOrgs: ['org-a', 'org-b'], elementCount: 1 });

    contribute(target, 'org-a', 3, new Float32Array([16_777_216]));
    contribute(target, 'org-b', 1, new Float32Array([1]));
    const result = await target.settled();

    // 3 · 2^24 + 1 = 50331649 has no float32 representation.
    expect(result.weightedSum[0]).toBe(50_331_649);
  });

  it('takes float64 contributions to a float64 collection', async () => {
    const target = collection({ expectedOrgs: ['org-a'], minContributors: 1, elementCount: 2, dtype: 'DTYPE_FLOAT64' });

    contribute(target, 'org-a', 0.5, new Float64Array([0.1, 1e300]));
    const result = await target.settled();

    expect(Array.from(result.weightedSum)).toEqual([0.05, 5e299]);
    expect(result.totalWeight).toBe(0.5);
  });

  it('counts contributors as they complete', () => {
    const target = collection();

    contribute(target, 'org-b', 2, new Float32Array([1, 1, 1]));

    expect(target.contributorCount).toBe(1);
  });
});

describe('settling', () => {
  it('settles as soon as every expected participant contributed, long before the deadline', async () => {
    const target = collection({ deadlineUnixMs: Date.now() + 60_000 });

    contribute(target, 'org-a', 1, new Float32Array([1, 0, 0]));
    contribute(target, 'org-b', 1, new Float32Array([0, 1, 0]));
    expect(await stateOf(target)).toBe('pending');
    contribute(target, 'org-c', 1, new Float32Array([0, 0, 1]));

    const result = await target.settled();
    expect(result.contributors).toEqual(['org-a', 'org-b', 'org-c']);
    expect(Array.from(result.weightedSum)).toEqual([1, 1, 1]);
  });

  it('settles at the deadline and lists the others as missing', async () => {
    const target = collection({ minContributors: 1, deadlineUnixMs: Date.now() + 30 });

    contribute(target, 'org-b', 2, new Float32Array([1, 2, 3]));
    const result = await target.settled();

    expect(result.contributors).toEqual(['org-b']);
    expect(Array.from(result.weightedSum)).toEqual([2, 4, 6]);
    expect(result.totalWeight).toBe(2);
    expect(result.missing).toEqual([
      { orgId: 'org-a', reason: 'no contribution before the deadline' },
      { orgId: 'org-c', reason: 'no contribution before the deadline' },
    ]);
  });

  it('settles at once when its deadline has already passed', async () => {
    const target = collection({ minContributors: 1, deadlineUnixMs: Date.now() - 5_000 });
    contribute(target, 'org-a', 1, new Float32Array(3));

    const alreadyPast = await target.settled();

    expect(alreadyPast.missing.map((m) => m.reason)).toEqual(['no contribution before the deadline', 'no contribution before the deadline']);
  });

  it('rejects with QUORUM_NOT_MET when fewer than the minimum contributed by the deadline', async () => {
    const target = collection({ minContributors: 2, deadlineUnixMs: Date.now() + 30 });

    contribute(target, 'org-a', 1, new Float32Array([1, 2, 3]));
    const error = await rejectionOf(target.settled());

    expect(error.code).toBe('QUORUM_NOT_MET');
    expect(error.message).toBe('collection round-1-update: 1 of 3 participants contributed, fewer than the minimum 2 (deadline passed)');
    expect(error.details).toEqual({
      contributors: 1,
      minimum: 2,
      missing: [
        { orgId: 'org-b', reason: 'no contribution before the deadline' },
        { orgId: 'org-c', reason: 'no contribution before the deadline' },
      ],
    });
  });

  it('settles early once the rest are marked dropped, keeping their reasons', async () => {
    const target = collection({ deadlineUnixMs: Date.now() + 60_000 });

    contribute(target, 'org-a', 1, new Float32Array([1, 1, 1]));
    contribute(target, 'org-c', 1, new Float32Array([2, 2, 2]));
    target.markDropped('org-b', 'trainer crashed');
    const result = await target.settled();

    expect(result.contributors).toEqual(['org-a', 'org-c']);
    expect(result.missing).toEqual([{ orgId: 'org-b', reason: 'trainer crashed' }]);
  });

  it('fails early when drops leave too few to reach the minimum', async () => {
    const target = collection({ deadlineUnixMs: Date.now() + 60_000 });

    contribute(target, 'org-a', 1, new Float32Array(3));
    target.markDropped('org-b', 'offline');
    target.markDropped('org-c', 'policy refused');
    const error = await rejectionOf(target.settled());

    expect(error.code).toBe('QUORUM_NOT_MET');
    expect(error.details.missing).toEqual([
      { orgId: 'org-b', reason: 'offline' },
      { orgId: 'org-c', reason: 'policy refused' },
    ]);
  });

  it('ignores a drop for an organisation outside the cohort or one that already contributed', async () => {
    const target = collection({ expectedOrgs: ['org-a', 'org-b'], minContributors: 1 });

    contribute(target, 'org-a', 1, new Float32Array(3));
    target.markDropped('org-a', 'too late');
    target.markDropped('org-z', 'stranger');

    expect(await stateOf(target)).toBe('pending');
  });

  it('does not settle early when a participant dropped mid-upload still completes', async () => {
    const target = collection({ minContributors: 1, deadlineUnixMs: Date.now() + 60_000 });

    target.admit('org-a', 3, 'DTYPE_FLOAT32', 1);
    target.markDropped('org-a', 'reported failure');
    try {
      target.complete('org-a', 1, new Float32Array([1, 1, 1]));
    } catch {
      // Refusing the late upload is as correct as accepting it; counting org-a twice is not.
    }
    target.markDropped('org-b', 'offline');

    // org-c has neither contributed nor been dropped, so the collection must still wait for it.
    expect(await stateOf(target)).toBe('pending');
    contribute(target, 'org-c', 1, new Float32Array([5, 5, 5]));
    const result = await target.settled();
    expect(result.contributors).toContain('org-c');
  });
});

describe('refusals', () => {
  it('refuses an organisation outside the cohort with NOT_EXPECTED', () => {
    const target = collection();

    const error = thrownBy(() => target.admit('org-z', 3, 'DTYPE_FLOAT32', 1));

    expect(error.code).toBe('NOT_EXPECTED');
    expect(error.message).toBe('org-z is not in the cohort of collection round-1-update');
  });

  it('refuses a second contribution with DUPLICATE_CONTRIBUTION', () => {
    const target = collection();
    contribute(target, 'org-a', 1, new Float32Array([1, 2, 3]));

    const error = thrownBy(() => target.admit('org-a', 3, 'DTYPE_FLOAT32', 1));

    expect(error.code).toBe('DUPLICATE_CONTRIBUTION');
    expect(error.message).toBe('org-a already contributed to collection round-1-update');
  });

  it('refuses a second upload while the first is still in progress', () => {
    const target = collection();
    target.admit('org-a', 3, 'DTYPE_FLOAT32', 1);

    const error = thrownBy(() => target.admit('org-a', 3, 'DTYPE_FLOAT32', 1));

    expect(error.code).toBe('DUPLICATE_CONTRIBUTION');
  });

  it('refuses a wrong element count with INVALID_CONTRIBUTION', () => {
    const target = collection();

    const error = thrownBy(() => target.admit('org-a', 4, 'DTYPE_FLOAT32', 1));

    expect(error.code).toBe('INVALID_CONTRIBUTION');
    expect(error.message).toBe('collection round-1-update takes 3 DTYPE_FLOAT32 elements; org-a sent 4 DTYPE_FLOAT32');
  });

  it('refuses a wrong dtype with INVALID_CONTRIBUTION', () => {
    const target = collection();

    const error = thrownBy(() => target.admit('org-a', 3, 'DTYPE_FLOAT64', 1));

    expect(error.code).toBe('INVALID_CONTRIBUTION');
    expect(error.message).toBe('collection round-1-update takes 3 DTYPE_FLOAT32 elements; org-a sent 3 DTYPE_FLOAT64');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses weight %p with INVALID_CONTRIBUTION', (weight) => {
    const target = collection();

    const error = thrownBy(() => target.admit('org-a', 3, 'DTYPE_FLOAT32', weight));

    expect(error.code).toBe('INVALID_CONTRIBUTION');
    expect(error.message).toBe(`contribution weight must be a positive number; org-a sent ${weight}`);
  });

  it('refuses a vector holding a non-finite value and adds nothing of it', async () => {
    const target = collection({ expectedOrgs: ['org-a', 'org-b'], minContributors: 1 });
    target.admit('org-a', 3, 'DTYPE_FLOAT32', 1);

    const error = thrownBy(() => target.complete('org-a', 1, new Float32Array([7, Number.NaN, 7])));
    expect(error.code).toBe('INVALID_CONTRIBUTION');
    expect(error.message).toBe("org-a's contribution holds a non-finite value at element 1");
    expect(target.contributorCount).toBe(0);

    contribute(target, 'org-b', 1, new Float32Array([1, 2, 3]));
    target.close('deadline passed');
    const result = await target.settled();
    expect(Array.from(result.weightedSum)).toEqual([1, 2, 3]);
    expect(result.totalWeight).toBe(1);
    expect(result.contributors).toEqual(['org-b']);
  });

  it('refuses an infinite value too', () => {
    const target = collection();
    target.admit('org-c', 3, 'DTYPE_FLOAT32', 1);

    const error = thrownBy(() => target.complete('org-c', 1, new Float32Array([0, 0, Number.NEGATIVE_INFINITY])));

    expect(error.message).toBe("org-c's contribution holds a non-finite value at element 2");
  });

  it('refuses contributions once the collection is closed', () => {
    const target = collection({ minContributors: 1 });
    contribute(target, 'org-a', 1, new Float32Array(3));
    target.close('collected');

    const error = thrownBy(() => target.admit('org-b', 3, 'DTYPE_FLOAT32', 1));

    expect(error.code).toBe('COLLECTION_CLOSED');
  });

  it('refuses an upload that finishes after the collection closed', () => {
    const target = collection({ minContributors: 1 });
    contribute(target, 'org-a', 1, new Float32Array(3));
    target.admit('org-b', 3, 'DTYPE_FLOAT32', 1);
    target.close('deadline passed');

    const error = thrownBy(() => target.complete('org-b', 1, new Float32Array([1, 1, 1])));

    expect(error.code).toBe('COLLECTION_CLOSED');
  });

  it('refuses a participant that was already dropped', () => {
    const target = collection();
    target.markDropped('org-b', 'offline');

    const error = thrownBy(() => target.admit('org-b', 3, 'DTYPE_FLOAT32', 1));

    expect(error.code).toBe('COLLECTION_CLOSED');
    expect(error.message).toBe('org-b was dropped from collection round-1-update: offline');
  });
});

describe('abandon', () => {
  it('lets a participant whose stream broke off try again and counts it once', async () => {
    const target = collection({ expectedOrgs: ['org-a'], minContributors: 1 });
    target.admit('org-a', 3, 'DTYPE_FLOAT32', 2);

    target.abandon('org-a');
    contribute(target, 'org-a', 2, new Float32Array([1, 2, 3]));
    const result = await target.settled();

    expect(result.contributors).toEqual(['org-a']);
    expect(Array.from(result.weightedSum)).toEqual([2, 4, 6]);
    expect(result.totalWeight).toBe(2);
  });
});
