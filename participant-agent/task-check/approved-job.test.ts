import { thrownShoalError } from '../../common/testing/thrown-shoal-error';
import { skellamParameters } from '../../common/privacy';
import { compilePolicy } from '../policy';
import { approveJob, approvedFit } from './approved-job';
import { jobSpec } from './task-check-test-fixtures';

describe('approveJob: what the organisation accepted, from the spec and its own policy', () => {
  test('the roster floor is the policy\'s or the job\'s minimum, whichever is higher; peers are pinned only when the policy names them', () => {
    const open = approveJob(jobSpec(), 'bank-1', compilePolicy({}).privacy);
    const pinned = approveJob(jobSpec({ minParticipants: 4 }), 'bank-1', compilePolicy({ privacy: { minParticipantsPerRound: 2, peers: ['bank-2', 'bank-3'] } }).privacy);

    expect(open).toMatchObject({ orgId: 'bank-1', rosterFloor: 3, pinnedPeers: undefined, elements: { fit: 1313, statistics: 47, evaluate: 3 + 2 * 1000 } });
    expect(pinned.rosterFloor).toBe(4);
    expect(pinned.pinnedPeers).toEqual(new Set(['bank-2', 'bank-3']));
  });

  test('privacy.peers is a list of organisation ids: an empty list or a bad id is reported with its field path', () => {
    const problems = (peers: unknown) => thrownShoalError(() => compilePolicy({ privacy: { peers } }), 'CONFIG_INVALID').details.problems;

    expect(problems([])).toEqual([expect.objectContaining({ path: 'privacy.peers' })]);
    expect(problems(['Bank 2'])).toEqual([expect.objectContaining({ path: 'privacy.peers[0]' })]);
  });

  test('fit settings as the coordinator\'s strategies write them', () => {
    const base = { mode: 'train', localEpochs: 2, batchSize: 64, learningRate: 0.001, optimizer: 'adam', proximalMu: 0, clipNorm: 0, noiseStd: 0, weighting: 'examples' };

    expect(approvedFit(jobSpec(), 5)).toEqual(base);
    expect(approvedFit(jobSpec({ strategy: { name: 'fedsgd' } }), 5)).toEqual({ ...base, mode: 'gradient', localEpochs: 1 });
    expect(approvedFit(jobSpec({ strategy: { name: 'fedprox', proximalMu: 0.05 } }), 5)).toEqual({ ...base, proximalMu: 0.05 });
    expect(approvedFit(jobSpec({ differentialPrivacy: { epsilon: 8, clipNorm: 0.5 } }), 5)).toEqual({ ...base, clipNorm: 0.5, weighting: 'uniform' });
    const distributed = approvedFit(jobSpec({ differentialPrivacy: { mode: 'distributed', epsilon: 8, noiseMultiplier: 2 } }), 4);
    // Distributed: the Skellam mechanism this organisation runs itself, at the granularity of the noise std and the roster.
    expect(distributed).toEqual({ ...base, clipNorm: 1, weighting: 'uniform', noiseStd: 1, skellam: skellamParameters({ clipNorm: 1, memberNoiseStd: 1, members: 4 }) });
  });
});
