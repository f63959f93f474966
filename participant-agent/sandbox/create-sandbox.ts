/**
 * Picks the sandbox the organisation's config asks for. `auto` prefers the
 * hardened Docker sandbox and falls back to the process sandbox only when
 * Docker is unavailable and the config allows it, saying loudly that the
 * isolation is weaker.
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
  return { memoryBytes: limits.memoryMiB * MIB, nanoCpus: Math.round(limits.cpus * 1e9), pids: limits.pids, outputBytes: limits.outputMiB * MIB };
}

export function dockerSandboxFor(config: AgentConfig, logger: Logger): DockerSandbox {
  return new DockerSandbox({ image: config.sandbox.image, agentId: config.orgId, limits: containerLimits(config), logger });
}

export async function createSandbox(config: AgentConfig, logger: Logger): Promise<Sandbox> {
  const { type, allowProcessSandbox } = config.sandbox;
  if (type === 'process') return new ProcessSandbox();
  const docker = dockerSandboxFor(config, logger);
  if (await docker.isAvailable()) return docker;
  const why = await docker.describeUnavailable();
  if (type === 'docker' || !allowProcessSandbox) {
    throw new ShoalError('SANDBOX_UNAVAILABLE', `the Docker sandbox is not available: ${why}${allowProcessSandbox ? '' : ' (this organisation forbids the process sandbox)'}`, { component: 'participant-agent' });
  }
  logger.warn({ reason: why }, 'Docker sandbox unavailable; falling back to the process sandbox, whose isolation is much weaker (set sandbox.allowProcessSandbox: false to forbid this)');
  return new ProcessSandbox();
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
  const sandbox = new DockerSandbox({ image: image.reference, requiredImageId: image.digest, agentId: config.orgId, limits: containerLimits(config), logger });
  if (!(await sandbox.isAvailable())) {
    throw new ShoalError('IMAGE_NOT_ALLOWED', `training image ${image.reference} cannot run here: ${await sandbox.describeUnavailable()}`, { component: 'participant-agent' });
  }
  return sandbox;
}
