/**
 * What goes into the NATS image for federations that reach no registry: the
 * host's own nats-server binary (a Go program linked only against libc), put
 * on a base that already has libc and its loader — shoal-node-base, made from
 * the host's node, has both.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { errorMessage } from '../../common/errors';
import { ImageBuildError } from './errors';
import { findRepositoryRoot } from './image-context';
import { resolveNodeRuntime } from './node-base-image';
import type { TarEntry } from './ustar-writer';

export const NATS_DOCKERFILE = 'participant-agent/images/nats.Dockerfile';
/** Overrides where the nats-server binary is taken from. */
export const NATS_BINARY_ENV = 'SHOAL_NATS_SERVER_BINARY';
export const DEFAULT_NATS_BINARY = '/usr/sbin/nats-server';
/** The nats image's label holding its context hash (the same label as the agent and coordinator images). */
export const NATS_CONTEXT_LABEL = 'shoal.image-context';

export interface NatsContextPlan {
  root: string;
  /** The real file of the binary. */
  binary: string;
  /** What `nats-server --version` printed, without the `nats-server: v` prefix (2.9.10). */
  version: string;
  /** Absolute paths ldd names for the binary (the loader included); empty for a static binary. */
  libraries: string[];
  contextLabel: string;
  /** sha256 over the Dockerfile and the binary. */
  hash: string;
}

/** $SHOAL_NATS_SERVER_BINARY, else /usr/sbin/nats-server, else nats-server on PATH. */
export function findNatsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[NATS_BINARY_ENV];
  if (configured) {
    if (!existsSync(configured)) throw new ImageBuildError('NATS_BINARY_MISSING', `${NATS_BINARY_ENV}=${configured}, which does not exist`, { binary: configured });
    return configured;
  }
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'nats-server'));
  const found = [DEFAULT_NATS_BINARY, ...onPath].find((path) => existsSync(path) && statSync(path).isFile());
  if (!found) {
    throw new ImageBuildError(
      'NATS_BINARY_MISSING',
      `no nats-server binary at ${DEFAULT_NATS_BINARY} or on PATH to build the NATS image from; install it (Debian: \`sudo apt-get install nats-server\`) or set ${NATS_BINARY_ENV}`,
      {},
    );
  }
  return found;
}

export function planNatsContext(binaryPath: string = findNatsServerBinary(), root: string = findRepositoryRoot()): NatsContextPlan {
  const binary = realpathSync(binaryPath);
  let version: string;
  try {
    const printed = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
    version = /v?(\d+\.\d+\.\d+\S*)/.exec(printed)?.[1] ?? printed;
  } catch (err) {
    throw new ImageBuildError('NATS_BINARY_MISSING', `${binary} --version failed, so it cannot be the NATS server: ${errorMessage(err)}`, { binary }, err);
  }
  const libraries = resolveNodeRuntime(binary).libraries.map((library) => library.path);
  const hash = createHash('sha256').update(readFileSync(join(root, NATS_DOCKERFILE))).update('\0').update(readFileSync(binary)).digest('hex');
  return { root, binary, version, libraries, contextLabel: NATS_CONTEXT_LABEL, hash };
}

/**
 * The libraries the binary needs that a base imported from this host's node
 * lacks (that base holds exactly node's libraries, at the paths ldd names).
 */
export function librariesMissingFromLocalBase(plan: NatsContextPlan, nodeLibraries: string[] = resolveNodeRuntime().libraries.map((library) => library.path)): string[] {
  return plan.libraries.filter((path) => !nodeLibraries.includes(path));
}

/** The build context as archive entries: this folder's nats.Dockerfile and the binary. */
export function natsContextEntries(plan: NatsContextPlan): TarEntry[] {
  return [
    { type: 'file', path: 'Dockerfile', mode: 0o644, source: join(plan.root, NATS_DOCKERFILE) },
    { type: 'file', path: 'nats-server', mode: 0o755, source: plan.binary },
  ];
}
