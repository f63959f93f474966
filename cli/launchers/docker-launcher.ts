/**
 * A job's coordinator and aggregator as Docker containers (image
 * shoal-coordinator), on a network of their own, labelled with the job, and
 * swept when a later launch finds them left over. Each publishes its port on
 * the host, where participants dial it; the coordinator reaches the
 * aggregator by name on the job's network, and NATS on the host through
 * host.docker.internal (so the NATS server's certificate must carry that name
 * when NATS runs on the same host).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import Dockerode from 'dockerode';
import { ShoalError, errorMessage } from '../../common/errors';
import { tlsFlagArguments } from '../../common/grpc/tls-flags';
import { parseReadyLine } from '../../common/process-lifecycle';
import type { TlsFiles } from '../../common/pki';
import type { JobLaunch, LaunchedJob, Launcher } from './launcher';

export const COORDINATOR_IMAGE = 'shoal-coordinator:dev';
const LAUNCHER_LABEL = 'shoal.launcher';
const JOB_LABEL = 'shoal.job';
const READY_TIMEOUT_MS = 60_000;
const PORTS = { coordinator: 7000, aggregator: 7001 } as const;
/** Where the job's folder and the regulator's NATS certificate appear inside the containers. */
const JOB_MOUNT = '/job';
const REGULATOR_MOUNT = '/regulator';

function launchError(message: string, cause?: unknown): ShoalError {
  return new ShoalError('LAUNCH_FAILED', message, { component: 'cli', cause });
}

/** The NATS URL as seen from a container: the host's loopback is the host gateway there. */
export function natsUrlFromContainer(url: string): string {
  return url.replace(/\/\/(127\.0\.0\.1|localhost)(?=[:/]|$)/, '//host.docker.internal');
}

interface StartedServer {
  container: Dockerode.Container;
  hostPort: number;
}

export class DockerLauncher implements Launcher {
  readonly kind = 'docker';

  private constructor(private readonly docker: Dockerode, private readonly image: string) {}

  static async connect(options: { docker?: Dockerode; image?: string } = {}): Promise<DockerLauncher> {
    const docker = options.docker ?? new Dockerode();
    const image = options.image ?? COORDINATOR_IMAGE;
    await docker.ping().catch((err: unknown) => {
      throw launchError(`--launcher docker: no Docker engine answers (${errorMessage(err)})`, err);
    });
    await docker.getImage(image).inspect().catch((err: unknown) => {
      throw launchError(`--launcher docker: the image ${image} is not in the engine; build it with \`npm run build:images -- --image coordinator --local-base\``, err);
    });
    return new DockerLauncher(docker, image);
  }

  /**
   * Removes stopped containers and unused networks of earlier launches. A
   * running container may belong to another job launched meanwhile, so it is
   * left alone; a network still in use refuses removal and stays too.
   */
  async sweep(): Promise<number> {
    const filters = JSON.stringify({ label: [`${LAUNCHER_LABEL}=docker`], status: ['created', 'exited', 'dead'] });
    let removed = 0;
    for (const info of await this.docker.listContainers({ all: true, filters })) {
      await this.docker.getContainer(info.Id).remove({ force: true }).then(() => removed++, () => undefined);
    }
    for (const info of await this.docker.listNetworks({ filters: JSON.stringify({ label: [`${LAUNCHER_LABEL}=docker`] }) })) {
      await this.docker.getNetwork(info.Id).remove().then(() => removed++, () => undefined);
    }
    return removed;
  }

  async launch(job: JobLaunch): Promise<LaunchedJob> {
    const { spec, outDir } = job;
    const labels = { [LAUNCHER_LABEL]: 'docker', [JOB_LABEL]: spec.jobId };
    const networkName = `shoal-job-${spec.jobId}-${Date.now()}`;
    const network = await this.docker.createNetwork({ Name: networkName, Labels: labels });
    const containers: Dockerode.Container[] = [];
    const logs: Array<{ file: WriteStream; source: NodeJS.ReadableStream }> = [];
    const stop = async (): Promise<void> => {
      for (const container of containers.reverse()) await container.remove({ force: true }).catch(() => undefined);
      await network.remove().catch(() => undefined);
      // The engine's log stream first, so nothing writes to a closed file.
      for (const { file, source } of logs) {
        (source as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        file.end();
      }
    };
    const inside = (files: TlsFiles): TlsFiles => {
      const map = (file: string): string => `${JOB_MOUNT}/${relative(outDir, file)}`;
      return { ca: map(files.ca), cert: map(files.cert), key: map(files.key), crl: files.crl && map(files.crl) };
    };
    const start = async (role: 'aggregator' | 'coordinator', args: string[], extraBinds: string[] = []): Promise<StartedServer> => {
      const port = PORTS[role];
      const container = await this.docker.createContainer({
        name: `shoal-${spec.jobId}-${role}-${Date.now()}`,
        Image: this.image,
        Entrypoint: ['node'],
        Cmd: [`/shoal/dist/${role}/main.js`, ...args, '--host', '0.0.0.0', '--port', String(port)],
        Labels: labels,
        ExposedPorts: { [`${port}/tcp`]: {} },
        HostConfig: {
          NetworkMode: networkName,
          Binds: [`${outDir}:${JOB_MOUNT}`, ...extraBinds],
          PortBindings: { [`${port}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: '' }] },
          ExtraHosts: ['host.docker.internal:host-gateway'],
        },
        NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: [role] } } },
      });
      containers.push(container);
      await container.start();
      const log = createWriteStream(join(outDir, `${role}.log`), { flags: 'a' });
      log.on('error', () => undefined);
      const source = await container.logs({ follow: true, stdout: true, stderr: true });
      logs.push({ file: log, source });
      await this.waitUntilReady(source, role, log);
      const inspected = await container.inspect();
      const binding = inspected.NetworkSettings.Ports[`${port}/tcp`]?.[0];
      if (!binding) throw launchError(`the ${role} container published no port`);
      return { container, hostPort: Number(binding.HostPort) };
    };
    try {
      const aggregator = await start('aggregator', ['--job-id', spec.jobId, ...tlsFlagArguments(inside(job.certificates.aggregator))]);
      const regulatorBinds = [`${job.natsTls.cert}:${REGULATOR_MOUNT}/cert.pem:ro`, `${job.natsTls.key}:${REGULATOR_MOUNT}/key.pem:ro`];
      const coordinator = await start(
        'coordinator',
        [
          '--spec', `${JOB_MOUNT}/${relative(outDir, job.specPath)}`,
          '--out', JOB_MOUNT,
          '--nats', natsUrlFromContainer(job.natsUrl),
          '--aggregator', `aggregator:${PORTS.aggregator}`,
          ...tlsFlagArguments(inside(job.certificates.coordinator)),
          '--nats-tls-cert', `${REGULATOR_MOUNT}/cert.pem`,
          '--nats-tls-key', `${REGULATOR_MOUNT}/key.pem`,
        ],
        regulatorBinds,
      );
      const coordinatorExited = coordinator.container.wait().then((result: { StatusCode: number }) => result.StatusCode, () => null);
      return {
        addresses: { coordinator: `${job.advertiseHost}:${coordinator.hostPort}`, aggregator: `${job.advertiseHost}:${aggregator.hostPort}` },
        coordinatorExited,
        stop,
      };
    } catch (err) {
      await stop();
      throw err;
    }
  }

  /** Follows the container's output: stderr into the job's log file, stdout until the ready line. */
  private async waitUntilReady(stream: NodeJS.ReadableStream, role: string, log: WriteStream): Promise<void> {
    const stdout = new PassThrough();
    this.docker.modem.demuxStream(stream, stdout, log);
    const lines = createInterface({ input: stdout });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(launchError(`the ${role} container did not start within ${READY_TIMEOUT_MS / 1000} s (see its log)`)), READY_TIMEOUT_MS);
      lines.on('line', (line) => {
        if (!parseReadyLine(line)) return;
        clearTimeout(timer);
        resolve();
      });
      stream.on('end', () => {
        clearTimeout(timer);
        reject(launchError(`the ${role} container exited before it was ready (see ${role}.log in the job's folder)`));
      });
    });
  }
}
