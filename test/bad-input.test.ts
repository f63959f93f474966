/**
 * What the system does with bad input and misbehaving organisations, with a
 * real nats-server and every component as its own process: an invalid job
 * spec, a dataset file that is not there, an agent that freezes after it
 * joined, and an offer from a requester an organisation does not accept.
 * The tests run one after another and each starts its own agents, so the
 * organisation ids bank-1..bank-3 never meet twice on the shared server.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../common/job-spec';
import { creditDefaultPolicy, writeAgentConfig, type TestAgentConfig } from './support/agent-config';
import { writeRegulatorKey, type RegulatorKey } from './support/regulator-key';
import { createTestPki, type TestPki } from './support/test-pki';
import { writeBankData, type BankData } from './support/bank-data';
import { jobDir, readCoordinatorLog, readJobReport } from './support/job-report';
import { exampleJobDocument, uniqueJobId, writeJobDocument, writeJobSpec } from './support/job-spec';
import { linesWithMessage } from './support/log-lines';
import { NatsRecorder } from './support/nats-recorder';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { assertBuilt } from './support/repo-paths';
import { runShoal, shoalResult, startAgent, startShoal } from './support/shoal-processes';
import type { SpawnedProcess } from './support/spawned-process';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const BANKS = ['bank-1', 'bank-2', 'bank-3'];
const ROUNDS = 2;
const JOB_TIMEOUT_MS = 90_000;

describe('bad input and misbehaving organisations', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let data: BankData;
  let regulator: RegulatorKey;
  let pki: TestPki;

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('bad-input');
    data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 1000, heldOutRows: 0, seed: 'bad-input' });
    regulator = writeRegulatorKey(dir);
    pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
  });

  afterEach(async () => {
    await processes.stopAll();
  });

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  function testDir(name: string): string {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** Starts bank-1..bank-3, each with its own slice and accepting the regulator, unless `changes` says otherwise. */
  async function startBanks(where: string, changes: Record<string, Partial<TestAgentConfig>> = {}): Promise<Record<string, SpawnedProcess>> {
    const agents = await Promise.all(
      data.banks.map(async (bank) => {
        const config: TestAgentConfig = { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId), ...changes[bank.orgId] };
        return startAgent(processes, bank.orgId, writeAgentConfig(where, config), where);
      }),
    );
    return Object.fromEntries(agents.map((agent, i) => [BANKS[i], agent]));
  }

  function smallJob(where: string, prefix: string, roundDeadlineSeconds: number, secureAggregation?: Record<string, unknown>): { path: string; spec: JobSpec } {
    return writeJobSpec(where, { jobId: uniqueJobId(prefix), invitedOrgs: BANKS, rounds: ROUNDS, localEpochs: 1, roundDeadlineSeconds, minParticipants: 2, admissionSeconds: 20, secureAggregation });
  }

  test('an invalid job spec: shoal job submit exits 2, names each bad field, and starts nothing', async () => {
    const where = testDir('invalid-spec');
    const outRoot = join(where, 'jobs');
    const document = exampleJobDocument();
    const jobId = uniqueJobId('invalid');
    document.jobId = jobId;
    document.training.rounds = 'ten';
    document.admissionSecnds = 20;
    const specPath = writeJobDocument(where, 'invalid.yaml', document);
    const recorder = await NatsRecorder.start(nats.url, 'shoal.>', pki.observer);

    const result = await runShoal(processes, ['job', 'submit', specPath, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], 30_000);
    await recorder.stop();

    expect({ code: result.code, signal: result.signal }).toEqual({ code: 2, signal: null });
    expect(result.stderr).toContain('job spec is invalid');
    expect(result.stderr).toContain('training.rounds: expected number; found the string "ten"');
    expect(result.stderr).toContain('admissionSecnds: expected no such field (did you mean "admissionSeconds"?); found unknown field "admissionSecnds"');
    // No coordinator: no job folder (it would hold coordinator.log), no process left behind, nothing published.
    expect(existsSync(jobDir(outRoot, jobId))).toBe(false);
    expect(result.cli.groupAlive()).toBe(false);
    expect(recorder.subjects).toEqual([]);
  });

  test('an agent whose dataset file is missing declines; the job completes with the other two', async () => {
    const where = testDir('missing-dataset');
    const outRoot = join(where, 'jobs');
    const missing = join(where, 'nowhere', 'bank-3.csv');
    const agents = await startBanks(where, { 'bank-3': { datasets: { 'credit-default': missing } } });
    const { path, spec } = smallJob(where, 'missing-data', 60);

    const result = await runShoal(processes, ['job', 'submit', path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], JOB_TIMEOUT_MS);

    expect(result.code).toBe(0);
    const report = readJobReport(outRoot, spec.jobId);
    expect(report.status).toBe('completed');
    expect(report.roundsCompleted).toBe(ROUNDS);
    expect(report.participants.admitted).toEqual(['bank-1', 'bank-2']);
    expect(report.participants.dropped).toEqual([]);
    expect(report.participants.declined).toHaveLength(1);
    expect(report.participants.declined[0].orgId).toBe('bank-3');
    expect(report.participants.declined[0].reason).toContain('DATASET_MISSING');
    expect(report.participants.declined[0].reason).toContain(`${missing}, which does not exist`);
    for (const round of report.perRound) expect([...round.contributors].sort()).toEqual(['bank-1', 'bank-2']);
    const refused = linesWithMessage(agents['bank-3'].stderr, 'offer refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ org: 'bank-3', jobId: spec.jobId, code: 'DATASET_MISSING' });
    expect(refused[0].reason).toContain(`${missing}, which does not exist`);
    expect(linesWithMessage(agents['bank-3'].stderr, 'joined job')).toEqual([]);
  }, JOB_TIMEOUT_MS + 30_000);

  test('an agent that stops answering after it joined is dropped at the round deadline (plain aggregation); the job completes with the other two', async () => {
    const where = testDir('frozen-agent');
    const outRoot = join(where, 'jobs');
    const agents = await startBanks(where);
    const { path, spec } = smallJob(where, 'frozen', 8, { enabled: false });

    const started = Date.now();
    const cli = startShoal(processes, ['job', 'submit', path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir]);
    await agents['bank-3'].waitForOutput('stderr', '"msg":"joined job"', 30_000);
    agents['bank-3'].signal('SIGSTOP');
    const result = await shoalResult(cli, JOB_TIMEOUT_MS, started);

    expect(result.code).toBe(0);
    const report = readJobReport(outRoot, spec.jobId);
    expect(report.status).toBe('completed');
    expect(report.roundsCompleted).toBe(ROUNDS);
    expect(report.privacy.secureAggregation.enabled).toBe(false);
    expect(report.participants.admitted).toEqual(BANKS);
    expect(report.participants.declined).toEqual([]);
    expect(report.participants.dropped).toEqual([{ orgId: 'bank-3', reason: 'no contribution before the deadline' }]);
    for (const round of report.perRound) expect([...round.contributors].sort()).toEqual(['bank-1', 'bank-2']);
    // The collection bank-3 missed waited for its 8 s deadline.
    expect(result.seconds).toBeGreaterThanOrEqual(8);
    expect(result.stderr).toContain('dropped bank-3: no contribution before the deadline');
    expect(linesWithMessage(readCoordinatorLog(outRoot, spec.jobId), 'participant dropped')).toEqual([
      expect.objectContaining({ org: 'bank-3', reason: 'no contribution before the deadline' }),
    ]);
  }, JOB_TIMEOUT_MS + 30_000);

  test('with secure aggregation, an agent frozen after it joined is left out at the key phase; the job completes with the other two', async () => {
    const where = testDir('frozen-agent-secure');
    const outRoot = join(where, 'jobs');
    const agents = await startBanks(where);
    // Three banks tolerate one dropout only with threshold 2 (the default ⌊2·3/3⌋+1 = 3 tolerates none).
    const { path, spec } = smallJob(where, 'frozen-secure', 8, { threshold: 2 });

    const cli = startShoal(processes, ['job', 'submit', path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir]);
    await agents['bank-3'].waitForOutput('stderr', '"msg":"joined job"', 30_000);
    agents['bank-3'].signal('SIGSTOP');
    const result = await shoalResult(cli, JOB_TIMEOUT_MS);

    expect(result.code).toBe(0);
    const report = readJobReport(outRoot, spec.jobId);
    expect(report.status).toBe('completed');
    expect(report.roundsCompleted).toBe(ROUNDS);
    expect(report.privacy.secureAggregation).toMatchObject({ enabled: true, threshold: 2 });
    expect(report.participants.dropped).toEqual([{ orgId: 'bank-3', reason: 'did not share its keys in time' }]);
    for (const round of report.perRound) expect([...round.contributors].sort()).toEqual(['bank-1', 'bank-2']);
  }, JOB_TIMEOUT_MS + 30_000);

  test('an offer from a requester the agent does not accept is refused, unsigned; the job completes with the other two', async () => {
    const where = testDir('unaccepted-requester');
    const outRoot = join(where, 'jobs');
    const agents = await startBanks(where, { 'bank-3': { policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey, requester: 'central-bank' }) } });
    const { path, spec } = smallJob(where, 'requester', 60);
    const expectedReason = `OFFER_SIGNER_NOT_PINNED: requester "${spec.requester}" has no pinned key in this organisation's policy`;

    const result = await runShoal(processes, ['job', 'submit', path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], JOB_TIMEOUT_MS);

    expect(spec.requester).toBe('regulator');
    expect(result.code).toBe(0);
    const report = readJobReport(outRoot, spec.jobId);
    expect(report.status).toBe('completed');
    expect(report.roundsCompleted).toBe(ROUNDS);
    expect(report.participants.admitted).toEqual(['bank-1', 'bank-2']);
    // Not signed by a key bank-3 pins, so bank-3 signs nothing about it: the coordinator hears no decision and waits out admission.
    expect(report.participants.declined).toEqual([{ orgId: 'bank-3', reason: 'did not join within 20 s' }]);
    expect(report.participants.decisions.map((d) => d.orgId)).toEqual(['bank-1', 'bank-2']);
    expect(report.participants.dropped).toEqual([]);
    const refused = linesWithMessage(agents['bank-3'].stderr, 'offer refused');
    expect(refused).toEqual([expect.objectContaining({ org: 'bank-3', jobId: spec.jobId, code: 'OFFER_SIGNER_NOT_PINNED' })]);
    expect(result.stderr).toContain(`bank-3 declined: ${expectedReason}`);
  }, JOB_TIMEOUT_MS + 30_000);
});
