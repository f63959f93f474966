/**
 * What the agent does when training in its Docker sandbox goes wrong: a
 * bank whose trainer image is a memory bomb. Every task of that bank is
 * killed for memory; the agent logs a clear error with the run record,
 * withholds the contribution, keeps serving the following tasks and rounds,
 * leaves no container behind, and the job completes with the other banks.
 */
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeRegulatorKey } from './support/regulator-key';
import { createTestPki } from './support/test-pki';
import { writeBankData, type BankData } from './support/bank-data';
import { dockerOrSkip, ensureTestImages } from './support/docker-engine';
import { MEMORY_BOMB } from './support/hostile-scripts';
import { readJobReport } from './support/job-report';
import { uniqueJobId, writeJobSpec } from './support/job-spec';
import { linesWithMessage } from './support/log-lines';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { assertBuilt } from './support/repo-paths';
import { containersOfAgent } from './support/sandbox-leftovers';
import { runShoal, startAgent } from './support/shoal-processes';
import type { SpawnedProcess } from './support/spawned-process';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const BANKS = ['bank-1', 'bank-2', 'bank-3'];
const ROUNDS = 2;
const HOSTILE_IMAGE = 'shoal-test-hostile:memory-bomb';
const docker = dockerOrSkip('the agent-level Docker sandbox suite');
const suite = docker ? describe : describe.skip;

/** An image whose default command is the memory bomb: committed from a created (never started) container of the base. */
async function buildHostileImage(engine: Dockerode, baseImage: string): Promise<void> {
  const container = await engine.createContainer({ Image: baseImage, Cmd: ['/usr/local/bin/node', '-e', MEMORY_BOMB] });
  try {
    const [repo, tag] = HOSTILE_IMAGE.split(':');
    await container.commit({ repo, tag });
  } finally {
    await container.remove({ force: true });
  }
}

suite('an agent whose sandboxed trainer runs out of memory', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let data: BankData;
  let hostile: SpawnedProcess;
  let report: ReturnType<typeof readJobReport>;

  beforeAll(async () => {
    assertBuilt();
    const engine = docker as Dockerode;
    const images = await ensureTestImages(engine);
    await buildHostileImage(engine, images.baseImage);
    dir = makeTempDir('sandbox-agent');
    data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 1000, heldOutRows: 0, seed: 'sandbox-agent' });
    const regulator = writeRegulatorKey(dir);
    const pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
    const agents = await Promise.all(
      data.banks.map(async (bank) => {
        const sandbox = bank.orgId === 'bank-3' ? { type: 'docker', image: HOSTILE_IMAGE, limits: { memoryMiB: 128 } } : { type: 'docker', image: images.trainerImage };
        const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId), sandbox });
        return startAgent(processes, bank.orgId, config, dir);
      }),
    );
    hostile = agents[2];
    // bank-3 stays in the job however often it fails, so every task of every round reaches it.
    const job = writeJobSpec(dir, { jobId: uniqueJobId('oom'), invitedOrgs: BANKS, rounds: ROUNDS, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 2, maxMissedRounds: 100, secureAggregation: { threshold: 2 } });
    const outRoot = join(dir, 'jobs');
    const result = await runShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], 180_000, join(dir, 'submit.log'));
    if (result.code !== 0) throw new Error(`shoal job submit exited ${result.code}: ${result.stderr.slice(-3000)}`);
    report = readJobReport(outRoot, job.spec.jobId);
  }, 300_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    if (dir) removeTempDir(dir);
  });

  test('the job completes with the other two banks in every round', () => {
    expect(report.status).toBe('completed');
    expect(report.roundsCompleted).toBe(ROUNDS);
    for (const round of report.perRound) expect([...round.contributors].sort()).toEqual(['bank-1', 'bank-2']);
  });

  test('each of bank-3 tasks ends with TRAINER_OUT_OF_MEMORY in its log, and no contribution is sent', () => {
    const failures = linesWithMessage(hostile.stderr, 'no contribution this round');
    // Statistics, then a fit and an evaluation in each round: every one was tried and refused.
    expect(failures.length).toBe(1 + 2 * ROUNDS);
    for (const failure of failures) expect(failure).toMatchObject({ org: 'bank-3', code: 'TRAINER_OUT_OF_MEMORY' });
    expect(linesWithMessage(hostile.stderr, 'contribution sent')).toEqual([]);
  });

  test('the run record says the container was killed for memory, with the image id', () => {
    const records = hostile.stderr.split('\n').filter((line) => line.includes('"oomKilled":true'));
    expect(records.length).toBeGreaterThanOrEqual(1 + 2 * ROUNDS);
    expect(records[0]).toMatch(/"imageDigest":"sha256:[0-9a-f]{64}"/);
    expect(records[0]).toContain('"sandbox":"docker"');
  });

  test('the agent is still running and left no container behind', async () => {
    expect(hostile.running).toBe(true);
    expect(await containersOfAgent(docker as Dockerode, 'bank-3')).toEqual([]);
  });
});
