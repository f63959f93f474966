/**
 * Secure aggregation across real processes: one aggregator process and one
 * participant process per org (test/support/secagg-participant.ts, which
 * runs the agent's own SecureContribution). Participants are killed with
 * SIGKILL after a chosen step of the protocol; the unmasked aggregate must
 * be exactly the sum of the inputs that arrived (U3), and when too few
 * remain the aggregator must refuse with a clear error and keep serving.
 *
 * Cohort of 7 on the complete graph, threshold 4 (a strict majority of the
 * neighbourhood of 7), job minimum 3: one death at each phase still leaves
 * 4 signers, enough to unmask.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AggregatorClient } from '../aggregator';
import { generateIdentity } from '../common/secagg/identity';
import { quantizationStep } from '../common/secagg/encoding';
import { createRng } from '../common/random';
import { startAggregator, type AggregatorProcess } from './support/aggregator-process';
import { uniqueJobId } from './support/job-spec';
import { ProcessTracker } from './support/process-tracker';
import { assertBuilt } from './support/repo-paths';
import { secaggParticipantScript } from './support/secagg-participant-job';
import {
  runSecureCollection,
  type CohortMember,
  type OrgIdentity,
  type SecureCollectionEnv,
  type SecureCollectionOutcome,
  type SecureCollectionPlan,
} from './support/secure-collection-run';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const ORGS = ['org-1', 'org-2', 'org-3', 'org-4', 'org-5', 'org-6', 'org-7'];
const THRESHOLD = 4;
const MIN_CONTRIBUTORS = 3;
const PHASE_TIMEOUT_MS = 5_000;
const DEADLINE_MS = 20_000;
const ELEMENTS = 2_500;
/** Every phase a participant that lives to the end prints. */
const ALL_STEPS = ['keys-advertised', 'keys-shared', 'training', 'input-sent', 'survivors-signed', 'shares-revealed'];

/**
 * Seeded dyadic inputs (multiples of 2^-8, |value| <= 2^12) and whole
 * weights: the exact encoding carries them without rounding, and any sum of
 * them is exact in float64, so the aggregate can be compared with toEqual.
 */
function exactInputs(seed: string): Map<string, { vector: number[]; weight: number }> {
  const rng = createRng(seed);
  return new Map(
    ORGS.map((org, i) => [org, { vector: Array.from({ length: ELEMENTS }, () => Math.round((rng() * 2 - 1) * 2 ** 20) / 2 ** 8), weight: 100 + 17 * i }]),
  );
}

function sumOf(inputs: Map<string, { vector: number[]; weight: number }>, orgs: string[]): { weightedSum: Float64Array; totalWeight: number } {
  const weightedSum = new Float64Array(ELEMENTS);
  let totalWeight = 0;
  for (const org of orgs) {
    const input = inputs.get(org) as { vector: number[]; weight: number };
    input.vector.forEach((v, k) => (weightedSum[k] += v));
    totalWeight += input.weight;
  }
  return { weightedSum, totalWeight };
}

function missingOrgs(outcome: SecureCollectionOutcome): string[] {
  return (outcome.aggregate?.missing ?? []).map((line) => line.slice(0, line.indexOf(':'))).sort();
}

describe('secure aggregation at a real aggregator, with participants killed mid-protocol', () => {
  const processes = new ProcessTracker();
  const identities = new Map<string, OrgIdentity>();
  let dir: string;
  let jobId: string;
  let aggregator: AggregatorProcess;
  let client: AggregatorClient;
  let env: SecureCollectionEnv;

  beforeAll(async () => {
    assertBuilt();
    if (!existsSync(secaggParticipantScript)) throw new Error(`${secaggParticipantScript} is missing; run npm run build first`);
    dir = makeTempDir('secure-aggregation');
    jobId = uniqueJobId('secagg');
    for (const org of ORGS) {
      const { privateKeyPem, publicKey } = generateIdentity(org);
      identities.set(org, { privateKeyPem, publicKey });
    }
    aggregator = await startAggregator(processes, jobId, { maskWorkers: 2, logFile: join(dir, 'aggregator.log') });
    client = new AggregatorClient(aggregator.address, 'coordinator');
    env = { tracker: processes, client, aggregatorAddress: aggregator.address, jobId, dir, identities };
  });

  afterEach(() => {
    // Every case leaves the aggregator serving the next collection.
    expect(aggregator.process.running).toBe(true);
  });

  afterAll(async () => {
    client?.close();
    await processes.stopAll();
    removeTempDir(dir);
  });

  /** An exact-encoding collection of all seven orgs; `deaths` says who dies after which step. */
  function exactPlan(collectionId: string, inputs: Map<string, { vector: number[]; weight: number }>, deaths: Record<string, CohortMember['dieAfter']> = {}): SecureCollectionPlan {
    return {
      collectionId,
      members: ORGS.map((orgId) => ({ orgId, ...(inputs.get(orgId) as { vector: number[]; weight: number }), dieAfter: deaths[orgId] })),
      threshold: THRESHOLD,
      minContributors: MIN_CONTRIBUTORS,
      encoding: { kind: 'exact' },
      phaseTimeoutMs: PHASE_TIMEOUT_MS,
      deadlineMs: DEADLINE_MS,
    };
  }

  function report(name: string, outcome: SecureCollectionOutcome): void {
    process.stderr.write(`[timing] ${name}: collect settled ${outcome.collectMs} ms after the collection opened (deadline ${outcome.deadlineMs} ms)\n`);
  }

  function expectKilledAfter(outcome: SecureCollectionOutcome, org: string, step: string): void {
    const participant = outcome.participants.get(org);
    expect(participant?.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(participant?.phases).toEqual(ALL_STEPS.slice(0, ALL_STEPS.indexOf(step) + 1));
    expect(participant?.done).toBe(false);
  }

  function expectFinished(outcome: SecureCollectionOutcome, orgs: string[]): void {
    for (const org of orgs) {
      const participant = outcome.participants.get(org);
      expect({ org, exit: participant?.exit, phases: participant?.phases, done: participant?.done, error: participant?.error }).toEqual({
        org,
        exit: { code: 0, signal: null },
        phases: ALL_STEPS,
        done: true,
        error: undefined,
      });
    }
  }

  test('with no dropouts the aggregate is the exact sum of all seven inputs', async () => {
    const inputs = exactInputs('no-dropouts');

    const outcome = await runSecureCollection(env, exactPlan('no-dropouts', inputs));

    report('no dropouts', outcome);
    expect(outcome.error).toBeUndefined();
    expect(outcome.aggregate?.contributors).toEqual(ORGS);
    expect(outcome.aggregate?.missing).toEqual([]);
    expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, ORGS).totalWeight);
    expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, ORGS).weightedSum);
    expectFinished(outcome, ORGS);
  });

  test.each([
    ['keys-advertised', 'org-3'],
    ['keys-shared', 'org-5'],
  ])('a participant killed after %s is left out: the aggregate is the exact sum of the six others', async (step, dead) => {
    const inputs = exactInputs(`dies-after-${step}`);
    const survivors = ORGS.filter((org) => org !== dead);

    const outcome = await runSecureCollection(env, exactPlan(`dies-after-${step}`, inputs, { [dead]: step as CohortMember['dieAfter'] }));

    report(`killed after ${step}`, outcome);
    expect(outcome.error).toBeUndefined();
    expect(outcome.aggregate?.contributors).toEqual(survivors);
    expect(missingOrgs(outcome)).toEqual([dead]);
    expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, survivors).totalWeight);
    expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, survivors).weightedSum);
    expectKilledAfter(outcome, dead, step);
    expectFinished(outcome, survivors);
  });

  test('a participant killed after sending its masked input is still counted: its input is in the sum', async () => {
    const inputs = exactInputs('dies-after-input-sent');

    const outcome = await runSecureCollection(env, exactPlan('dies-after-input-sent', inputs, { 'org-6': 'input-sent' }));

    report('killed after input-sent', outcome);
    expect(outcome.error).toBeUndefined();
    // U3 is everyone whose masked input arrived; the survivors reveal org-6's self-mask seed for it.
    expect(outcome.aggregate?.contributors).toEqual(ORGS);
    expect(outcome.aggregate?.missing).toEqual([]);
    expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, ORGS).totalWeight);
    expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, ORGS).weightedSum);
    expectKilledAfter(outcome, 'org-6', 'input-sent');
    expectFinished(outcome, ORGS.filter((org) => org !== 'org-6'));
  });

  test('one participant killed at each phase: the aggregate is the exact sum of the five inputs that arrived', async () => {
    const inputs = exactInputs('dies-at-each-phase');
    const deaths = { 'org-2': 'keys-advertised', 'org-4': 'keys-shared', 'org-7': 'input-sent' } as const;
    const arrived = ORGS.filter((org) => org !== 'org-2' && org !== 'org-4');

    const outcome = await runSecureCollection(env, exactPlan('dies-at-each-phase', inputs, deaths));

    report('killed at each phase', outcome);
    expect(outcome.error).toBeUndefined();
    expect(outcome.aggregate?.contributors).toEqual(arrived);
    expect(missingOrgs(outcome)).toEqual(['org-2', 'org-4']);
    expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, arrived).totalWeight);
    expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, arrived).weightedSum);
    for (const [org, step] of Object.entries(deaths)) expectKilledAfter(outcome, org, step);
    expectFinished(outcome, ['org-1', 'org-3', 'org-5', 'org-6']);
  });
});
