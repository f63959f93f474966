/**
 * The sandbox proxy in front of the real Docker engine, as docker-compose.yml
 * runs it for each bank: the compiled proxy (dist/) listens on its own
 * socket, allows one bank's folder and the trainer image. A real
 * DockerSandbox trains through it; a hostile client speaking the Docker API
 * through the same socket tries to mount another bank's folder or the host's
 * root, to swap a folder for a link between create and start, and to reach
 * another bank's container, exec, pull and list; each is refused with 403 and
 * the engine is checked to hold nothing it should not.
 */
import { mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import type { SandboxExit } from '../participant-agent/sandbox/sandbox';
import { DockerSandbox } from '../participant-agent/sandbox/docker-sandbox';
import { trainerSeccompOption } from '../participant-agent/sandbox/trainer-seccomp';
import { writeBankData } from './support/bank-data';
import { dockerOrSkip, ensureTestImages, type TestImages } from './support/docker-engine';
import { ProcessTracker } from './support/process-tracker';
import { assertBuilt, repoRoot } from './support/repo-paths';
import { containersOfAgent } from './support/sandbox-leftovers';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { creditDefaultSpec, initialWeights, readTrainerOutput, trainerTask, writeTaskDirs } from './support/trainer-task-dir';

const PROXY_MAIN = join(repoRoot, 'dist', 'participant-agent', 'sandbox-proxy', 'main.js');
const MIB = 1024 * 1024;
const LIMITS = { memoryBytes: 512 * MIB, nanoCpus: 1e9, pids: 64, outputBytes: 16 * MIB, outputEntries: 1000 };
const ROWS = 300;
const TRAIN_ROWS = 270;

const docker = dockerOrSkip('the sandbox proxy suite');
const describeDocker = docker ? describe : describe.skip;

interface Refusal {
  statusCode: number | undefined;
  code: string | undefined;
  message: string | undefined;
}

/** What the proxy answered to a call that must fail. */
async function refusalOf(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (err) {
    const failure = err as { statusCode?: number; json?: { code?: string; message?: string } | null; message: string };
    // Streaming calls (pull) keep no parsed body: dockerode puts its message after the status, and the code is lost.
    const message = failure.json?.message ?? failure.message.replace(/^\(HTTP code \d+\) [^-]* - /, '').trim();
    return { statusCode: failure.statusCode, code: failure.json?.code, message };
  }
  throw new Error('the call succeeded; the proxy should have refused it');
}

describeDocker('the sandbox proxy in front of the real engine', () => {
  const engine = docker as Dockerode;
  const agentId = `proxy-${process.pid}`;
  const neighbourId = `neighbour-${process.pid}`;
  const tracker = new ProcessTracker();
  let dir: string;
  let bank1: string;
  let bank2: string;
  let socket: string;
  let images: TestImages;
  let hostile: Dockerode;
  let neighbourContainer: string;

  /** A create body exactly like the sandbox's, for bank-1's folders, with `mounts` as given. */
  function createBody(name: string, mounts: { Source: string; Target: string; ReadOnly: boolean }[], extra: Record<string, unknown> = {}): Dockerode.ContainerCreateOptions {
    return {
      name,
      Image: images.trainerDigest,
      User: '65534:65534',
      WorkingDir: '/',
      Env: [],
      Labels: { 'shoal.managed': 'true', 'shoal.agent': agentId },
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        Mounts: mounts.map((mount) => ({ Type: 'bind', ...mount })),
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true', trainerSeccompOption()],
        Privileged: false,
        PidsLimit: 64,
        Memory: 512 * MIB,
        MemorySwap: 512 * MIB,
        NanoCpus: 1e9,
        Ulimits: [{ Name: 'fsize', Soft: 16 * MIB, Hard: 16 * MIB }],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
        ...extra,
      },
    };
  }

  async function containersNamed(name: string): Promise<string[]> {
    return (await engine.listContainers({ all: true, filters: { name: [name] } })).map((info) => info.Names.join(','));
  }

  beforeAll(async () => {
    assertBuilt();
    images = await ensureTestImages(engine);
    // The engine resolves the real path; so does the proxy's check.
    dir = realpathSync(makeTempDir('sandbox-proxy'));
    bank1 = join(dir, 'bank-1');
    bank2 = join(dir, 'bank-2');
    for (const bank of [bank1, bank2]) mkdirSync(bank);
    writeBankData(bank1, { orgIds: ['bank-1'], rowsPerBank: ROWS, heldOutRows: 0, seed: 'sandbox-proxy' });
    writeBankData(bank2, { orgIds: ['bank-2'], rowsPerBank: ROWS, heldOutRows: 0, seed: 'sandbox-proxy-2' });
    socket = join(dir, 'docker.sock');
    const proxy = tracker.spawnNode('sandbox proxy', PROXY_MAIN, ['--listen', socket, '--agent', agentId, '--allow-path', bank1, '--image', images.trainerImage], { env: { SHOAL_LOG_LEVEL: 'warn' } });
    await proxy.waitForOutput('stdout', /"event":"ready".*"component":"sandbox-proxy"/, 15_000);
    hostile = new Dockerode({ socketPath: socket });
    // Another bank's training container, created straight on the engine.
    const neighbour = await engine.createContainer({ name: `shoal-${neighbourId}`, Image: images.trainerImage, Labels: { 'shoal.managed': 'true', 'shoal.agent': neighbourId }, HostConfig: { NetworkMode: 'none' } });
    neighbourContainer = neighbour.id;
  }, 10 * 60_000);

  afterAll(async () => {
    await tracker.stopAll();
    for (const id of [agentId, neighbourId]) {
      for (const info of await engine.listContainers({ all: true, filters: { label: [`shoal.agent=${id}`] } })) await engine.getContainer(info.Id).remove({ force: true });
    }
    removeTempDir(dir);
  });

  test('a real DockerSandbox trains through it: exit 0, an update as long as the model, no container left', async () => {
    const sandbox = new DockerSandbox({ docker: new Dockerode({ socketPath: socket }), image: images.trainerImage, agentId, limits: LIMITS });
    expect(await sandbox.describeUnavailable()).toBe('the Docker sandbox is available');
    const spec = creditDefaultSpec();
    const weights = await initialWeights(spec);
    const dataPath = join(bank1, 'bank-1.csv');
    const dirs = writeTaskDirs(join(bank1, 'work'), 'fit', trainerTask(spec, 'fit', sandbox.dataPathInside(dataPath)), weights);
    const run = await sandbox.start({ ...dirs, dataPath, timeoutMs: 60_000, labels: { job: 'sandbox-proxy', round: '1' } });
    const exit: SandboxExit = await run.wait();
    const { logs, ...rest } = exit;
    expect(rest).toEqual({ exitCode: 0, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: images.trainerDigest });
    expect(logs).not.toContain('[shoal]');
    expect(readTrainerOutput(dirs.outputDir).result).toMatchObject({ kind: 'fit', weight: TRAIN_ROWS, elementCount: weights.length });
    expect(await sandbox.sweep()).toBe(0);
    expect(await containersOfAgent(engine, agentId)).toEqual([]);
  }, 120_000);

  test("a hostile client cannot create a container mounting another bank's folder, the host's root, or a link to them", async () => {
    mkdirSync(join(bank1, 'work', 'h', 'out'), { recursive: true });
    const out = { Source: join(bank1, 'work', 'h', 'out'), Target: '/out', ReadOnly: false };
    symlinkSync(bank2, join(bank1, 'work', 'neighbour'));
    const attempts: Array<[string, Dockerode.ContainerCreateOptions, string | RegExp]> = [
      ['shoal-h-bank2', createBody('shoal-h-bank2', [{ Source: bank2, Target: '/in', ReadOnly: true }, out]), `HostConfig.Mounts[0].Source: ${JSON.stringify(bank2)} is outside this organisation's folders (${bank1})`],
      ['shoal-h-root', createBody('shoal-h-root', [{ Source: '/', Target: '/in', ReadOnly: true }, out]), `HostConfig.Mounts[0].Source: "/" is outside this organisation's folders (${bank1})`],
      ['shoal-h-link', createBody('shoal-h-link', [{ Source: join(bank1, 'work', 'neighbour'), Target: '/in', ReadOnly: true }, out]), `HostConfig.Mounts[0].Source: ${join(bank1, 'work', 'neighbour')} is a symbolic link; the engine would follow it out of the organisation's folder`],
      ['shoal-h-binds', createBody('shoal-h-binds', [out], { Binds: ['/:/host'] }), /^HostConfig\.Binds: expected one of the known fields: NetworkMode, .*; found unknown field "Binds"$/],
      ['shoal-h-privileged', createBody('shoal-h-privileged', [out], { Privileged: true }), 'HostConfig.Privileged: expected false; found boolean true'],
    ];
    for (const [name, body, reason] of attempts) {
      const message = typeof reason === 'string' ? `the sandbox proxy refused container create: ${reason}` : expect.stringMatching(new RegExp(`^the sandbox proxy refused container create: ${reason.source.slice(1)}`));
      expect({ name, ...(await refusalOf(hostile.createContainer(body))) }).toEqual({ name, statusCode: 403, code: 'DOCKER_CALL_REFUSED', message });
      expect(await containersNamed(name)).toEqual([]);
    }
  });

  test('a folder swapped for a link between create and start is caught at start; the container never runs', async () => {
    const inDir = join(bank1, 'work', 'swap', 'in');
    const outDir = join(bank1, 'work', 'swap', 'out');
    mkdirSync(inDir, { recursive: true });
    mkdirSync(outDir, { recursive: true });
    const created = await hostile.createContainer(createBody('shoal-h-swap', [{ Source: inDir, Target: '/in', ReadOnly: true }, { Source: outDir, Target: '/out', ReadOnly: false }]));
    rmSync(inDir, { recursive: true });
    symlinkSync(bank2, inDir);
    expect(await refusalOf(created.start())).toEqual({
      statusCode: 403,
      code: 'DOCKER_CALL_REFUSED',
      message: `the sandbox proxy refused container start: HostConfig.Mounts[0].Source: ${inDir} is a symbolic link; the engine would follow it out of the organisation's folder`,
    });
    expect((await engine.getContainer(created.id).inspect()).State.Status).toBe('created');
    await created.remove({ force: true });
    expect(await containersNamed('shoal-h-swap')).toEqual([]);
  });

  test("another bank's container cannot be inspected, started, exec'd into or removed; nothing is pulled, and only its own containers are listed", async () => {
    const theirs = hostile.getContainer(neighbourContainer);
    const notOurs = (call: string): Refusal => ({ statusCode: 403, code: 'DOCKER_CALL_REFUSED', message: `the sandbox proxy refused ${call}: the container ${JSON.stringify(neighbourContainer)} is not one of ${agentId}'s training containers` });
    expect(await refusalOf(theirs.inspect())).toEqual(notOurs('inspect of a container'));
    expect(await refusalOf(theirs.start())).toEqual(notOurs('start of a container'));
    expect(await refusalOf(theirs.remove({ force: true }))).toEqual(notOurs('remove of a container'));
    const noSuchCall = (call: string): Refusal => ({ statusCode: 403, code: 'DOCKER_CALL_REFUSED', message: `the sandbox proxy refused ${call}: the sandbox makes no such call (the proxy lets through only creating, running and removing this organisation’s training containers)` });
    expect(await refusalOf(theirs.exec({ Cmd: ['node', '-e', '1'] }))).toEqual(noSuchCall(`POST /containers/${neighbourContainer}/exec`));
    expect(await refusalOf(hostile.pull('alpine:latest'))).toEqual({ ...noSuchCall('POST /images/create?fromImage=alpine&tag=latest'), code: undefined });
    expect(await refusalOf(hostile.listContainers({ all: true }))).toEqual({ statusCode: 403, code: 'DOCKER_CALL_REFUSED', message: `the sandbox proxy refused container list: the list must be filtered to label shoal.agent=${agentId}` });
    expect(await refusalOf(hostile.getImage(images.baseImage).inspect())).toEqual({ statusCode: 403, code: 'DOCKER_CALL_REFUSED', message: `the sandbox proxy refused image inspect: the image ${JSON.stringify(images.baseImage)} is not one this organisation allows (${images.trainerImage})` });
    expect(await hostile.listContainers({ all: true, filters: { label: [`shoal.agent=${agentId}`] } })).toEqual([]);
    expect((await engine.getContainer(neighbourContainer).inspect()).State.Status).toBe('created');
  });
});
