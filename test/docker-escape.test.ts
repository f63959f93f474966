/**
 * A hostile trainer in the Docker sandbox: instead of the trainer, the base
 * image runs a node script that tries one way out (the network, the
 * dataset, the host's files) or tries to exhaust the host (processes,
 * memory, CPU time, disk). Each case asserts the exact exit record the
 * sandbox reports, what the script saw from inside, and that no container
 * of this test's agent remains. Small limits keep every case short.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { DockerSandbox } from '../participant-agent/sandbox/docker-sandbox';
import type { SandboxExit } from '../participant-agent/sandbox/sandbox';
import { writeBankData } from './support/bank-data';
import { dockerOrSkip, ensureTestImages, type TestImages } from './support/docker-engine';
import { ENDLESS_LOOP, forkBomb, IDENTITY_PROBE, MEMORY_BOMB, networkProbe, outputFlood, readProbe, writeProbe, type AttemptReport } from './support/hostile-scripts';
import { repoRoot } from './support/repo-paths';
import { containersOfAgent } from './support/sandbox-leftovers';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { writeTaskDirs } from './support/trainer-task-dir';

const MIB = 1024 * 1024;
const LIMITS = { memoryBytes: 128 * MIB, nanoCpus: 1e9, pids: 32, outputBytes: 1 * MIB };
const TIMEOUT_MS = 5_000;
/** How long past the timeout a killed container may take to be reported and removed. */
const PROMPT_MS = 5_000;
const NODE = '/usr/local/bin/node';
/** The bridge gateway of a default engine, when the engine does not name one. */
const DEFAULT_GATEWAY = '172.17.0.1';

const docker: Dockerode | null = dockerOrSkip('Docker sandbox escapes');
const describeDocker = docker ? describe : describe.skip;

interface HostileRun {
  exit: SandboxExit;
  elapsedMs: number;
  outputDir: string;
  /** /out/result.json as the script wrote it, if it did. */
  report: Record<string, unknown> | undefined;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describeDocker('Docker sandbox: a hostile trainer stays inside', () => {
  const engine = docker as Dockerode;
  const agentId = `escape-${process.pid}-${Date.now().toString(36)}`;
  let dir: string;
  let images: TestImages;
  let datasetPath: string;
  let neighbourPath: string;
  let gateway: string;
  let baseImageId: string;

  /** Every field of an exit record but the logs, for a run of the base image. */
  function expected(fields: Partial<Omit<SandboxExit, 'logs'>>): Omit<SandboxExit, 'logs'> {
    return { exitCode: 0, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: baseImageId, ...fields };
  }

  function outcome(exit: SandboxExit): Omit<SandboxExit, 'logs'> {
    const { logs: _logs, ...rest } = exit;
    return rest;
  }

  async function runHostile(name: string, script: string): Promise<HostileRun> {
    const sandbox = new DockerSandbox({ docker: engine, image: images.baseImage, command: [NODE, '-e', script], agentId, limits: LIMITS });
    const { inputDir, outputDir } = writeTaskDirs(dir, name, null);
    const started = Date.now();
    const run = await sandbox.start({ inputDir, outputDir, dataPath: datasetPath, timeoutMs: TIMEOUT_MS, labels: { job: 'docker-escape', round: name } });
    const exit = await run.wait();
    const elapsedMs = Date.now() - started;
    const resultPath = join(outputDir, 'result.json');
    const report = existsSync(resultPath) ? (JSON.parse(readFileSync(resultPath, 'utf8')) as Record<string, unknown>) : undefined;
    return { exit, elapsedMs, outputDir, report };
  }

  beforeAll(async () => {
    dir = makeTempDir('docker-escape');
    images = await ensureTestImages(engine);
    baseImageId = (await engine.getImage(images.baseImage).inspect()).Id;
    const data = writeBankData(dir, { orgIds: ['bank-1', 'bank-2'], rowsPerBank: 50, heldOutRows: 0, seed: 'docker-escape' });
    datasetPath = data.banks[0].path;
    neighbourPath = data.banks[1].path;
    const bridge = await engine.getNetwork('bridge').inspect();
    gateway = (bridge.IPAM?.Config?.[0] as { Gateway?: string } | undefined)?.Gateway ?? DEFAULT_GATEWAY;
  }, 300_000);

  afterEach(async () => {
    expect(await containersOfAgent(engine, agentId)).toEqual([]);
  });

  afterAll(() => removeTempDir(dir));

  test('outbound network fails: no route to the internet, the bridge gateway or the engine API; no DNS; only lo', async () => {
    const { exit, report } = await runHostile('network', networkProbe(gateway));

    expect(outcome(exit)).toEqual(expected({}));
    expect(report).toEqual({ internet: 'ENETUNREACH', gateway: 'ENETUNREACH', dockerApi: 'ENETUNREACH', dns: 'EAI_AGAIN', interfaces: ['lo'] });
  });

  test('the dataset, the inputs and the root file system are read-only (EROFS), even for a world-writable dataset', async () => {
    chmodSync(datasetPath, 0o666);
    const before = sha256(datasetPath);

    const { exit, report } = await runHostile('write', writeProbe(`/data/${basename(datasetPath)}`));

    expect(outcome(exit)).toEqual(expected({}));
    const erofs = ['overwrite', 'append', 'chmod', 'remove', 'rename', 'createBeside', 'input', 'rootFileSystem'].map((what) => [what, 'EROFS']);
    expect(report).toEqual(Object.fromEntries(erofs) as AttemptReport);
    expect(sha256(datasetPath)).toBe(before);
    expect(statSync(datasetPath).mode & 0o777).toBe(0o666);
    expect(readdirSync(dirname(datasetPath)).filter((name) => name.includes('planted') || name.includes('moved'))).toEqual([]);
    chmodSync(datasetPath, 0o644);
  });

  test("host files outside the three mounts do not exist inside: the agent's workDir, a neighbouring dataset, /etc/shadow, the repository, the engine socket", async () => {
    const paths = [dir, datasetPath, neighbourPath, '/etc/shadow', join(repoRoot, 'package.json'), '/var/run/docker.sock', '/root'];

    const { exit, report } = await runHostile('read', readProbe(paths));

    expect(outcome(exit)).toEqual(expected({}));
    expect(report?.reads).toEqual(Object.fromEntries(paths.map((path) => [path, 'ENOENT'])));
    expect(report?.data).toEqual([basename(datasetPath)]);
    expect(report?.root).not.toContain('root');
    expect(report?.root).not.toContain('work');
  });

  test('a fork bomb is stopped by the PID limit: spawn fails with EAGAIN, the script ends on its own, the host still spawns', async () => {
    const { exit, elapsedMs, report } = await runHostile('fork-bomb', forkBomb(200));

    expect(outcome(exit)).toEqual(expected({}));
    const { started, errors } = report as { started: number; errors: Record<string, number> };
    expect(started).toBeLessThan(LIMITS.pids);
    expect(Object.keys(errors)).toEqual(['EAGAIN']);
    expect(started + errors.EAGAIN).toBe(200);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
    expect(spawnSync(process.execPath, ['-e', 'process.exit(7)']).status).toBe(7);
  });

  test('a memory bomb is killed by the kernel and reported as oomKilled', async () => {
    const { exit, elapsedMs, report } = await runHostile('memory-bomb', MEMORY_BOMB);

    expect(outcome(exit)).toEqual(expected({ exitCode: 137, signal: 'SIGKILL', oomKilled: true }));
    expect(report).toBeUndefined();
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
  });

  test('a trainer killed from outside, not for memory, is not reported as oomKilled', async () => {
    const sandbox = new DockerSandbox({ docker: engine, image: images.baseImage, command: [NODE, '-e', ENDLESS_LOOP], agentId, limits: LIMITS });
    const { inputDir, outputDir } = writeTaskDirs(dir, 'killed-outside', null);
    const run = await sandbox.start({ inputDir, outputDir, dataPath: datasetPath, timeoutMs: TIMEOUT_MS, labels: { job: 'docker-escape', round: 'killed-outside' } });
    const [container] = await engine.listContainers({ filters: { label: [`shoal.agent=${agentId}`, 'shoal.round=killed-outside'] } });
    await engine.getContainer(container.Id).kill({ signal: 'SIGKILL' });
    const exit = await run.wait();

    expect(outcome(exit)).toMatchObject({ exitCode: 137, timedOut: false, cancelled: false, oomKilled: false });
  });

  test('an endless loop is killed at the timeout and reported as timedOut', async () => {
    const { exit, elapsedMs } = await runHostile('endless-loop', ENDLESS_LOOP);

    expect(outcome(exit)).toEqual(expected({ exitCode: 137, signal: 'SIGKILL', timedOut: true }));
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + PROMPT_MS);
  });

  test('output over the 1 MiB cap stops at the cap (EFBIG) and is reported as outputTooLarge', async () => {
    const { exit, outputDir } = await runHostile('output-flood', `${outputFlood(2 * MIB)}\nsetTimeout(() => {}, 60000);`);

    expect(outcome(exit)).toEqual(expected({ exitCode: 137, signal: 'SIGKILL', outputTooLarge: true }));
    expect(statSync(join(outputDir, 'big.bin')).size).toBe(LIMITS.outputBytes);
    expect(JSON.parse(readFileSync(join(outputDir, 'flood.json'), 'utf8'))).toEqual({ written: LIMITS.outputBytes, stopped: 'EFBIG' });
  });

  test('the trainer is not root: uid and gid 65534, no capabilities, no new privileges', async () => {
    const { exit, report } = await runHostile('identity', IDENTITY_PROBE);

    expect(outcome(exit)).toEqual(expected({}));
    expect(report).toMatchObject({ uid: 65534, gid: 65534, euid: 65534, capEff: '0000000000000000', capBnd: '0000000000000000', noNewPrivs: '1' });
    expect(report?.groups).not.toContain(0);
  });
});
