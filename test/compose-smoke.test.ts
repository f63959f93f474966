/**
 * The docker-compose federation, end to end: the images built locally (no
 * registry reachable), `docker-compose up` on the repository's
 * docker-compose.yml with a NATS image built from this machine's nats-server,
 * and the job's report where the regulator reads it. Needs a Docker engine
 * and docker-compose (v1, from Debian's packages); without them the suite is
 * skipped with a message, except in CI, where a missing one fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { JobReport } from '../coordinator';
import { dockerOrSkip, ensureComposeImages } from './support/docker-engine';
import { assertBuilt, repoRoot } from './support/repo-paths';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const JOB_ID = 'credit-default-federation';
const JOB_TIMEOUT_MS = 8 * 60_000;

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

  test("the regulator's container exits 0 and the report says the job completed with all three banks", () => {
    if (!report) throw new Error(`no report; the regulator exited ${regulatorExit}. Logs:\n${logs.slice(-6000)}`);
    expect({ exit: regulatorExit, status: report.status, error: report.error }).toEqual({ exit: 0, status: 'completed', error: null });
    expect(report.participants.admitted).toEqual(['bank-1', 'bank-2', 'bank-3']);
    expect(report.roundsCompleted).toBe(3);
    expect(report.finalMetrics?.auc).toBeGreaterThan(0.6);
    expect(report.audit.participantHeads.map((h) => h.orgId)).toEqual(['bank-1', 'bank-2', 'bank-3']);
  });
});
