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
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { DockerSandbox } from '../participant-agent/sandbox/docker-sandbox';
import { PROJECTED_DATASET_FILE, writeProjectedDataset } from '../participant-agent/sandbox/projected-dataset';
import type { SandboxExit } from '../participant-agent/sandbox/sandbox';
import { trainerSeccompOption } from '../participant-agent/sandbox/trainer-seccomp';
import { writeBankData } from './support/bank-data';
import { dockerOrSkip, ensureTestImages, type TestImages } from './support/docker-engine';
import { ENDLESS_LOOP, forkBomb, IDENTITY_PROBE, MEMORY_BOMB, networkProbe, outputFlood, readProbe, writeProbe, type AttemptReport } from './support/hostile-scripts';
import { columnProbe, entryFlood, KERNEL_PROBE, linkPlant } from './support/hostile-sandbox-scripts';
import { repoRoot } from './support/repo-paths';
import { containersOfAgent } from './support/sandbox-leftovers';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { writeTaskDirs } from './support/trainer-task-dir';

const MIB = 1024 * 1024;
const LIMITS = { memoryBytes: 128 * MIB, nanoCpus: 1e9, pids: 32, outputBytes: 1 * MIB, outputEntries: 1000 };
const TIMEOUT_MS = 5_000;
/** How long past the timeout a killed container may take to be reported and removed. */
const PROMPT_MS = 5_000;
const NODE = '/usr/local/bin/node';
/** The bridge gateway of a default engine, when the engine does not name one. */
const DEFAULT_GATEWAY = '172.17.0.1';
/** An agent running as root hands files to the trainer by ownership; any other shares them by mode inside its closed run folder. */
const AS_ROOT = process.getuid?.() === 0;
const RUN_COPY_OWNER = AS_ROOT ? { uid: 0, gid: 65534, mode: 0o640 } : { uid: process.getuid?.(), gid: process.getgid?.(), mode: 0o644 };
const OUT_OWNER = AS_ROOT ? { uid: 65534, gid: 65534, mode: 0o700 } : { uid: process.getuid?.(), gid: process.getgid?.(), mode: 0o777 };

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

  async function runHostile(name: string, script: string, data: { path: string; isRunCopy: boolean } = { path: datasetPath, isRunCopy: false }): Promise<HostileRun> {
    const sandbox = new DockerSandbox({ docker: engine, image: images.baseImage, command: [NODE, '-e', script], agentId, limits: LIMITS });
    const { inputDir, outputDir } = writeTaskDirs(dir, name, null);
    const started = Date.now();
    const run = await sandbox.start({ inputDir, outputDir, dataPath: data.path, dataIsRunCopy: data.isRunCopy, timeoutMs: TIMEOUT_MS, labels: { job: 'docker-escape', round: name } });
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
  test('a column the policy does not grant is not there: the trainer reads a projected copy, readable by its group only', async () => {
    const runDir = join(dir, 'columns-run');
    mkdirSync(runDir, { mode: 0o700 });
    const copy = await writeProjectedDataset({ source: datasetPath, columns: ['X1', 'X2', 'X3', 'Y'], target: join(runDir, PROJECTED_DATASET_FILE) });
    const sandbox = new DockerSandbox({ docker: engine, image: images.baseImage, agentId, limits: LIMITS });

    const { exit, report } = await runHostile('columns', columnProbe(sandbox.dataPathInside(copy.path), 'X5'), { path: copy.path, isRunCopy: true });

    expect(outcome(exit)).toEqual(expected({}));
    expect(report).toEqual({ header: ['X1', 'X2', 'X3', 'Y'], hasWanted: false, data: [PROJECTED_DATASET_FILE], ...RUN_COPY_OWNER });
    const onHost = statSync(copy.path);
    expect({ uid: onHost.uid, gid: onHost.gid, mode: onHost.mode & 0o777 }).toEqual(RUN_COPY_OWNER);
    // The organisation's own file is untouched.
    expect(statSync(datasetPath).mode & 0o777).toBe(0o644);
  });

  test('100,000 small files in /out are cut off by the entry cap and reported as outputTooLarge', async () => {
    const { exit, outputDir, report } = await runHostile('entry-flood', `${entryFlood(100_000)}\nsetTimeout(() => {}, 60000);`);

    expect(outcome(exit)).toEqual(expected({ exitCode: 137, signal: 'SIGKILL', outputTooLarge: true }));
    expect(report).toBeUndefined();
    const left = readdirSync(outputDir).length;
    expect(left).toBeGreaterThan(LIMITS.outputEntries);
    expect(left).toBeLessThan(100_000);
  });

  test("links planted in /out (result.json -> the agent's audit log) are removed before anything reads them", async () => {
    const auditLog = join(dir, 'agent-work', 'audit.jsonl');
    mkdirSync(dirname(auditLog), { recursive: true });
    writeFileSync(auditLog, '{"seq":0,"type":"agent.started"}\n');

    const { exit, outputDir } = await runHostile('link-plant', linkPlant(auditLog));

    expect(outcome(exit)).toEqual(expected({}));
    expect(readdirSync(outputDir).sort()).toEqual(['nested']);
    expect(readdirSync(join(outputDir, 'nested'))).toEqual([]);
    expect(exit.logs).toContain('[shoal] removed non-regular output entries: ');
    for (const name of ['contribution.bin', 'nested/error.json', 'result.json']) expect(exit.logs).toContain(name);
    expect(readFileSync(auditLog, 'utf8')).toBe('{"seq":0,"type":"agent.started"}\n');
    // After the run /out belongs to the agent again, closed to everyone else.
    const out = statSync(outputDir);
    expect({ uid: out.uid, mode: out.mode & 0o777 }).toEqual({ uid: process.getuid?.(), mode: 0o700 });
  });

  test("the kernel's view: seccomp filter and no-new-privileges on, the sandbox's own profile (hard links EPERM), a private IPC namespace, a 16 MiB /dev/shm, /out the trainer's own 0700", async () => {
    const { exit, report } = await runHostile('kernel', KERNEL_PROBE);

    expect(outcome(exit)).toEqual(expected({}));
    expect(report).toMatchObject({ noNewPrivs: '1', seccomp: '2', shmBytes: 16 * MIB, out: OUT_OWNER, hardLink: 'EPERM', shmWrite: 'SUCCEEDED' });
    const hostIpc = readlinkSync('/proc/self/ns/ipc');
    expect(report?.ipcNamespace).toMatch(/^ipc:\[\d+\]$/);
    expect(report?.ipcNamespace).not.toBe(hostIpc);
  });

  test('the container is created with the explicit settings: no-new-privileges:true, our seccomp profile, IpcMode private, ShmSize, no capabilities, read-only root', async () => {
    const sandbox = new DockerSandbox({ docker: engine, image: images.baseImage, command: [NODE, '-e', ENDLESS_LOOP], agentId, limits: LIMITS });
    const { inputDir, outputDir } = writeTaskDirs(dir, 'settings', null);
    const run = await sandbox.start({ inputDir, outputDir, dataPath: datasetPath, timeoutMs: TIMEOUT_MS, labels: { job: 'docker-escape', round: 'settings' } });
    const [container] = await engine.listContainers({ filters: { label: [`shoal.agent=${agentId}`, 'shoal.round=settings'] } });
    const { HostConfig } = await engine.getContainer(container.Id).inspect();
    run.cancel('inspected');
    await run.wait();

    expect(HostConfig.SecurityOpt).toEqual(['no-new-privileges:true', trainerSeccompOption()]);
    expect(trainerSeccompOption()).toMatch(/^seccomp=\{"defaultAction":"SCMP_ACT_ERRNO"/);
    expect({ IpcMode: HostConfig.IpcMode, ShmSize: HostConfig.ShmSize, CapDrop: HostConfig.CapDrop, ReadonlyRootfs: HostConfig.ReadonlyRootfs, Privileged: HostConfig.Privileged, NetworkMode: HostConfig.NetworkMode }).toEqual({ IpcMode: 'private', ShmSize: 16 * MIB, CapDrop: ['ALL'], ReadonlyRootfs: true, Privileged: false, NetworkMode: 'none' });
  });

  test('an image that declares volumes is refused (IMAGE_NOT_ALLOWED), and the sandbox says it is unavailable', async () => {
    const tag = `shoal-test-volumes:${process.pid}`;
    const source = await engine.createContainer({ Image: images.baseImage, Cmd: [NODE, '-e', ''] });
    try {
      const [repo, version] = tag.split(':');
      await source.commit({ repo, tag: version, changes: 'VOLUME /scratch' });
    } finally {
      await source.remove({ force: true });
    }
    try {
      const sandbox = new DockerSandbox({ docker: engine, image: tag, command: [NODE, '-e', ''], agentId, limits: LIMITS });
      const { inputDir, outputDir } = writeTaskDirs(dir, 'volumes', null);

      expect(await sandbox.isAvailable()).toBe(false);
      expect(await sandbox.describeUnavailable()).toBe(`the trainer image ${tag} declares volumes (/scratch), which the engine would create writable and without any cap: the Docker sandbox refuses such images`);
      await expect(sandbox.start({ inputDir, outputDir, dataPath: datasetPath, timeoutMs: TIMEOUT_MS, labels: { job: 'docker-escape', round: 'volumes' } })).rejects.toMatchObject({ code: 'IMAGE_NOT_ALLOWED' });
    } finally {
      await engine.getImage(tag).remove({ force: true });
    }
  });

  test('a pinned sandbox runs its image by id: moving the tag afterwards does not change what runs', async () => {
    const tag = `shoal-test-pinned:${process.pid}`;
    const [repo, version] = tag.split(':');
    await engine.getImage(images.baseImage).tag({ repo, tag: version });
    try {
      const sandbox = await new DockerSandbox({ docker: engine, image: tag, command: [NODE, '-e', ''], agentId, limits: LIMITS }).pinned();
      // The tag now names the trainer image instead.
      await engine.getImage(images.trainerImage).tag({ repo, tag: version });
      const { inputDir, outputDir } = writeTaskDirs(dir, 'pinned', null);

      const run = await sandbox.start({ inputDir, outputDir, dataPath: datasetPath, timeoutMs: TIMEOUT_MS, labels: { job: 'docker-escape', round: 'pinned' } });
      const exit = await run.wait();

      expect(sandbox.image).toBe(baseImageId);
      expect(outcome(exit)).toEqual(expected({}));
    } finally {
      await engine.getImage(tag).remove({ noprune: true }).catch(() => undefined);
    }
  });
});
