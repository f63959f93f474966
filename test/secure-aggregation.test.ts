/**
 * Secure aggregation across real processes: one aggregator process and one
 * participant process per org (test/support/secagg-participant.ts, which
 * runs the agent's own SecureContribution). Participants are killed with
 * SIGKILL right after a chosen step of the protocol; the unmasked aggregate
 * must be exactly the sum of the inputs that arrived (the survivor set U3),
 * and when too few remain the aggregator must refuse with a clear error and
 * keep serving.
 *
 * A cohort of 7 on the complete graph, threshold 4 (a strict majority of
 * the neighbourhood of 7), job minimum 3: one death at each phase still
 * leaves 4 signers, enough to unmask. One aggregator serves the whole file,
 * a distinct collection per case. Every channel is mutual TLS: the test
 * opens and collects with the job's coordinator certificate, and each
 * participant process presents its own organisation's certificate.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AggregatorClient } from '../aggregator';
import { generateIdentity, quantizationStep } from '../common/secagg';
import type { TlsFiles } from '../common/pki';
import { createRng } from '../common/random';
import { startAggregator, type AggregatorProcess } from './support/aggregator-process';
import { uniqueJobId } from './support/job-spec';
import { createJobTls } from './support/job-tls';
import { ProcessTracker } from './support/process-tracker';
import { assertBuilt } from './support/repo-paths';
import { secaggParticipantScript, type ParticipantStep } from './support/secagg-participant-job';
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
/** From opening a collection; a no-dropout collection of 7 settles in about 1.5 s here. */
const DEADLINE_MS = 20_000;
const ELEMENTS = 2_500;
/** Time "training" between the key phases and sending the input, when a case needs the survivors to be slower than the dying. */
const SLOW_TRAINING_MS = 1_500;
/** How long a participant killed while training trains first: long enough for its ConsistencyCheck call to reach the aggregator. */
const KILLED_TRAINING_MS = 300;
/** Every step a participant that lives to the end prints. */
const ALL_STEPS: ParticipantStep[] = ['keys-advertised', 'keys-shared', 'training', 'input-sent', 'survivors-signed', 'shares-revealed'];

interface Input {
  vector: number[];
  weight: number;
}

/**
 * Seeded dyadic inputs (multiples of 2^-8, |value| <= 2^12) and whole
 * weights: the exact encoding carries them without rounding and any sum of
 * them is exact in float64, so aggregates are compared with toEqual.
 */
function exactInputs(seed: string): Map<string, Input> {
  const rng = createRng(seed);
  return new Map(ORGS.map((org, i) => [org, { vector: Array.from({ length: ELEMENTS }, () => Math.round((rng() * 2 - 1) * 2 ** 20) / 2 ** 8), weight: 100 + 17 * i }]));
}

function sumOf(inputs: Map<string, Input>, orgs: string[]): { weightedSum: Float64Array; totalWeight: number } {
  const weightedSum = new Float64Array(ELEMENTS);
  let totalWeight = 0;
  for (const org of orgs) {
    const input = inputs.get(org) as Input;
    input.vector.forEach((v, k) => (weightedSum[k] += v));
    totalWeight += input.weight;
  }
  return { weightedSum, totalWeight };
}

function except(...orgs: string[]): string[] {
  return ORGS.filter((org) => !orgs.includes(org));
}

/** The orgs named in an aggregate's missing list ("org: reason"). */
function missingOrgs(outcome: SecureCollectionOutcome): string[] {
  return (outcome.aggregate?.missing ?? []).map((line) => line.slice(0, line.indexOf(':'))).sort();
}

/** How each org behaves; orgs not named finish normally without pausing. */
type Behaviour = Partial<Record<string, { dieAfter?: ParticipantStep; trainingMs?: number }>>;

/** A collection of all seven orgs, exact encoding. */
function cohortPlan(collectionId: string, inputs: Map<string, Input>, behaviour: Behaviour = {}): SecureCollectionPlan {
  return {
    collectionId,
    members: ORGS.map((orgId): CohortMember => ({ orgId, ...(inputs.get(orgId) as Input), ...behaviour[orgId] })),
    threshold: THRESHOLD,
    minContributors: MIN_CONTRIBUTORS,
    encoding: { kind: 'exact' },
    phaseTimeoutMs: PHASE_TIMEOUT_MS,
    deadlineMs: DEADLINE_MS,
  };
}

function expectKilledAfter(outcome: SecureCollectionOutcome, orgs: string[], step: ParticipantStep): void {
  for (const org of orgs) {
    const participant = outcome.participants.get(org);
    expect({ org, exit: participant?.exit, phases: participant?.phases, done: participant?.done }).toEqual({
      org,
      exit: { code: null, signal: 'SIGKILL' },
      phases: ALL_STEPS.slice(0, ALL_STEPS.indexOf(step) + 1),
      done: false,
    });
  }
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

/** The survivors of a refused collection: they sent their input, then the aggregator refused with its reason (`code`). */
function expectRefused(outcome: SecureCollectionOutcome, orgs: string[], lastStep: ParticipantStep, code: string): void {
  for (const org of orgs) {
    const participant = outcome.participants.get(org);
    expect({ org, exit: participant?.exit, phases: participant?.phases, code: participant?.error?.code }).toEqual({
      org,
      exit: { code: 1, signal: null },
      phases: ALL_STEPS.slice(0, ALL_STEPS.indexOf(lastStep) + 1),
      code,
    });
  }
}

describe('secure aggregation at a real aggregator, with participants killed mid-protocol', () => {
  const processes = new ProcessTracker();
  const identities = new Map<string, OrgIdentity>();
  const participantTls = new Map<string, TlsFiles>();
  let dir: string;
  let aggregator: AggregatorProcess;
  let client: AggregatorClient;
  let env: SecureCollectionEnv;

  beforeAll(async () => {
    assertBuilt();
    if (!existsSync(secaggParticipantScript)) throw new Error(`${secaggParticipantScript} is missing; run npm run build first`);
    dir = makeTempDir('secure-aggregation');
    const jobId = uniqueJobId('secagg');
    for (const org of ORGS) {
      const { privateKeyPem, publicKey } = generateIdentity(org);
      identities.set(org, { privateKeyPem, publicKey });
    }
    const tls = await createJobTls(dir, jobId);
    for (const org of ORGS) participantTls.set(org, (await tls.participant(org)).files);
    aggregator = await startAggregator(processes, jobId, { tls: tls.aggregator.files, maskWorkers: 2, logFile: join(dir, 'aggregator.log') });
    client = new AggregatorClient(aggregator.address, 'coordinator', tls.toAggregator(tls.coordinator));
    env = { tracker: processes, client, aggregatorAddress: aggregator.address, jobId, dir, identities, participantTls };
  });

  afterEach(() => {
    // No case may take the aggregator down with it.
    expect(aggregator.process.running).toBe(true);
  });

  afterAll(async () => {
    client?.close();
    await processes.stopAll();
    removeTempDir(dir);
  });

  describe('the aggregate is exactly the sum of the inputs that arrived', () => {
    test('no dropouts: all seven inputs', async () => {
      const inputs = exactInputs('no-dropouts');

      const outcome = await runSecureCollection(env, cohortPlan('no-dropouts', inputs));

      expect(outcome.error).toBeUndefined();
      expect(outcome.aggregate?.contributors).toEqual(ORGS);
      expect(outcome.aggregate?.missing).toEqual([]);
      expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, ORGS).totalWeight);
      expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, ORGS).weightedSum);
      expectFinished(outcome, ORGS);
    });

    test('killed after keys-advertised: left out once the share phase times out', async () => {
      const inputs = exactInputs('after-keys-advertised');

      const outcome = await runSecureCollection(env, cohortPlan('after-keys-advertised', inputs, { 'org-3': { dieAfter: 'keys-advertised' } }));

      expect(outcome.error).toBeUndefined();
      expect(outcome.aggregate?.contributors).toEqual(except('org-3'));
      expect(outcome.aggregate?.missing).toEqual(['org-3: did not share its keys in time']);
      expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, except('org-3')).totalWeight);
      expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, except('org-3')).weightedSum);
      expectKilledAfter(outcome, ['org-3'], 'keys-advertised');
      expectFinished(outcome, except('org-3'));
    });

    test('killed after keys-shared: left out', async () => {
      const inputs = exactInputs('after-keys-shared');

      const outcome = await runSecureCollection(env, cohortPlan('after-keys-shared', inputs, { 'org-5': { dieAfter: 'keys-shared' } }));

      expect(outcome.error).toBeUndefined();
      expect(outcome.aggregate?.contributors).toEqual(except('org-5'));
      expect(missingOrgs(outcome)).toEqual(['org-5']);
      expect(outcome.aggregate?.missing[0]).toMatch(/^org-5: .*disconnected/);
      expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, except('org-5')).totalWeight);
      expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, except('org-5')).weightedSum);
      expectKilledAfter(outcome, ['org-5'], 'keys-shared');
      expectFinished(outcome, except('org-5'));
    });

    test('killed while training, its ConsistencyCheck call open: left out as soon as the call drops', async () => {
      const inputs = exactInputs('while-training');

      const outcome = await runSecureCollection(
        env,
        cohortPlan('while-training', inputs, {
          'org-2': { dieAfter: 'training', trainingMs: KILLED_TRAINING_MS },
          ...Object.fromEntries(except('org-2').map((org) => [org, { trainingMs: SLOW_TRAINING_MS }])),
        }),
      );

      expect(outcome.error).toBeUndefined();
      expect(outcome.aggregate?.contributors).toEqual(except('org-2'));
      expect(outcome.aggregate?.missing).toEqual(['org-2: disconnected during the masked-input phase']);
      expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, except('org-2')).totalWeight);
      expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, except('org-2')).weightedSum);
      expectKilledAfter(outcome, ['org-2'], 'training');
      expectFinished(outcome, except('org-2'));
    });

    test('killed after input-sent: still counted, its input is in the sum and its self-mask removed', async () => {
      const inputs = exactInputs('after-input-sent');
      // The others train longer, so the aggregator sees org-6 hang up before the masked-input phase closes.
      const slowOthers = Object.fromEntries(except('org-6').map((org) => [org, { trainingMs: SLOW_TRAINING_MS }]));

      const outcome = await runSecureCollection(env, cohortPlan('after-input-sent', inputs, { 'org-6': { dieAfter: 'input-sent' }, ...slowOthers }));

      expect(outcome.error).toBeUndefined();
      // U3 is everyone whose masked input arrived; org-6 is in it even though it never signed the survivor set.
      expect(outcome.aggregate?.contributors).toEqual(ORGS);
      expect(outcome.aggregate?.missing).toEqual([]);
      expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, ORGS).totalWeight);
      expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, ORGS).weightedSum);
      expectKilledAfter(outcome, ['org-6'], 'input-sent');
      expectFinished(outcome, except('org-6'));
    });

    test('one killed at each phase (keys-advertised, keys-shared, input-sent): the five inputs that arrived', async () => {
      const inputs = exactInputs('each-phase');
      const arrived = except('org-2', 'org-4');
      const slowSurvivors = Object.fromEntries(except('org-2', 'org-4', 'org-7').map((org) => [org, { trainingMs: SLOW_TRAINING_MS }]));

      const outcome = await runSecureCollection(
        env,
        cohortPlan('each-phase', inputs, { 'org-2': { dieAfter: 'keys-advertised' }, 'org-4': { dieAfter: 'keys-shared' }, 'org-7': { dieAfter: 'input-sent' }, ...slowSurvivors }),
      );

      expect(outcome.error).toBeUndefined();
      expect(outcome.aggregate?.contributors).toEqual(arrived);
      expect(missingOrgs(outcome)).toEqual(['org-2', 'org-4']);
      expect(outcome.aggregate?.missing).toContain('org-2: did not share its keys in time');
      expect(outcome.aggregate?.missing.find((m) => m.startsWith('org-4'))).toMatch(/disconnected/);
      expect(outcome.aggregate?.totalWeight).toBe(sumOf(inputs, arrived).totalWeight);
      expect(outcome.aggregate?.weightedSum).toEqual(sumOf(inputs, arrived).weightedSum);
      expectKilledAfter(outcome, ['org-2'], 'keys-advertised');
      expectKilledAfter(outcome, ['org-4'], 'keys-shared');
      expectKilledAfter(outcome, ['org-7'], 'input-sent');
      expectFinished(outcome, except('org-2', 'org-4', 'org-7'));
    });
  });

  describe('too few left: the aggregator refuses, says why, and keeps serving', () => {
    test('fewer inputs than the job minimum: QUORUM_NOT_MET naming 2 of 7 against the minimum 3', async () => {
      const inputs = exactInputs('below-minimum');
      const dead = except('org-1', 'org-2');
      const behaviour: Behaviour = Object.fromEntries(dead.map((org) => [org, { dieAfter: 'training' as const, trainingMs: KILLED_TRAINING_MS }]));

      const outcome = await runSecureCollection(
        env,
        cohortPlan('below-minimum', inputs, { ...behaviour, 'org-1': { trainingMs: SLOW_TRAINING_MS }, 'org-2': { trainingMs: SLOW_TRAINING_MS } }),
      );

      expect(outcome.aggregate).toBeUndefined();
      expect(outcome.error?.code).toBe('QUORUM_NOT_MET');
      expect(outcome.error?.message).toBe(
        'collecting below-minimum: collection below-minimum: 2 of 7 participants contributed, fewer than the minimum 3 (all expected participants answered)',
      );
      expectKilledAfter(outcome, dead, 'training');
      expectRefused(outcome, ['org-1', 'org-2'], 'input-sent', 'QUORUM_NOT_MET');

      const next = await runSecureCollection(env, cohortPlan('after-below-minimum', exactInputs('after-below-minimum')));
      expect(next.aggregate?.contributors).toEqual(ORGS);
      expect(next.aggregate?.weightedSum).toEqual(sumOf(exactInputs('after-below-minimum'), ORGS).weightedSum);
    });

    test('fewer signers than the threshold: SECAGG_UNRECOVERABLE naming 3 signers against the threshold 4', async () => {
      const inputs = exactInputs('below-threshold');
      const dead = ['org-4', 'org-5', 'org-6', 'org-7'];
      const behaviour: Behaviour = Object.fromEntries([
        ...dead.map((org) => [org, { dieAfter: 'input-sent' as const }]),
        ...except(...dead).map((org) => [org, { trainingMs: SLOW_TRAINING_MS }]),
      ]);

      const outcome = await runSecureCollection(env, cohortPlan('below-threshold', inputs, behaviour));

      expect(outcome.aggregate).toBeUndefined();
      expect(outcome.error?.code).toBe('SECAGG_UNRECOVERABLE');
      expect(outcome.error?.message).toMatch(/^collecting below-threshold: consistency: the self-mask seed of org-\d cannot be recovered: only 3 of its neighbourhood signed the survivor set; the threshold is 4$/);
      expectKilledAfter(outcome, dead, 'input-sent');
      expectRefused(outcome, except(...dead), 'input-sent', 'SECAGG_UNRECOVERABLE');

      const next = await runSecureCollection(env, cohortPlan('after-below-threshold', exactInputs('after-below-threshold')));
      expect(next.aggregate?.contributors).toEqual(ORGS);
      expect(next.aggregate?.weightedSum).toEqual(sumOf(exactInputs('after-below-threshold'), ORGS).weightedSum);
    });
  });

  describe('quantized encoding, as for model updates', () => {
    test('one killed while training: the weighted mean of the six is within the rounding bound', async () => {
      const rng = createRng('quantized');
      const clippingRange = 1;
      const maxWeight = 1000;
      const inputs = new Map(ORGS.map((org, i) => [org, { vector: Array.from({ length: ELEMENTS }, () => rng() * 2 - 1), weight: 150 + 100 * i }]));
      const arrived = except('org-4');
      const plan: SecureCollectionPlan = {
        ...cohortPlan('quantized', inputs, {
          'org-4': { dieAfter: 'training', trainingMs: KILLED_TRAINING_MS },
          ...Object.fromEntries(arrived.map((org) => [org, { trainingMs: SLOW_TRAINING_MS }])),
        }),
        encoding: { kind: 'quantized', clippingRange, maxWeight },
      };

      const outcome = await runSecureCollection(env, plan);

      expect(outcome.error).toBeUndefined();
      expect(outcome.aggregate?.contributors).toEqual(arrived);
      expectKilledAfter(outcome, ['org-4'], 'training');
      expectFinished(outcome, arrived);
      const { weightedSum, totalWeight } = outcome.aggregate as { weightedSum: Float64Array; totalWeight: number };
      const exactWeight = arrived.reduce((w, org) => w + (inputs.get(org) as Input).weight, 0);
      // Each input is rounded by at most one level of 2c/L (L sized for the cohort of 7); the weight by 1/L of maxWeight.
      const step = quantizationStep({ clippingRange, maxParticipants: ORGS.length });
      expect(Math.abs(totalWeight - exactWeight)).toBeLessThanOrEqual((arrived.length * step * maxWeight) / (2 * clippingRange));
      const bound = (arrived.length * 1.5 * step) / (totalWeight / maxWeight);
      let worst = 0;
      for (let k = 0; k < ELEMENTS; k++) {
        const exactMean = arrived.reduce((acc, org) => acc + (inputs.get(org) as Input).weight * (inputs.get(org) as Input).vector[k], 0) / exactWeight;
        worst = Math.max(worst, Math.abs(weightedSum[k] / totalWeight - exactMean));
      }
      expect(worst).toBeLessThanOrEqual(bound);
    });
  });
});
