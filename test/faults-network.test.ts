/**
 * The federation's network failing under a running job, with real
 * processes (nats-server, three bank agents, `shoal job submit` with its
 * coordinator and aggregator):
 *   - the NATS server restarted mid-job: every client reconnects on its own,
 *     events flow again, and the job completes with every bank in every round;
 *   - a straggler frozen with SIGSTOP in round 2: the round closes at its
 *     deadline without it and it is dropped; once thawed (SIGCONT) it asks
 *     for work again, rejoins, and contributes to a later round.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { hasCheckpoint, waitFor } from './support/job-processes';
import type { TestJobSettings } from './support/job-spec';
import { runJobWithFault, type FaultyJobRun } from './support/job-with-fault';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey, type RegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { startAgent } from './support/shoal-processes';
import type { SpawnedProcess } from './support/spawned-process';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { createTestPki, type TestPki } from './support/test-pki';

const BANKS = ['bank-1', 'bank-2', 'bank-3'];

describe('network faults under a running job', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let pki: TestPki;
  let regulator: RegulatorKey;
  const agents = new Map<string, SpawnedProcess>();

  function runJob(name: string, settings: Omit<TestJobSettings, 'jobId' | 'invitedOrgs'>, fault: (out: string) => Promise<void>): Promise<FaultyJobRun> {
    return runJobWithFault({ processes, dir, natsUrl: nats.url, regulatorKeyPath: regulator.keyPath, pkiDir: pki.dir }, name, { invitedOrgs: BANKS, ...settings }, fault);
  }

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('faults-network');
    const data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 600, heldOutRows: 0, seed: 'faults-network' });
    regulator = writeRegulatorKey(dir);
    pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
    for (const bank of data.banks) {
      const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId) });
      agents.set(bank.orgId, await startAgent(processes, bank.orgId, config, dir));
    }
  }, 120_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    if (dir) removeTempDir(dir);
  });

  describe('NATS restarted mid-job', () => {
    const ROUNDS = 5;
    let run: FaultyJobRun;

    beforeAll(async () => {
      run = await runJob('nats-restart', { rounds: ROUNDS, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 3 }, async (out) => {
        await waitFor('round 1 checkpointed', 120_000, () => hasCheckpoint(out, 1));
        await nats.restart(2000);
      });
    }, 300_000);

    test('the job completes with all three banks in every round', () => {
      expect(run.submit.code).toBe(0);
      expect(run.report).toMatchObject({ status: 'completed', roundsCompleted: ROUNDS });
      for (const round of run.report.perRound) expect([...round.contributors].sort()).toEqual(BANKS);
    });

    test('events reach the regulator again after the restart: it saw the last round and the outcome', () => {
      expect(run.submit.stderr).toContain(`round ${ROUNDS}/${ROUNDS}`);
      expect(run.submit.stderr).toContain('job completed');
    });

    test('every agent is still running and serving', () => {
      for (const agent of agents.values()) expect(agent.running).toBe(true);
    });
  });

  describe('a straggler frozen with SIGSTOP in round 2', () => {
    const ROUNDS = 6;
    let run: FaultyJobRun;

    beforeAll(async () => {
      const straggler = agents.get('bank-3') as SpawnedProcess;
      // Dropped at its first miss; secure aggregation can unmask with two of three.
      run = await runJob('straggler', { rounds: ROUNDS, localEpochs: 1, roundDeadlineSeconds: 12, minParticipants: 2, maxMissedRounds: 1, secureAggregation: { threshold: 2 } }, async (out) => {
        await waitFor('round 1 checkpointed', 120_000, () => hasCheckpoint(out, 1));
        process.kill(straggler.child.pid as number, 'SIGSTOP');
        try {
          await waitFor('round 2 closed without the straggler', 120_000, () => hasCheckpoint(out, 2));
        } finally {
          process.kill(straggler.child.pid as number, 'SIGCONT');
        }
      });
    }, 300_000);

    test('round 2 completes at its deadline with the other two; the straggler is dropped', () => {
      expect(run.submit.code).toBe(0);
      expect(run.report).toMatchObject({ status: 'completed', roundsCompleted: ROUNDS });
      expect([...run.report.perRound[0].contributors].sort()).toEqual(BANKS);
      expect([...run.report.perRound[1].contributors].sort()).toEqual(['bank-1', 'bank-2']);
      expect(run.report.perRound[1].missing.join(' ')).toContain('bank-3');
      expect(run.submit.stderr).toContain('dropped bank-3');
    });

    test('thawed, it rejoins and contributes to a later round', () => {
      expect(run.submit.stderr).toContain('bank-3 is back and rejoins from the next round');
      const later = run.report.perRound.slice(2).filter((round) => round.contributors.includes('bank-3'));
      expect(later.length).toBeGreaterThan(0);
      expect(run.report.participants.dropped).toEqual([]);
      const transcript = readFileSync(join(run.out, 'transcript.jsonl'), 'utf8');
      expect(transcript).toContain('"type":"participant.rejoined"');
    });
  });
});
