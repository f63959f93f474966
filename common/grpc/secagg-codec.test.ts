import { SecAggServer } from '../secagg/secagg-server';
import type { SecAggClient } from '../secagg/secagg-client';
import { makeCohort } from '../secagg/test-support';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { advertisementFromWire, advertisementToWire } from './secagg-codec';
import type { KeyAdvertisementMessage__Output } from '../../proto/generated/shoal/v1/KeyAdvertisementMessage';

describe('key advertisement codec', () => {
  const cohort = makeCohort({ n: 3, elementCount: 4, seed: 'codec-ad' });
  const ad = (cohort.clients.get('org-000') as SecAggClient).advertiseKeys();

  it('carries the seed commitment both ways, so the signature still verifies', () => {
    const wire = advertisementToWire(ad) as KeyAdvertisementMessage__Output;
    expect(Buffer.from(wire.seedCommitment)).toEqual(Buffer.from(ad.seedCommitment));
    const back = advertisementFromWire(wire);
    expect(Buffer.from(back.seedCommitment)).toEqual(Buffer.from(ad.seedCommitment));
    new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 2 }).receiveAdvertisement(back);
  });

  it('an advertisement sent without seed_commitment is refused as a bad message', () => {
    const wire = { ...(advertisementToWire(ad) as KeyAdvertisementMessage__Output), seedCommitment: Buffer.alloc(0) };
    const server = new SecAggServer({ config: cohort.config, roster: cohort.roster, minSurvivors: 2 });
    thrownShoalError(() => server.receiveAdvertisement(advertisementFromWire(wire)), 'SECAGG_BAD_MESSAGE');
  });
});
