/**
 * The docker-compose federation, end to end: the images built locally (no
 * registry reachable), `docker-compose up` on the repository's
 * docker-compose.yml with a NATS image built from this machine's nats-server,
 * and the job's report where the regulator reads it. Needs a Docker engine
 * and docker-compose (v1, from Debian's packages); without them the suite is
 * skipped with a message, except in CI, where a missing one fails. After the
 * job, the containers' settings are checked (no bank has the host's Docker
 * socket or another party's folder; the regulator's side has no bank's), and
 * bank-1's own agent container attacks bank-2: it reads bank-2's folder and
 * key and asks its sandbox proxy for a container mounting bank-2's folder
 * or the host's root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { JobReport } from '../coordinator';
import { dockerOrSkip, ensureComposeImages } from './support/docker-engine';
import { assertBuilt, repoRoot } from './support/repo-paths';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const JOB_ID = 'credit-default-federation';
const JOB_TIMEOUT_MS = 8 * 60_000;
const BANKS = ['bank-1', 'bank-2', 'bank-3'];

/**
 * Run inside bank-1's agent container (as its user), with the deploy folder
 * as argument: what it can see of bank-2 and of the host's engine, and what
 * its sandbox proxy answers to a container that is the sandbox's own but for
 * one mount. Prints one JSON line.
 */
const BANK_1_ATTACK = `
const fs = require('fs');
const dir = process.argv[1];
const seen = { uid: process.getuid(), hostSocket: fs.existsSync('/var/run/docker.sock') };
const attempt = (what, fn) => { try { fn(); seen[what] = 'succeeded'; } catch (err) { seen[what] = err.code; } };
attempt('listBank2', () => fs.readdirSync(dir + '/bank-2'));
attempt('readBank2Key', () => fs.readFileSync(dir + '/bank-2/bank-2.participant.key.pem'));
attempt('readCaKey', () => fs.readFileSync(dir + '/pki/ca.key.pem'));
const Docker = require('/shoal/node_modules/dockerode');
const { trainerSeccompOption } = require('/shoal/dist/participant-agent/sandbox/trainer-seccomp.js');
const body = (name, source) => ({
  name, Image: 'shoal-trainer:dev', User: '65534:65534', Env: [], NetworkDisabled: true,
  Labels: { 'shoal.managed': 'true', 'shoal.agent': 'bank-1' },
  HostConfig: {
    NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges:true', trainerSeccompOption()], Privileged: false,
    Mounts: [{ Type: 'bind', Source: source, Target: '/in', ReadOnly: true }],
    PidsLimit: 64, Memory: 268435456, MemorySwap: 268435456, NanoCpus: 1000000000, Ulimits: [],
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
  },
});
const docker = new Docker();
const answer = (promise) => promise.then(() => 'created', (err) => err.statusCode + ' ' + (err.json ? err.json.message : err.message));
Promise.all([answer(docker.createContainer(body('shoal-steal-bank-2', dir + '/bank-2'))), answer(docker.createContainer(body('shoal-steal-root', '/')))])
  .then(([bank2, root]) => { seen.mountBank2 = bank2; seen.mountRoot = root; process.stdout.write(JSON.stringify(seen) + '\\n'); });
`;

function composeProblem(): string | null {
  const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  const message = `docker-compose is not installed (${probe.error?.message ?? probe.stderr.trim()}); install Debian's docker-compose package`;
  if (process.env.CI === 'true') throw new Error(`compose smoke test: ${message}. CI needs it (.ci/run installs it).`);
  console.warn(`SKIPPING the compose smoke test: ${message}`);
  return message;
}

const docker = dockerOrSkip('the compose smoke test');
const suite = docker && composeProblem() === null ? describe : describe.skip;

function compose(project: string, deployDir: string, args: string[], timeoutMs: number): { status: number | null; output: string } {
  const result = spawnSync('docker-compose', ['-p', project, '-f', join(repoRoot, 'docker-compose.yml'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, SHOAL_DEPLOY_DIR: deployDir, NATS_IMAGE: 'shoal-nats:dev', SHOAL_ROUNDS: '3', COMPOSE_INTERACTIVE_NO_CLI: '1' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

suite('docker-compose up runs one federated job end to end', () => {
  const project = `shoal-smoke-${process.pid}`;
  let deployDir: string;
  let seconds = 0;
  let regulatorExit: number | null = null;
  let report: JobReport | undefined;
  let logs = '';

  beforeAll(async () => {
    assertBuilt();
    await ensureComposeImages(docker as Dockerode);
    deployDir = makeTempDir('compose');
    const started = Date.now();
    const up = compose(project, deployDir, ['up', '-d'], 5 * 60_000);
    if (up.status !== 0) throw new Error(`docker-compose up -d failed (${up.status}):\n${up.output.slice(-4000)}`);
    const engine = docker as Dockerode;
    const [regulator] = await engine.listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=regulator'] }) });
    if (!regulator) throw new Error('docker-compose started no regulator container');
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      engine.getContainer(regulator.Id).wait() as Promise<{ StatusCode: number }>,
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), JOB_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    regulatorExit = waited?.StatusCode ?? null;
    seconds = (Date.now() - started) / 1000;
    logs = compose(project, deployDir, ['logs', '--no-color', '--tail', '200'], 60_000).output;
    const reportPath = join(deployDir, 'jobs', JOB_ID, 'report.json');
    if (existsSync(reportPath)) report = JSON.parse(readFileSync(reportPath, 'utf8')) as JobReport;
    process.stderr.write(`compose-smoke: the job took ${seconds.toFixed(1)} s from docker-compose up to the regulator's exit\n`);
  }, JOB_TIMEOUT_MS + 6 * 60_000);

  afterAll(() => {
    if (deployDir) compose(project, deployDir, ['down', '-v', '--remove-orphans'], 120_000);
    removeTempDir(deployDir);
  });

  async function serviceContainer(service: string): Promise<Dockerode.ContainerInspectInfo> {
    const engine = docker as Dockerode;
    const [found] = await engine.listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] }) });
    if (!found) throw new Error(`docker-compose started no ${service} container`);
    return engine.getContainer(found.Id).inspect();
  }

  /** A container's mounts as "source:destination[:ro]", volumes by name. */
  function mountsOf(info: Dockerode.ContainerInspectInfo): string[] {
    return info.Mounts.map((m) => `${m.Type === 'volume' ? (m.Name ?? '').replace(`${project}_`, '') : m.Source}:${m.Destination}${m.RW ? '' : ':ro'}`).sort();
  }

  test("the regulator's container exits 0 and the report says the job completed with all three banks", () => {
    if (!report) throw new Error(`no report; the regulator exited ${regulatorExit}. Logs:\n${logs.slice(-6000)}`);
    expect({ exit: regulatorExit, status: report.status, error: report.error }).toEqual({ exit: 0, status: 'completed', error: null });
    expect(report.participants.admitted).toEqual(['bank-1', 'bank-2', 'bank-3']);
    expect(report.roundsCompleted).toBe(3);
    expect(report.finalMetrics?.auc).toBeGreaterThan(0.6);
    expect(report.audit.participantHeads.map((h) => h.orgId)).toEqual(['bank-1', 'bank-2', 'bank-3']);
  });

  test("no bank's agent has the host's Docker socket, runs as root or mounts another party's folder; only its proxy has the socket", async () => {
    for (const [i, bank] of BANKS.entries()) {
      const uid = `1000${i + 1}`;
      const agent = await serviceContainer(bank);
      expect({ bank, user: agent.Config.User, mounts: mountsOf(agent) }).toEqual({
        bank,
        user: `${uid}:${uid}`,
        mounts: [
          `${bank}-docker:/run/shoal-docker`,
          `${deployDir}/${bank}:${deployDir}/${bank}`,
          `${deployDir}/pki/ca.crt.pem:${deployDir}/pki/ca.crt.pem:ro`,
          `${deployDir}/pki/crl.pem:${deployDir}/pki/crl.pem:ro`,
          `${deployDir}/requests/${bank}:${deployDir}/requests/${bank}:ro`,
        ].sort(),
      });
      const proxy = await serviceContainer(`${bank}-sandbox`);
      expect({ bank, mounts: mountsOf(proxy) }).toEqual({ bank, mounts: ['/var/run/docker.sock:/var/run/docker.sock', `${bank}-docker:/run/shoal-docker`, `${deployDir}/${bank}:${deployDir}/${bank}:ro`].sort() });
    }
    // The CA's and the regulator's containers run while the banks' keys exist: neither mounts a bank's folder.
    expect(mountsOf(await serviceContainer('certify'))).toEqual([`${deployDir}/job.yaml:${deployDir}/job.yaml:ro`, `${deployDir}/pki:${deployDir}/pki`, `${deployDir}/requests:${deployDir}/requests`].sort());
    expect(mountsOf(await serviceContainer('regulator'))).toEqual(
      [`${deployDir}/job.yaml:${deployDir}/job.yaml:ro`, `${deployDir}/jobs:${deployDir}/jobs`, `${deployDir}/pki:${deployDir}/pki`, `${deployDir}/regulator.key.pem:${deployDir}/regulator.key.pem:ro`].sort(),
    );
    // The CA's folder holds its own keys and the regulator's side's, no bank's.
    expect(readdirSync(join(deployDir, 'pki')).filter((name) => name.includes('.key.pem')).sort()).toEqual(['ca.key.pem', 'nats.broker.key.pem', 'regulator.regulator.key.pem']);
  });

  test("bank-1's agent container cannot read bank-2's folder or key, and its proxy refuses a container mounting bank-2's folder or /", async () => {
    const agent = await serviceContainer('bank-1');
    const attack = spawnSync('docker', ['exec', agent.Id, 'node', '-e', BANK_1_ATTACK, deployDir], { encoding: 'utf8', timeout: 60_000 });
    expect(attack.stderr).toBe('');
    const outside = (source: string): string => `403 the sandbox proxy refused container create: HostConfig.Mounts[0].Source: ${JSON.stringify(source)} is outside this organisation's folders (${deployDir}/bank-1)`;
    expect(JSON.parse(attack.stdout)).toEqual({
      uid: 10001,
      hostSocket: false,
      listBank2: 'ENOENT',
      readBank2Key: 'ENOENT',
      readCaKey: 'ENOENT',
      mountBank2: outside(`${deployDir}/bank-2`),
      mountRoot: outside('/'),
    });
    expect(await (docker as Dockerode).listContainers({ all: true, filters: JSON.stringify({ name: ['shoal-steal-'] }) })).toEqual([]);
  });
});
