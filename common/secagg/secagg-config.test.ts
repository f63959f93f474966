import { thrownShoalError } from '../testing/thrown-shoal-error';
import { compileSecAggConfig, configDigest, defaultDegree, defaultThreshold, minimumThreshold, neighbourhood } from './secagg-config';
import { orgNames } from './test-support';

const base = { jobId: 'job-1', collectionId: 'fit-1', elementCount: 10 };

describe('defaults', () => {
  it('uses the complete graph up to 20 participants and 4·ceil(log2 n) beyond', () => {
    expect([2, 5, 20, 21, 30, 100, 1000, 10000].map(defaultDegree)).toEqual([1, 4, 19, 20, 20, 28, 40, 56]);
  });

  it('sets the threshold to floor(2m/3) + 1', () => {
    expect([2, 3, 5, 10, 21, 29].map(defaultThreshold)).toEqual([2, 3, 4, 7, 15, 20]);
  });
});

describe('compileSecAggConfig', () => {
  it('sorts participants and fills degree and threshold', () => {
    const config = compileSecAggConfig({ ...base, participants: ['c', 'a', 'b', 'e', 'd'] });
    expect(config).toEqual({ ...base, participants: ['a', 'b', 'c', 'd', 'e'], degree: 4, threshold: 4 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('turns an odd or oversized degree into the complete graph', () => {
    expect(compileSecAggConfig({ ...base, participants: orgNames(30), degree: 7 }).degree).toBe(29);
    expect(compileSecAggConfig({ ...base, participants: orgNames(30), degree: 40 }).degree).toBe(29);
    expect(compileSecAggConfig({ ...base, participants: orgNames(30), degree: 8 })).toMatchObject({ degree: 8, threshold: 7 });
  });

  it('explains a threshold larger than the neighbourhood', () => {
    const err = thrownShoalError(() => compileSecAggConfig({ ...base, participants: orgNames(30), degree: 10, threshold: 12 }), 'CONFIG_INVALID');
    expect(err.message).toBe('secure aggregation config: threshold 12 exceeds the neighbourhood size 11 (degree 10 + the participant itself)');
    expect(err.details).toEqual({ field: 'threshold', expected: 'at most 11', found: 12 });
  });

  it('refuses a threshold that is not a strict majority of the neighbourhood', () => {
    const err = thrownShoalError(() => compileSecAggConfig({ ...base, participants: orgNames(6), threshold: 3 }), 'CONFIG_INVALID');
    expect(err.details).toEqual({ field: 'threshold', expected: 'at least 4', found: 3 });
  });

  it('on the sparse ring, refuses a threshold below degree/2 + 2 even when it is a strict majority', () => {
    const err = thrownShoalError(() => compileSecAggConfig({ ...base, participants: orgNames(30), degree: 4, threshold: 3 }), 'CONFIG_INVALID');
    expect(err.message).toBe(
      'secure aggregation config: threshold 3 is below 4 (degree 4 / 2 + 2) on the sparse neighbour ring; with fewer, a survivor set from which runs of 2 consecutive participants dropped could split the ring, and the server would learn the sum of each part',
    );
    expect(err.details).toEqual({ field: 'threshold', expected: 'at least 4', found: 3 });
    // Degree 10: a majority of 11 is 6, the ring needs 7.
    expect(thrownShoalError(() => compileSecAggConfig({ ...base, participants: orgNames(30), degree: 10, threshold: 6 }), 'CONFIG_INVALID').details).toEqual({ field: 'threshold', expected: 'at least 7', found: 6 });
    expect(compileSecAggConfig({ ...base, participants: orgNames(30), degree: 10, threshold: 7 }).threshold).toBe(7);
    // The complete graph cannot split: a strict majority is enough there.
    expect(compileSecAggConfig({ ...base, participants: orgNames(5), threshold: 3 }).threshold).toBe(3);
  });

  it('gives defaults that meet the sparse-ring minimum for every even degree and cohort size', () => {
    for (let n = 2; n <= 300; n++) expect(() => compileSecAggConfig({ ...base, participants: orgNames(n) })).not.toThrow();
    for (let degree = 2; degree <= 98; degree += 2) {
      const config = compileSecAggConfig({ ...base, participants: orgNames(100), degree });
      expect(config.threshold).toBeGreaterThanOrEqual(minimumThreshold(degree + 1, true));
    }
  });

  it('refuses duplicates, too few participants and bad lengths', () => {
    expect(thrownShoalError(() => compileSecAggConfig({ ...base, participants: ['a', 'b', 'a'] }), 'CONFIG_INVALID').message).toContain('participant a is listed twice');
    thrownShoalError(() => compileSecAggConfig({ ...base, participants: ['a'] }), 'CONFIG_INVALID');
    thrownShoalError(() => compileSecAggConfig({ ...base, participants: ['a', 'b'], elementCount: 0 }), 'CONFIG_INVALID');
    thrownShoalError(() => compileSecAggConfig({ ...base, participants: ['a', ''] }), 'CONFIG_INVALID');
    thrownShoalError(() => compileSecAggConfig({ ...base, jobId: '', participants: ['a', 'b'] }), 'CONFIG_INVALID');
  });
});

describe('configDigest', () => {
  it('is the same for the same settings in any participant order, and differs per job and collection', () => {
    const a = compileSecAggConfig({ ...base, participants: ['x', 'y', 'z'] });
    const b = compileSecAggConfig({ ...base, participants: ['z', 'x', 'y'] });
    expect(configDigest(a)).toEqual(configDigest(b));
    expect(configDigest(a)).toHaveLength(32);
    expect(configDigest({ ...a, collectionId: 'fit-2' })).not.toEqual(configDigest(a));
    expect(configDigest({ ...a, jobId: 'job-2' })).not.toEqual(configDigest(a));
  });
});

describe('neighbourhood', () => {
  const config = compileSecAggConfig({ ...base, participants: orgNames(50), degree: 8 });

  it('is symmetric, sorted, includes the org, and has degree + 1 members', () => {
    for (const org of config.participants) {
      const members = neighbourhood(config, org);
      expect(members).toHaveLength(9);
      expect(members).toContain(org);
      expect([...members].sort()).toEqual(members);
      for (const peer of members) expect(neighbourhood(config, peer)).toContain(org);
    }
  });

  it('is fixed by the digest: the same config gives the same graph, another collection another', () => {
    const again = compileSecAggConfig({ ...base, participants: orgNames(50).reverse(), degree: 8 });
    const other = compileSecAggConfig({ ...base, collectionId: 'fit-2', participants: orgNames(50), degree: 8 });
    const graph = (c: typeof config) => c.participants.map((org) => neighbourhood(c, org).join(','));
    expect(graph(again)).toEqual(graph(config));
    expect(graph(other)).not.toEqual(graph(config));
  });

  it('is everyone for the complete graph, and refuses an outsider', () => {
    const complete = compileSecAggConfig({ ...base, participants: orgNames(5) });
    expect(neighbourhood(complete, 'org-002')).toEqual(orgNames(5));
    thrownShoalError(() => neighbourhood(complete, 'org-999'), 'CONFIG_INVALID');
  });
});
