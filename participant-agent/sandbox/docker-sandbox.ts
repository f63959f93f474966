/**
 * Runs the trainer in a hardened Docker container: no network, read-only
 * root file system, an unprivileged user without capabilities or new
 * privileges, this module's own seccomp profile, a private IPC namespace
 * with a small /dev/shm, capped memory, CPU, processes, open files and
 * output (bytes and entries), and a wall-clock limit. The container sees
 * exactly three host paths: the dataset (read-only, at /data/<name>), the
 * task inputs (read-only, at /in) and the output directory (/out), the
 * latter two readable or writable by the trainer's user alone. An image that
 * declares volumes is refused: the engine would give it writable, uncapped
 * host storage. Every container carries the labels shoal.managed and
 * shoal.agent, so sweep() can remove what a crashed agent left behind.
 */
import { chmod, chown, lchown, readdir } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { ShoalError, errorMessage } from '../../common/errors';
import { silentLogger } from '../../common/logger';
import { measureOutput, removeNonRegularEntries } from './output-dir';
import { trainerSeccompOption } from './trainer-seccomp';
import { effectiveLimits, type Sandbox, type SandboxExit, type SandboxLimits, type SandboxRun, type SandboxSpec } from './sandbox';
import { assertPlainFolder } from '../run-folders';

export interface DockerSandboxOptions {
  /** The engine; by default the one DOCKER_HOST (or /var/run/docker.sock) points at. */
  docker?: Dockerode;
  /** The trainer image (a tag, or an id "sha256:…" to run exactly that image); its entrypoint must run the trainer with --input /in --output /out. */
  image: string;
  /** Replaces the image's entrypoint and command (tests, custom images). */
  command?: string[];
  /** Labels every container, so sweep() finds this agent's leftovers. */
  agentId: string;
  /** When set, start() refuses to run any image whose id ("sha256:…") is not this one. */
  requiredImageId?: string;
  limits: SandboxLimits;
  logger?: Logger;
}

/** Where the trainer finds its inputs and writes its outputs inside the container. */
export const CONTAINER_PATHS = { input: '/in', output: '/out', data: '/data' } as const;

const MAX_LOG_BYTES = 64 * 1024;
const WATCH_INTERVAL_MS = 200;
/** nobody:nogroup; owns nothing of the host. */
export const TRAINER_UID = 65534;
export const TRAINER_GID = 65534;
const TRAINER_USER = `${TRAINER_UID}:${TRAINER_GID}`;
/** System V and POSIX shared memory of the trainer's own IPC namespace; enough for the libraries that use any. */
const SHM_BYTES = 16 * 1024 * 1024;
/** 128 + SIGXFSZ: the kernel's answer to a write past the fsize limit when the process does not ignore it. */
const SIGXFSZ_EXIT = 128 + (osConstants.signals.SIGXFSZ ?? 25);
/** 128 + SIGKILL: what the kernel's OOM killer leaves. */
const SIGKILL_EXIT = 128 + osConstants.signals.SIGKILL;
const OOM_CONFIRM_ATTEMPTS = 4;
const OOM_CONFIRM_INTERVAL_MS = 200;

export class DockerSandbox implements Sandbox {
  readonly kind = 'docker';
  readonly limits: SandboxLimits;
  readonly weakened = null;
  private readonly docker: Dockerode;
  private readonly logger: Logger;

  constructor(private readonly options: DockerSandboxOptions) {
    this.docker = options.docker ?? new Dockerode();
    this.limits = { ...options.limits };
    this.logger = options.logger ?? silentLogger();
  }

  /** The image every run starts from: a tag, or an id once pinned(). */
  get image(): string {
    return this.options.image;
  }

  /** The same sandbox running exactly the image the reference names now, by its id, wherever the tag moves later. */
  async pinned(): Promise<DockerSandbox> {
    return new DockerSandbox({ ...this.options, image: await this.imageId() });
  }

  async isAvailable(): Promise<boolean> {
    return (await this.problem()) === null;
  }

  async describeUnavailable(): Promise<string> {
    return (await this.problem()) ?? 'the Docker sandbox is available';
  }

  dataPathInside(hostPath: string): string {
    return `${CONTAINER_PATHS.data}/${basename(resolve(hostPath)) || 'dataset'}`;
  }

  async start(spec: SandboxSpec): Promise<SandboxRun> {
    const imageDigest = await this.imageId();
    if (this.options.requiredImageId && imageDigest !== this.options.requiredImageId) {
      throw new ShoalError('IMAGE_NOT_ALLOWED', `the image ${this.options.image} is now ${imageDigest}, not ${this.options.requiredImageId}`, { component: 'participant-agent' });
    }
    await prepareDirectories(spec);
    // Created from the id, not the tag: the image that runs is the one just inspected, even if the tag moves.
    const container = await this.create(spec, imageDigest);
    const run = new DockerRun(this.docker, container, spec, imageDigest, this.limits, this.logger);
    try {
      await container.start();
    } catch (err) {
      await run.remove();
      throw new ShoalError('SANDBOX_FAILED', `the training container did not start: ${errorMessage(err)}`, { component: 'participant-agent', retryable: true, cause: err });
    }
    run.watch();
    return run;
  }

  async sweep(): Promise<number> {
    const leftovers = await this.docker.listContainers({ all: true, filters: { label: [`shoal.agent=${this.options.agentId}`] } });
    let removed = 0;
    for (const info of leftovers) {
      try {
        await this.docker.getContainer(info.Id).remove({ force: true, v: true });
        removed++;
      } catch (err) {
        this.logger.warn({ container: info.Id.slice(0, 12), err: errorMessage(err) }, 'could not remove a leftover training container');
      }
    }
    return removed;
  }

  private async problem(): Promise<string | null> {
    try {
      await this.docker.ping();
    } catch (err) {
      const modem = this.docker.modem as { socketPath?: string; host?: string; port?: number };
      const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : modem.socketPath ?? `${modem.host}:${modem.port}`;
      return `no Docker engine answers at ${where} (${errorMessage(err)}); start Docker or point DOCKER_HOST at it`;
    }
    let image: Dockerode.ImageInspectInfo;
    try {
      image = await this.docker.getImage(this.options.image).inspect();
    } catch (err) {
      return `the trainer image ${this.options.image} is not in the local Docker engine (${errorMessage(err)}); build it with npm run build:images`;
    }
    return declaredVolumes(this.options.image, image);
  }

  private async imageId(): Promise<string> {
    let image: Dockerode.ImageInspectInfo;
    try {
      image = await this.docker.getImage(this.options.image).inspect();
    } catch (err) {
      throw new ShoalError('SANDBOX_UNAVAILABLE', `the trainer image ${this.options.image} is not available: ${errorMessage(err)}`, { component: 'participant-agent', cause: err });
    }
    const volumes = declaredVolumes(this.options.image, image);
    if (volumes) throw new ShoalError('IMAGE_NOT_ALLOWED', volumes, { component: 'participant-agent' });
    return image.Id;
  }

  private async create(spec: SandboxSpec, imageId: string): Promise<Dockerode.Container> {
    const { command, agentId } = this.options;
    const limits = effectiveLimits(this.limits, spec.requested);
    const labels: Record<string, string> = { 'shoal.managed': 'true', 'shoal.agent': agentId };
    for (const [key, value] of Object.entries(spec.labels)) labels[`shoal.${key}`] = value;
    const env = process.env.SHOAL_TF_BACKEND ? [`SHOAL_TF_BACKEND=${process.env.SHOAL_TF_BACKEND}`] : [];
    const name = `shoal-${agentId}-${spec.labels.job ?? 'job'}-${spec.labels.round ?? '0'}-${randomBytes(4).toString('hex')}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
    try {
      return await this.docker.createContainer({
        name,
        Image: imageId,
        ...(command ? { Entrypoint: command.slice(0, 1), Cmd: command.slice(1) } : {}),
        User: TRAINER_USER,
        WorkingDir: '/',
        Env: env,
        Labels: labels,
        NetworkDisabled: true,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
        OpenStdin: false,
        HostConfig: {
          NetworkMode: 'none',
          ReadonlyRootfs: true,
          Mounts: [
            { Type: 'bind', Source: resolve(spec.dataPath), Target: this.dataPathInside(spec.dataPath), ReadOnly: true },
            { Type: 'bind', Source: resolve(spec.inputDir), Target: CONTAINER_PATHS.input, ReadOnly: true },
            { Type: 'bind', Source: resolve(spec.outputDir), Target: CONTAINER_PATHS.output, ReadOnly: false },
          ],
          // Owned by the trainer's user: the engine copies the image's /tmp mode into the tmpfs, which may be 0755 root.
          // Inodes capped too: a tmpfs's entries are memory the memory limit does not see.
          Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=64m,nr_inodes=4096,mode=1777,uid=${TRAINER_UID},gid=${TRAINER_GID}` },
          CapDrop: ['ALL'],
          // Both explicit: what the daemon defaults to is the host's choice, not the organisation's.
          SecurityOpt: ['no-new-privileges:true', trainerSeccompOption()],
          IpcMode: 'private',
          ShmSize: SHM_BYTES,
          Privileged: false,
          PidsLimit: limits.pids,
          Memory: limits.memoryBytes,
          MemorySwap: limits.memoryBytes,
          NanoCpus: limits.nanoCpus,
          Ulimits: [
            { Name: 'fsize', Soft: limits.outputBytes, Hard: limits.outputBytes },
            { Name: 'nofile', Soft: 256, Hard: 256 },
          ],
          // The trainer's chatter must not fill the engine's disk either.
          LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
          // A minimal init (tini) as PID 1: the trainer gets ordinary signal behaviour and its children are reaped.
          Init: true,
          AutoRemove: false,
          RestartPolicy: { Name: 'no' },
        },
      });
    } catch (err) {
      throw new ShoalError('SANDBOX_FAILED', `could not create the training container: ${errorMessage(err)}`, { component: 'participant-agent', retryable: true, cause: err });
    }
  }
}

/** One container from start to removal. */
class DockerRun implements SandboxRun {
  private timedOut = false;
  private cancelled = false;
  private outputTooLarge = false;
  private killedBySandbox = false;
  private collected = '';
  private exited: Promise<SandboxExit> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  private readonly createdAtSeconds = Math.floor(Date.now() / 1000);

  constructor(
    private readonly docker: Dockerode,
    private readonly container: Dockerode.Container,
    private readonly spec: SandboxSpec,
    private readonly imageDigest: string,
    private readonly caps: Pick<SandboxLimits, 'outputBytes' | 'outputEntries'>,
    private readonly logger: Logger,
  ) {}

  /** Starts the wall clock and the output watchdog, and begins waiting for the exit. */
  watch(): void {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.kill();
    }, this.spec.timeoutMs);
    let measuring = false;
    this.watchdog = setInterval(() => {
      if (measuring) return;
      measuring = true;
      measureOutput(this.spec.outputDir, this.caps.outputEntries)
        .then((size) => {
          if (overCaps(size, this.caps) && !this.outputTooLarge) {
            this.outputTooLarge = true;
            this.kill();
          }
        })
        .finally(() => {
          measuring = false;
        });
    }, WATCH_INTERVAL_MS);
    this.exited = this.finish();
  }

  wait(): Promise<SandboxExit> {
    return this.exited ?? Promise.reject(new Error('the container was never started'));
  }

  cancel(reason: string): void {
    this.cancelled = true;
    this.logger.info({ reason }, 'training container cancelled');
    this.kill();
  }

  logs(): string {
    return this.collected;
  }

  async remove(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode !== 404) this.logger.warn({ err: errorMessage(err) }, 'could not remove the training container');
    });
  }

  private kill(): void {
    this.killedBySandbox = true;
    this.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
  }

  private async finish(): Promise<SandboxExit> {
    try {
      let exitCode: number | null = null;
      let oomKilled = false;
      let failure = '';
      try {
        const waited = (await this.container.wait()) as { StatusCode?: number };
        const state = (await this.container.inspect()).State;
        exitCode = typeof state.ExitCode === 'number' ? state.ExitCode : waited.StatusCode ?? null;
        oomKilled = state.OOMKilled === true;
        if (!oomKilled && exitCode === SIGKILL_EXIT && !this.killedBySandbox) oomKilled = await this.killedForMemory();
      } catch (err) {
        failure = `\n[shoal] lost the training container: ${errorMessage(err)}`;
      }
      clearTimeout(this.timer);
      clearInterval(this.watchdog);
      this.collected = await this.readLogs();
      // The trainer has stopped: /out goes back to the agent, so no one else on the host (its uid's namesake) can change it now.
      await reclaimOutput(this.spec.outputDir);
      // Counted before anything is removed: a flood of links is a flood of entries too.
      const total = await measureOutput(this.spec.outputDir, this.caps.outputEntries);
      // Links in /out can no longer change, and none may be followed.
      const removed = await removeNonRegularEntries(this.spec.outputDir);
      if (removed.length) failure += `\n[shoal] removed non-regular output entries: ${removed.slice(0, 20).join(', ')}${removed.length > 20 ? `, … (${removed.length} in all)` : ''}`;
      // fsize stops every file at the cap exactly: a write past it fails with EFBIG, or kills with SIGXFSZ.
      const efbig = exitCode !== 0 && /\bEFBIG\b/.test(this.collected);
      const outputTooLarge = this.outputTooLarge || overCaps(total, this.caps) || exitCode === SIGXFSZ_EXIT || efbig;
      return {
        exitCode,
        signal: signalOf(exitCode, this.killedBySandbox),
        timedOut: this.timedOut,
        cancelled: this.cancelled,
        oomKilled,
        outputTooLarge,
        imageDigest: this.imageDigest,
        logs: this.collected + failure,
      };
    } finally {
      clearTimeout(this.timer);
      clearInterval(this.watchdog);
      await this.remove();
    }
  }

  /**
   * A SIGKILL the sandbox did not send is almost always the memory cgroup's,
   * but the engine can report the exit before it has processed the OOM
   * event, leaving OOMKilled false for a moment. The engine's own `oom`
   * event for this container settles it; it is looked for a few times,
   * briefly, because it can trail the exit too.
   */
  private async killedForMemory(): Promise<boolean> {
    for (let attempt = 0; attempt < OOM_CONFIRM_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, OOM_CONFIRM_INTERVAL_MS));
      try {
        if ((await this.container.inspect()).State.OOMKilled === true) return true;
        if (await this.oomEventSeen()) return true;
      } catch (err) {
        this.logger.warn({ err: errorMessage(err) }, 'could not ask the engine whether the trainer ran out of memory');
        return false;
      }
    }
    return false;
  }

  private async oomEventSeen(): Promise<boolean> {
    // Fractional seconds: an `until` in the future would hold the stream open until then.
    const until = Date.now() / 1000;
    const stream = await this.docker.getEvents({ since: this.createdAtSeconds, until, filters: { container: [this.container.id], event: ['oom'] } });
    let seen = false;
    for await (const chunk of stream as AsyncIterable<Buffer>) if (chunk.length > 0) seen = true;
    return seen;
  }

  private async readLogs(): Promise<string> {
    try {
      const raw = await this.container.logs({ stdout: true, stderr: true, follow: false });
      return bounded(demultiplex(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))));
    } catch (err) {
      return `[shoal] could not read the container's logs: ${errorMessage(err)}`;
    }
  }
}

function agentIsRoot(): boolean {
  return process.getuid?.() === 0;
}

function overCaps(size: { bytes: number; entries: number }, caps: Pick<SandboxLimits, 'outputBytes' | 'outputEntries'>): boolean {
  return size.bytes >= caps.outputBytes || size.entries > caps.outputEntries;
}

/** Why an image cannot run here because it declares volumes (the engine would create them writable and uncapped); null if it declares none. */
function declaredVolumes(reference: string, image: Dockerode.ImageInspectInfo): string | null {
  const volumes = Object.keys(image.Config?.Volumes ?? {});
  if (volumes.length === 0) return null;
  return `the trainer image ${reference} declares volumes (${volumes.slice(0, 5).join(', ')}), which the engine would create writable and without any cap: the Docker sandbox refuses such images`;
}

/**
 * Makes the host paths usable by the container's unprivileged user and by
 * nobody else. As root the agent hands them over by ownership: /out belongs
 * to the trainer's user (0700), the inputs and the run's dataset copy to
 * its group (0750/0640). An agent that is not root cannot give a file
 * away; it shares them by mode instead and closes the folders above them
 * (0700), which the container does not need to pass through.
 */
async function prepareDirectories(spec: SandboxSpec): Promise<void> {
  // chmod follows links: a linked folder would open whatever it points at to the container's user.
  assertPlainFolder(spec.outputDir);
  assertPlainFolder(spec.inputDir);
  const root = agentIsRoot();
  const hand = async (path: string, modes: { owned: number; shared: number }, owner: { uid: number; gid: number }): Promise<void> => {
    if (root) await lchown(path, owner.uid, owner.gid);
    await chmod(path, root ? modes.owned : modes.shared);
  };
  if (!root) {
    for (const dir of new Set([dirname(resolve(spec.inputDir)), dirname(resolve(spec.outputDir))])) await chmod(dir, 0o700);
  }
  await hand(spec.outputDir, { owned: 0o700, shared: 0o777 }, { uid: TRAINER_UID, gid: TRAINER_GID });
  await hand(spec.inputDir, { owned: 0o750, shared: 0o755 }, { uid: 0, gid: TRAINER_GID });
  for (const entry of await readdir(spec.inputDir, { withFileTypes: true })) {
    if (entry.isFile()) await hand(join(spec.inputDir, entry.name), { owned: 0o640, shared: 0o644 }, { uid: 0, gid: TRAINER_GID });
  }
  if (spec.dataIsRunCopy) {
    await hand(spec.dataPath, { owned: 0o640, shared: 0o644 }, { uid: 0, gid: TRAINER_GID });
    return;
  }
  // The organisation's own file is never changed here: the trainer's user must already be able to read it.
  let info: { mode: number; uid: number; gid: number };
  try {
    info = statSync(spec.dataPath);
  } catch (err) {
    throw new ShoalError('DATASET_UNREADABLE', `the dataset ${spec.dataPath} cannot be read: ${errorMessage(err)}`, { component: 'participant-agent', cause: err });
  }
  const readable = (info.uid === TRAINER_UID && (info.mode & 0o400) !== 0) || (info.gid === TRAINER_GID && (info.mode & 0o040) !== 0) || (info.mode & 0o004) !== 0;
  if (!readable) {
    throw new ShoalError('DATASET_UNREADABLE', `the dataset ${spec.dataPath} is not readable by the trainer's user ${TRAINER_USER} (mode ${(info.mode & 0o777).toString(8)}); give it the group ${TRAINER_GID} with g+r`, { component: 'participant-agent' });
  }
}

/** After the run: /out belongs to the agent again and is closed to everyone else. */
async function reclaimOutput(outputDir: string): Promise<void> {
  try {
    if (agentIsRoot()) await lchown(outputDir, 0, 0);
    await chmod(outputDir, 0o700);
  } catch {
    // A missing /out has nothing left to protect.
  }
}

/** The engine's multiplexed log stream: 8-byte headers (stream, 0, 0, 0, big-endian length) before each frame. */
export function demultiplex(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, Math.min(raw.length, offset + 8 + size)));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Keeps the beginning and the end of long logs: where the trainer starts and where it fails. */
function bounded(logs: string): string {
  if (logs.length <= MAX_LOG_BYTES) return logs;
  const half = MAX_LOG_BYTES / 2;
  return `${logs.slice(0, half)}\n[… ${logs.length - MAX_LOG_BYTES} characters left out …]\n${logs.slice(-half)}`;
}

/** Docker reports a death by signal n as exit code 128 + n. */
function signalOf(exitCode: number | null, killedBySandbox: boolean): string | null {
  if (exitCode === null) return killedBySandbox ? 'SIGKILL' : null;
  if (exitCode <= 128 || exitCode > 128 + 64) return null;
  const found = Object.entries(osConstants.signals).find(([, n]) => n === exitCode - 128);
  return found ? found[0] : null;
}
