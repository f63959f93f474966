import { effectiveLimits } from './sandbox';

const organisation = { memoryBytes: 2048 * 2 ** 20, nanoCpus: 2e9, pids: 256, outputBytes: 64 * 2 ** 20, outputEntries: 256 };

describe('effectiveLimits: the job asks, the organisation caps', () => {
  test('a job asking for less than the caps gets what it asked for', () => {
    expect(effectiveLimits(organisation, { memoryBytes: 512 * 2 ** 20, nanoCpus: 1e9, pids: 64 })).toEqual({ memoryBytes: 512 * 2 ** 20, nanoCpus: 1e9, pids: 64, outputBytes: 64 * 2 ** 20, outputEntries: 256 });
  });

  test('a job asking for more than the caps gets the caps', () => {
    expect(effectiveLimits(organisation, { memoryBytes: 64 * 2 ** 30, nanoCpus: 16e9, pids: 100000 })).toEqual(organisation);
  });

  test('what the job does not ask for is the organisation limit', () => {
    expect(effectiveLimits(organisation, { pids: 32 })).toEqual({ ...organisation, pids: 32 });
    expect(effectiveLimits(organisation)).toEqual(organisation);
  });
});
