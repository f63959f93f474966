/**
 * The regulator's `shoal job watch|cancel|results|list|logs` against a real
 * job: nats-server with TLS, two bank agents, `shoal job submit` with many
 * rounds. Once `shoal job watch` shows round 1, `shoal job cancel` stops the
 * job: its coordinator fails it with JOB_CANCELLED, still writes the report
 * and tells the participants the job is over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobReport, JobStatus } from '../coordinator';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { jobDir, readJobReport } from './support/job-report';
import { uniqueJobId, writeJobSpec } from './support/job-spec';
import { linesWithMessage } from './support/log-lines';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { runShoal, shoalResult, startAgent, startShoal, type CliResult } from './support/shoal-processes';
import type { SpawnedProcess } from './support/spawned-process';
import { createTestPki, type TestPki } from './support/test-pki';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const BANKS = ['bank-1', 'bank-2'];
const ROUNDS = 50;
const REASON = 'test';
const CANCELLED = `cancelled by the regulator: ${REASON}`;

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('shoal job watch, cancel, results, list and logs on a real job', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let outRoot: string;
  let nats: NatsServer;
  let pki: TestPki;
  let jobId: string;
  let agents: SpawnedProcess[];
  let submit: CliResult;
  let watch: CliResult;
  let cancel: CliResult;

  /** `shoal job <args>` run to its end. */
  function shoalJob(args: string[]): Promise<CliResult> {
    return runShoal(processes, ['job', ...args], 30_000);
  }

  const natsFlags = (): string[] => ['--nats', nats.url, '--pki', pki.dir];

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('job-commands');
    outRoot = join(dir, 'jobs');
    const data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 1000, heldOutRows: 0, seed: 'job-commands' });
    const regulator = writeRegulatorKey(dir);
    pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
    agents = await Promise.all(
      data.banks.map(async (bank) => {
        const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId) });
        return startAgent(processes, bank.orgId, config, dir);
      }),
    );
    const job = writeJobSpec(dir, { jobId: uniqueJobId('cancel'), invitedOrgs: BANKS, rounds: ROUNDS, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 2 });
    jobId = job.spec.jobId;
    const submitting = startShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], join(dir, 'submit.log'));
    // The coordinator writes status.json with its first event, once it listens on NATS.
    await waitFor('status.json', () => existsSync(join(jobDir(outRoot, jobId), 'status.json')), 60_000);
    const watching = startShoal(processes, ['job', 'watch', jobId, ...natsFlags(), '--out', outRoot], join(dir, 'watch.log'));
    await watching.waitForOutput('stderr', `round 1/${ROUNDS}`, 120_000);
    cancel = await shoalJob(['cancel', jobId, ...natsFlags(), '--reason', REASON]);
    [submit, watch] = await Promise.all([shoalResult(submitting, 60_000), shoalResult(watching, 60_000)]);
  }, 300_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  test('shoal job cancel exits 0 once the coordinator accepted', () => {
    expect({ code: cancel.code, stderr: cancel.stderr }).toEqual({ code: 0, stderr: '' });
    expect(cancel.stdout).toContain(`job ${jobId}: its coordinator accepted the cancellation`);
  });

  test('shoal job submit and shoal job watch end with the job, exit 3, and say why', () => {
    expect({ code: submit.code, signal: submit.signal }).toEqual({ code: 3, signal: null });
    expect(submit.stderr).toContain(`job FAILED (JOB_CANCELLED): ${CANCELLED}`);
    expect({ code: watch.code, signal: watch.signal }).toEqual({ code: 3, signal: null });
    expect(watch.stderr).toContain(`following job ${jobId}`);
    expect(watch.stderr).toContain(`job FAILED (JOB_CANCELLED): ${CANCELLED}`);
  });

  test('the report says failed with JOB_CANCELLED, after at least one round, without a model', () => {
    const report: JobReport = readJobReport(outRoot, jobId);
    expect(report.status).toBe('failed');
    expect(report.error).toEqual({ code: 'JOB_CANCELLED', message: CANCELLED });
    expect(report.roundsCompleted).toBeGreaterThanOrEqual(1);
    expect(report.roundsCompleted).toBeLessThan(ROUNDS);
    expect(report.modelPath).toBeNull();
    expect(report.participants.admitted).toEqual(BANKS);
    const status = JSON.parse(readFileSync(join(jobDir(outRoot, jobId), 'status.json'), 'utf8')) as JobStatus;
    expect(status.state).toBe('failed');
    expect(status.lastEvent).toMatchObject({ type: 'job.failed', code: 'JOB_CANCELLED', message: CANCELLED });
  });

  test('the participants are told the job is over', async () => {
    await waitFor('job session ended at both banks', () => agents.every((agent) => linesWithMessage(agent.stderr, 'job session ended').length > 0), 60_000);
    for (const agent of agents) expect(linesWithMessage(agent.stderr, 'job session ended')[0].outcome).toBe(`failed: ${CANCELLED}`);
  });

  test('shoal job results shows the failure; --json prints the report as it is', async () => {
    const results = await shoalJob(['results', jobId, '--out', outRoot]);
    expect(results.code).toBe(0);
    expect(results.stdout).toContain(`job ${jobId}: failed (JOB_CANCELLED): ${CANCELLED}`);
    expect(results.stdout).toContain(`  participants: 2 of 2 invited admitted (${BANKS.join(', ')})`);
    expect(results.stdout).toContain('  model: none (the job did not complete)');
    const json = await shoalJob(['results', jobId, '--out', outRoot, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(readJobReport(outRoot, jobId));
  });

  test('shoal job list lists the job as failed', async () => {
    const list = await shoalJob(['list', '--out', outRoot]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^JOB +STATE +ROUND +PARTICIPANTS +UPDATED$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${jobId} +failed +\\d+/${ROUNDS} +2 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`))]);
  });

  test("shoal job logs prints the coordinator's log, one readable line per entry", async () => {
    const logs = await shoalJob(['logs', jobId, '--out', outRoot, '--component', 'coordinator']);
    expect(logs.code).toBe(0);
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines).toContainEqual(expect.stringMatching(/^\S+Z WARN  coordinator cancelled by the regulator reason=test$/));
    const tail = await shoalJob(['logs', jobId, '--out', outRoot, '--tail', '2']);
    expect(tail.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  test('once the job has ended: cancel exits 2 (nothing runs it), watch shows the final status and exits 3', async () => {
    const again = await shoalJob(['cancel', jobId, ...natsFlags(), '--reason', REASON]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`shoal: no coordinator answers for job ${jobId} on ${nats.url}: the job is not running`);
    const ended = await shoalJob(['watch', jobId, ...natsFlags(), '--out', outRoot]);
    expect(ended.code).toBe(3);
    expect(ended.stdout).toContain(`job ${jobId}: failed (from its status file)`);
    expect(ended.stdout).toContain(`  failed (JOB_CANCELLED): ${CANCELLED}`);
  });

  test('an unknown job is an error that names it, with exit code 2', async () => {
    const watchUnknown = await shoalJob(['watch', 'no-such-job', ...natsFlags(), '--out', outRoot]);
    expect(watchUnknown.code).toBe(2);
    expect(watchUnknown.stderr).toContain(`shoal: no job no-such-job: no coordinator answers on ${nats.url}`);
    const results = await shoalJob(['results', 'no-such-job', '--out', outRoot]);
    expect(results.code).toBe(2);
    expect(results.stderr).toContain('shoal: no job no-such-job');
  });
});
