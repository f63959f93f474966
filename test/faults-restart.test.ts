/**
 * A job's own servers dying mid-job, with real processes: three bank agents,
 * a nats-server, and `shoal job submit`, whose launcher supervises the job's
 * coordinator and aggregator. The same job (same seed, same data, secure
 * aggregation) runs three times:
 *   1. undisturbed: the reference model;
 *   2. its coordinator killed with SIGKILL in round 3: the launcher starts it
 *      again, it resumes from its round-2 checkpoint;
 *   3. its aggregator killed with SIGKILL in round 3, after it had accepted
 *      a contribution: the launcher starts a fresh one and the coordinator
 *      retries the collection there.
 * An agent sends at most one masked input per (job, round, kind), recorded
 * on disk before it leaves: a second one would let an aggregator that fakes
 * a loss learn one bank's update as the difference of two sums. So in both
 * faulty runs the banks that had sent their round-3 input refuse the retried
 * collection (SECAGG_ALREADY_CONTRIBUTED), too few remain for the job's
 * minimum of three, and round 3 is skipped: no model step, and a round
 * record that names who had contributed. Round 4 would send the same model
 * again, and a second sum of one model over a roster without those banks
 * would give the aggregator their updates as the difference; so the
 * coordinator asks only the banks that have not sent an update of it, finds
 * them fewer than three, and ends the job failed (MODEL_ALREADY_AGGREGATED)
 * without opening round 4. Nothing is counted twice, and nothing is lost
 * without the record saying so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { hasCheckpoint, jobComponentPid, logEntries, waitFor } from './support/job-processes';
import { runJobWithFault, type FaultyJobRun } from './support/job-with-fault';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey, type RegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { startAgent } from './support/shoal-processes';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { createTestPki, type TestPki } from './support/test-pki';

const BANKS = ['bank-1', 'bank-2', 'bank-3'];
const ROUNDS = 4;
/** The round in which the faults strike. */
const FAULT_ROUND = 3;

/** The round-3 record of a run whose round 3 was retried: skipped, naming every bank that refused the retry. */
function expectRound3Skipped(run: JobRun, retriedCollection: string): void {
  const record = run.report.perRound.find((r) => r.round === FAULT_ROUND);
  // Every bank whose round-3 input the first aggregator accepted sent it: each of them must refuse the retry.
  const sentFirst = logEntries(join(run.out, 'aggregator.log'), 'contribution accepted').filter((e) => e.collection === `fit-${FAULT_ROUND}`).map((e) => String(e.org));
  const refused = logEntries(join(run.out, 'coordinator.log'), 'participant reported a failure').filter((e) => e.collection === retriedCollection && e.code === 'SECAGG_ALREADY_CONTRIBUTED').map((e) => String(e.org));
  expect(sentFirst.length).toBeGreaterThan(0);
  expect([...new Set(refused)].sort()).toEqual(expect.arrayContaining([...new Set(sentFirst)].sort()));
  expect(record).toMatchObject({ contributors: [], missing: BANKS, trainingExamples: 0, skipped: { alreadyContributed: [...new Set(refused)].sort() } });
  // The event stream marks the round as skipped too.
  const events = readFileSync(join(run.out, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; round?: number; skipped?: unknown });
  expect(events.filter((e) => e.type === 'round.completed' && e.round === FAULT_ROUND).map((e) => Boolean(e.skipped))).toEqual([true]);
  // Every other round counts each bank exactly once.
  for (const round of run.report.perRound.filter((r) => r.round !== FAULT_ROUND)) expect([...round.contributors].sort()).toEqual(BANKS);
}

interface JobRun extends FaultyJobRun {
  /** The final model's weights file; null when the job failed and wrote none. */
  weights: Buffer | null;
}

/**
 * A faulty run after its skipped round 3: round 4 would sum the unchanged
 * model again, the banks that have not yet sent an update of it are fewer
 * than the minimum, so the job ends failed before round 4's collection opens.
 */
function expectEndedBeforeRound4(run: JobRun): void {
  expect(run.submit.code).toBe(3);
  const already = run.report.perRound[FAULT_ROUND - 1].skipped?.alreadyContributed ?? [];
  expect(already.length).toBeGreaterThan(0);
  expect(run.report).toMatchObject({ status: 'failed', roundsCompleted: FAULT_ROUND, modelPath: null, error: { code: 'MODEL_ALREADY_AGGREGATED' } });
  expect(run.report.error?.message).toBe(
    `round ${FAULT_ROUND + 1}: ${already.length} of ${BANKS.length} active participants (${already.join(', ')}) already sent an update of this model, which round ${FAULT_ROUND} left unchanged; the ${BANKS.length - already.length} others are fewer than the job's minimum of 3, and a second sum of the same model would expose the difference`,
  );
  expect(run.report.perRound.map((r) => r.round)).toEqual([1, 2, 3]);
  // No bank was asked for round 4: its collection was never opened, and no input for it arrived.
  const opened = logEntries(join(run.out, 'aggregator.log'), 'collection opened').map((e) => String(e.collection));
  expect(opened.filter((id) => id.startsWith(`fit-${FAULT_ROUND + 1}`))).toEqual([]);
  expect(opened.filter((id) => id.startsWith(`fit-${FAULT_ROUND}`)).length).toBeGreaterThan(0);
  expect(run.weights).toBeNull();
}

describe('the coordinator or the aggregator killed mid-job', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let pki: TestPki;
  let regulator: RegulatorKey;
  let reference: JobRun;
  let coordinatorKilled: JobRun;
  let aggregatorKilled: JobRun;

  /** The same job under a new id; `fault` runs alongside with the job's output folder. */
  async function runJob(name: string, fault?: (out: string) => Promise<void>): Promise<JobRun> {
    const env = { processes, dir, natsUrl: nats.url, regulatorKeyPath: regulator.keyPath, pkiDir: pki.dir };
    const run = await runJobWithFault(env, name, { invitedOrgs: BANKS, rounds: ROUNDS, localEpochs: 1, roundDeadlineSeconds: 120, minParticipants: 3 }, fault);
    const weights = join(run.out, 'model', 'weights.bin');
    return { ...run, weights: existsSync(weights) ? readFileSync(weights) : null };
  }

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('faults-restart');
    const data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 800, heldOutRows: 0, seed: 'faults-restart' });
    regulator = writeRegulatorKey(dir);
    pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
    await Promise.all(
      data.banks.map(async (bank) => {
        const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId) });
        return startAgent(processes, bank.orgId, config, dir);
      }),
    );
    reference = await runJob('reference');
    coordinatorKilled = await runJob('coordinator-killed', async (out) => {
      // Every bank holds its round-3 task once the aggregator accepted one of their round-3 inputs.
      await waitFor('round 2 checkpointed', 120_000, () => hasCheckpoint(out, FAULT_ROUND - 1));
      await waitFor('a round-3 contribution at the aggregator', 60_000, () => logEntries(join(out, 'aggregator.log'), 'contribution accepted').some((e) => e.collection === `fit-${FAULT_ROUND}`));
      process.kill(jobComponentPid('coordinator', out), 'SIGKILL');
    });
    aggregatorKilled = await runJob('aggregator-killed', async (out) => {
      await waitFor('round 2 checkpointed', 120_000, () => hasCheckpoint(out, FAULT_ROUND - 1));
      await waitFor('a round-3 contribution at the aggregator', 60_000, () => logEntries(join(out, 'aggregator.log'), 'contribution accepted').some((e) => e.collection === `fit-${FAULT_ROUND}`));
      process.kill(jobComponentPid('aggregator', out), 'SIGKILL');
    });
  }, 720_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    if (dir) removeTempDir(dir);
  });

  test('the reference job completes all rounds with all three banks', () => {
    expect(reference.submit.code).toBe(0);
    expect(reference.report).toMatchObject({ status: 'completed', roundsCompleted: ROUNDS, restarts: { starts: 1, resumedFromRound: null } });
    for (const round of reference.report.perRound) expect([...round.contributors].sort()).toEqual(BANKS);
  });

  describe('coordinator killed in round 3', () => {
    test('the launcher starts it again and it resumes from its round-2 checkpoint', () => {
      expect(coordinatorKilled.submit.stderr).toMatch(/the coordinator was killed \(SIGKILL\); starting it again on port \d+ \(restart 1 of 3\)/);
      expect(coordinatorKilled.submit.stderr).toContain('resumed after round 2 from its checkpoint');
      expect(coordinatorKilled.report).toMatchObject({ restarts: { starts: 2, resumedFromRound: FAULT_ROUND - 1 } });
    });

    test('banks that had sent their round-3 input refuse the restarted coordinator\'s collection, round 3 is skipped, and the job ends before summing the unchanged model again', () => {
      expectRound3Skipped(coordinatorKilled, `fit-${FAULT_ROUND}-s2-a1`);
      expectEndedBeforeRound4(coordinatorKilled);
    });

    test('its transcript continues in one chain, signed by one key, and records the resumption', () => {
      const lines = readFileSync(join(coordinatorKilled.out, 'transcript.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { seq: number; type: string; data: Record<string, unknown> });
      expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i));
      expect(lines.filter((l) => l.type === 'job.resumed').map((l) => l.data)).toEqual([{ jobId: coordinatorKilled.report.jobId, fromRound: FAULT_ROUND - 1, starts: 2 }]);
      expect(lines.at(-1)?.type).toBe('job.finished');
      // The job's signing key is removed once the job is over.
      expect(existsSync(join(coordinatorKilled.out, 'transcript-key.pem'))).toBe(false);
    });
  });

  describe('aggregator killed in round 3 after accepting a contribution', () => {
    test('round 3 is retried at a fresh aggregator, under a new collection name', () => {
      expect(aggregatorKilled.submit.stderr).toMatch(/the aggregator was killed \(SIGKILL\); starting it again on port \d+/);
      expect(aggregatorKilled.submit.stderr).toContain(`round ${FAULT_ROUND}: the aggregator was lost during the fit collection`);
      expect(aggregatorKilled.report).toMatchObject({ restarts: { starts: 1 } });
      expect(aggregatorKilled.report.perRound.map((r) => r.attempts)).toEqual([1, 1, 2]);
    });

    test('banks that had sent their round-3 input refuse the retry, round 3 is skipped, no update counts twice, and the job ends before summing the unchanged model again', () => {
      expectRound3Skipped(aggregatorKilled, `fit-${FAULT_ROUND}-s1-a2`);
      const refused = new Set(aggregatorKilled.report.perRound[FAULT_ROUND - 1].skipped?.alreadyContributed);
      // No bank that refused sent a masked input to the retried collection.
      const retried = logEntries(join(aggregatorKilled.out, 'aggregator.log'), 'contribution accepted').filter((e) => e.collection === `fit-${FAULT_ROUND}-s1-a2`).map((e) => String(e.org));
      expect(retried.filter((org) => refused.has(org))).toEqual([]);
      expect(aggregatorKilled.report.perRound.filter((r) => r.round < FAULT_ROUND).map((r) => r.trainingExamples)).toEqual(reference.report.perRound.filter((r) => r.round < FAULT_ROUND).map((r) => r.trainingExamples));
      expectEndedBeforeRound4(aggregatorKilled);
    });
  });
});
