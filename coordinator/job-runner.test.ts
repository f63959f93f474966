import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import type { AggregatorClient, CollectedAggregate } from '../aggregator';
import { compileJobSpec, type JobSpec } from '../common/job-spec';
import { CoordinatorError } from './errors';
import { JobRunner, type RoundRecord } from './job-runner';
import { ParticipantRegistry } from './participant-registry';
import { createStrategy } from './strategies';

/** The credit-default example: five banks, a minimum of three, every active bank in each cohort. */
const document = parseYaml(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
const spec: JobSpec = compileJobSpec({ ...document, secureAggregation: { enabled: false } });
const BANKS = [...spec.invitedOrgs].sort();

type OpenRequest = Parameters<AggregatorClient['openCollection']>[0];

/**
 * An aggregator that records what was opened and answers each collect with
 * `answer`; evaluations fail their quorum (these tests are about fit rounds).
 */
function fakeAggregator(answer: (request: OpenRequest) => Promise<CollectedAggregate>): { client: AggregatorClient; opened: OpenRequest[] } {
  const opened: OpenRequest[] = [];
  const client = {
    openCollection: async (request: OpenRequest) => {
      opened.push(request);
    },
    collect: async (_jobId: string, collectionId: string) => {
      const request = opened.find((r) => r.collectionId === collectionId) as OpenRequest;
      if (collectionId.startsWith('evaluate')) throw new CoordinatorError('QUORUM_NOT_MET', 'no evaluation in this test');
      return answer(request);
    },
    markDropped: async () => undefined,
  } as unknown as AggregatorClient;
  return { client, opened };
}

/** Every expected member contributed an update of 0.1 per element. */
const everyoneContributes = async (request: OpenRequest): Promise<CollectedAggregate> => {
  const orgs = request.expectedOrgs as string[];
  return { contributors: [...orgs], missing: [], totalWeight: orgs.length, weightedSum: new Float64Array(3).fill(0.1 * orgs.length) };
};

function runnerWith(aggregator: AggregatorClient): JobRunner {
  const registry = new ParticipantRegistry(BANKS);
  for (const org of BANKS) registry.admit(org);
  registry.closeAdmission();
  return new JobRunner({
    spec,
    registry,
    aggregator,
    strategy: createStrategy(spec.strategy, spec.training),
    events: { publish: () => undefined } as never,
    logger: pino({ level: 'silent' }),
    starts: 1,
    initialWeights: { vector: Float32Array.from([1, 2, 3]), tensors: [{ name: 'w', shape: [3] }] },
    changes: { next: () => new Promise<void>(() => undefined) },
    declined: new Map(),
  });
}

function stepped(round: number): RoundRecord {
  return { round, contributors: BANKS, missing: [], trainingExamples: 0, metrics: null, seconds: 1, epsilonSpent: null, attempts: 1 };
}

function skipped(round: number, alreadyContributed: string[]): RoundRecord {
  return { ...stepped(round), contributors: [], missing: BANKS, attempts: 2, skipped: { reason: 'retry without a quorum', alreadyContributed } };
}

/** A runner resumed after `rounds`, as from a checkpoint. */
function resumed(aggregator: AggregatorClient, rounds: RoundRecord[]): JobRunner {
  const runner = runnerWith(aggregator);
  runner.restore({ weights: Float32Array.from([1, 2, 3]), normalization: null, rounds, strategy: {} });
  return runner;
}

describe('JobRunner: a model is summed once per participant', () => {
  test('after a skipped round, the next round (same model) is collected only from those that have not sent an update of it', async () => {
    const { client, opened } = fakeAggregator(everyoneContributes);
    const runner = resumed(client, [stepped(1), stepped(2), skipped(3, ['bank-1', 'bank-2'])]);

    expect(runner.cohortOf(4)).toEqual(['bank-3', 'bank-4', 'bank-5']);
    const record = await runner.runRound(4);

    const fits = opened.filter((r) => String(r.collectionId).startsWith('fit'));
    expect(fits.map((r) => ({ collectionId: r.collectionId, expectedOrgs: r.expectedOrgs }))).toEqual([{ collectionId: 'fit-4', expectedOrgs: ['bank-3', 'bank-4', 'bank-5'] }]);
    expect(record.contributors).toEqual(['bank-3', 'bank-4', 'bank-5']);
    expect(record.skipped).toBeUndefined();
  });

  test('skips in a row add up, and when too few are left the job ends (MODEL_ALREADY_AGGREGATED) before any collection opens', async () => {
    const { client, opened } = fakeAggregator(everyoneContributes);
    const runner = resumed(client, [stepped(1), skipped(2, ['bank-1']), skipped(3, ['bank-2', 'bank-3'])]);

    await expect(runner.runRound(4)).rejects.toMatchObject({
      code: 'MODEL_ALREADY_AGGREGATED',
      message: "round 4: 3 of 5 active participants (bank-1, bank-2, bank-3) already sent an update of this model, which round 3 left unchanged; the 2 others are fewer than the job's minimum of 3, and a second sum of the same model would expose the difference",
      details: { round: 4, alreadyContributed: ['bank-1', 'bank-2', 'bank-3'], minParticipants: 3 },
    });
    expect(opened).toEqual([]);
  });

  test('a round that changed the model clears the exclusion', async () => {
    const { client, opened } = fakeAggregator(everyoneContributes);
    const runner = resumed(client, [skipped(1, ['bank-1', 'bank-2', 'bank-3']), stepped(2)]);

    await runner.runRound(3);

    expect(opened.filter((r) => r.collectionId === 'fit-3').map((r) => r.expectedOrgs)).toEqual([BANKS]);
  });

  test('members refusing a first attempt with SECAGG_MODEL_REPEATED make the round a skip that names them, and the next round leaves them out', async () => {
    let runner: JobRunner | undefined;
    const repeated = ['bank-1', 'bank-4', 'bank-5'];
    const { client, opened } = fakeAggregator(async (request) => {
      // Their ledgers hold an update of this model from a collection the coordinator saw fail.
      for (const orgId of repeated) await runner?.onFailureReport({ orgId, collectionId: String(request.collectionId), code: 'SECAGG_MODEL_REPEATED', message: 'already sent' });
      throw new CoordinatorError('QUORUM_NOT_MET', `collection ${request.collectionId}: 2 of 5 participants contributed, fewer than the minimum 3`);
    });
    runner = runnerWith(client);

    const record = await runner.runRound(1);

    expect(opened.map((r) => r.collectionId)).toEqual(['fit-1']);
    expect(record).toMatchObject({ contributors: [], skipped: { alreadyContributed: repeated } });
    expect(record.skipped?.reason).toContain('bank-1, bank-4, bank-5 had already sent a masked input of this round or this model and send no second');
    // Two remain for round 2, fewer than three: the job ends rather than asking them.
    await expect(runner.runRound(2)).rejects.toMatchObject({ code: 'MODEL_ALREADY_AGGREGATED' });
    expect(opened.map((r) => r.collectionId)).toEqual(['fit-1']);
  });
});
