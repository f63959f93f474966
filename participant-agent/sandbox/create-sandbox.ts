/**
 * Picks the sandbox the organisation's config asks for. `auto` prefers the
 * hardened Docker sandbox and falls back to the process sandbox only when
 * Docker is unavailable and the config allows it (`allowProcessSandbox`,
 * false by default), saying loudly that the isolation is weaker; the agent
 * audits that (sandbox.weakened). The Docker sandbox runs its image by id:
 * the config's pinned `imageId`, or the id the tag names when the agent
 * starts, so retagging the image later cannot change the code that trains.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from '../agent-config';
import { ShoalError } from '../../common/errors';
import { DockerSandbox, type DockerSandboxOptions } from './docker-sandbox';
import { ProcessSandbox } from './process-sandbox';
import type { Sandbox } from './sandbox';

const MIB = 1024 * 1024;

/** The organisation's caps as container limits. */
function containerLimits(config: AgentConfig): DockerSandboxOptions['limits'] {
  const { limits } = config.sandbox;
  return { memoryBytes: limits.memoryMiB * MIB, nanoCpus: Math.round(limits.cpus * 1e9), pids: limits.pids, outputBytes: limits.outputMiB * MIB, outputEntries: limits.outputEntries };
}

/** The Docker sandbox of the config: its pinned image id when it has one, else its image reference. */
export function dockerSandboxFor(config: AgentConfig, logger: Logger): DockerSandbox {
  return new DockerSandbox({ image: config.sandbox.imageId ?? config.sandbox.image, agentId: config.orgId, limits: containerLimits(config), logger });
}

export async function createSandbox(config: AgentConfig, logger: Logger): Promise<Sandbox> {
  const { type, allowProcessSandbox } = config.sandbox;
  if (type === 'process') {
    const sandbox = new ProcessSandbox(undefined, { reason: 'sandbox.type is process' });
    logger.warn({ reason: sandbox.weakened }, 'training in the process sandbox, whose isolation is much weaker than the Docker sandbox');
    return sandbox;
  }
  const docker = dockerSandboxFor(config, logger);
  if (await docker.isAvailable()) {
    const pinned = await docker.pinned();
    logger.info({ image: config.sandbox.image, imageId: pinned.image }, 'the Docker sandbox runs the trainer image by its id');
    return pinned;
  }
  const why = await docker.describeUnavailable();
  if (type === 'docker' || !allowProcessSandbox) {
    const forbidden = allowProcessSandbox ? '' : ' (the process sandbox is not allowed: sandbox.allowProcessSandbox is false, the default)';
    throw new ShoalError('SANDBOX_UNAVAILABLE', `the Docker sandbox is not available: ${why}${forbidden}`, { component: 'participant-agent' });
  }
  const sandbox = new ProcessSandbox(undefined, { reason: `the Docker sandbox is not available (${why}) and the agent config allows the process sandbox` });
  logger.warn({ reason: sandbox.weakened }, 'Docker sandbox unavailable; falling back to the process sandbox, whose isolation is much weaker (remove sandbox.allowProcessSandbox: true to forbid this)');
  return sandbox;
}

/**
 * The sandbox for a job that brings its own training image: Docker only, and
 * only the exact allowlisted image id (a tag can be moved to other code; an
 * image id cannot). The sandbox checks the id again when each run starts.
 */
export async function customImageSandbox(config: AgentConfig, image: { reference: string; digest: string }, logger: Logger): Promise<Sandbox> {
  if (!config.policy.images.allowedDigests.includes(image.digest)) {
    throw new ShoalError('IMAGE_NOT_ALLOWED', `training image ${image.reference} (${image.digest}) is not on this organisation's allowlist (policy images.allowedDigests)`, { component: 'participant-agent' });
  }
  // Run by the allowlisted id itself: a tag is only a name, and the id is what was approved.
  const sandbox = new DockerSandbox({ image: image.digest, requiredImageId: image.digest, agentId: config.orgId, limits: containerLimits(config), logger });
  if (!(await sandbox.isAvailable())) {
    throw new ShoalError('IMAGE_NOT_ALLOWED', `training image ${image.reference} cannot run here: ${await sandbox.describeUnavailable()}`, { component: 'participant-agent' });
  }
  return sandbox;
}
