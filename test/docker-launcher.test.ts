/**
 * The Docker launcher: a job whose coordinator and aggregator run as
 * containers (image shoal-coordinator) on a network of their own, with real
 * agents on this host dialling their published ports over mutual TLS. Afterwards
 * nothing of the job is left, and a launch first sweeps what an interrupted
 * one left behind.
 */
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { DockerLauncher } from '../cli/launchers/docker-launcher';
import { ensureLocalImages } from '../participant-agent/images';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { dockerOrSkip } from './support/docker-engine';
import { readJobReport } from './support/job-report';
import { uniqueJobId, writeJobSpec } from './support/job-spec';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { runShoal, startAgent, type CliResult } from './support/shoal-processes';
import { createTestPki } from './support/test-pki';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const BANKS = ['bank-1', 'bank-2'];
const docker = dockerOrSkip('the Docker launcher suite');
const suite = docker ? describe : describe.skip;
const launcherFilter = (label: string): string => JSON.stringify({ label: [label] });

suite('the Docker launcher', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let submit: CliResult;
  let jobId: string;
  let leftoverId: string;

  beforeAll(async () => {
    assertBuilt();
    const engine = docker as Dockerode;
    const images = await ensureLocalImages(engine, ['coordinator']);
    // A container an interrupted launch left behind: the next launch removes it.
    const leftover = await engine.createContainer({ Image: images.images.coordinator.tag, Labels: { 'shoal.launcher': 'docker', 'shoal.job': 'interrupted' } });
    leftoverId = leftover.id;
    dir = makeTempDir('docker-launcher');
    const pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki, { reachableFromContainers: true });
    const data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 800, heldOutRows: 0, seed: 'docker-launcher' });
    const regulator = writeRegulatorKey(dir);
    await Promise.all(
      data.banks.map(async (bank) => {
        const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId), sandbox: { type: 'process' } });
        return startAgent(processes, bank.orgId, config, dir);
      }),
    );
    const job = writeJobSpec(dir, { jobId: uniqueJobId('docker-launch'), invitedOrgs: BANKS, rounds: 2, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 2 });
    jobId = job.spec.jobId;
    submit = await runShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', join(dir, 'jobs'), '--key', regulator.keyPath, '--pki', pki.dir, '--launcher', 'docker'], 240_000, join(dir, 'submit.log'));
  }, 300_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  test('the job completes with its coordinator and aggregator in containers', () => {
    if (submit.code !== 0) throw new Error(`shoal job submit --launcher docker exited ${submit.code}:\n${submit.stderr.slice(-4000)}`);
    const report = readJobReport(join(dir, 'jobs'), jobId);
    expect({ status: report.status, rounds: report.roundsCompleted, admitted: report.participants.admitted }).toEqual({ status: 'completed', rounds: 2, admitted: BANKS });
    expect(submit.stderr).toContain('removed 1 container(s) or network(s) an interrupted job left behind');
  });

  test("nothing of the job is left: no container, no network, and the interrupted launch's container is gone", async () => {
    const engine = docker as Dockerode;
    expect(await engine.listContainers({ all: true, filters: launcherFilter(`shoal.job=${jobId}`) })).toEqual([]);
    expect(await engine.listNetworks({ filters: launcherFilter(`shoal.job=${jobId}`) })).toEqual([]);
    await expect(engine.getContainer(leftoverId).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  test('a launcher without its image says how to build it', async () => {
    await expect(DockerLauncher.connect({ docker: docker as Dockerode, image: 'shoal-coordinator:missing' })).rejects.toThrow('npm run build:images -- --image coordinator');
  });
});
