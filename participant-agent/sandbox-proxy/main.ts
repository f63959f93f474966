/**
 * Entry point of the sandbox proxy. Usage:
 *   node dist/participant-agent/sandbox-proxy/main.js --listen /run/shoal-docker/docker.sock
 *     --agent bank-1 --allow-path /deploy/bank-1 --image shoal-trainer:dev
 *     [--upstream /var/run/docker.sock] [--socket-owner 10001:10001]
 *     [--max-memory-mib N] [--max-cpus N] [--max-pids N] [--trainer-user 65534:65534]
 * The organisation's agent then uses DOCKER_HOST=unix://<listen>. Runs until
 * SIGINT/SIGTERM. Exit code 2 when a flag is invalid.
 */
import { Command } from 'commander';
import { ConfigError, errorMessage, hasCode } from '../../common/errors';
import { createRootLogger } from '../../common/logger';
import { EXIT_CODES, announceReady, onShutdownSignal } from '../../common/process-lifecycle';
import { compileProxyRules } from './proxy-rules';
import { SandboxProxy } from './sandbox-proxy';

interface Flags {
  listen: string;
  upstream: string;
  agent: string;
  allowPath: string[];
  image: string[];
  socketOwner?: string;
  trainerUser?: string;
  maxMemoryMib?: string;
  maxCpus?: string;
  maxPids?: string;
}

function owner(value: string | undefined): { uid: number; gid: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^([0-9]+):([0-9]+)$/.exec(value);
  if (!match) throw new ConfigError(`--socket-owner: expected uid:gid; found ${JSON.stringify(value)}`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

function optionalNumber(value: string | undefined, scale: number): number | undefined {
  return value === undefined ? undefined : Number(value) * scale;
}

async function main(): Promise<void> {
  const flags = new Command('shoal-sandbox-proxy')
    .requiredOption('--listen <socket>', "the unix socket the organisation's agent connects to")
    .option('--upstream <socket>', "the host engine's socket", '/var/run/docker.sock')
    .requiredOption('--agent <id>', "the organisation's agent id (its containers' shoal.agent label)")
    .requiredOption('--allow-path <dir...>', "host folders a training container may mount (the organisation's own)")
    .requiredOption('--image <ref...>', 'trainer images (references or ids) a container may run')
    .option('--socket-owner <uid:gid>', 'who may connect to --listen (the agent container’s user)')
    .option('--trainer-user <uid:gid>', 'the user every training container must run as')
    .option('--max-memory-mib <n>', 'the most memory a training container may be given')
    .option('--max-cpus <n>', 'the most CPUs a training container may be given')
    .option('--max-pids <n>', 'the most processes a training container may be given')
    .parse()
    .opts<Flags>();
  const logger = createRootLogger({ component: 'sandbox-proxy' }).child({ org: flags.agent });
  let proxy: SandboxProxy;
  try {
    const rules = compileProxyRules({
      agentId: flags.agent,
      allowedPaths: flags.allowPath,
      allowedImages: flags.image,
      trainerUser: flags.trainerUser,
      maxMemoryBytes: optionalNumber(flags.maxMemoryMib, 1024 * 1024),
      maxNanoCpus: optionalNumber(flags.maxCpus, 1e9),
      maxPids: optionalNumber(flags.maxPids, 1),
    });
    proxy = await SandboxProxy.start({ listen: flags.listen, upstream: flags.upstream, rules, socketOwner: owner(flags.socketOwner), logger });
  } catch (err) {
    process.stderr.write(`shoal-sandbox-proxy: ${errorMessage(err)}\n`);
    process.exit(hasCode(err, 'CONFIG_INVALID') ? EXIT_CODES.config : EXIT_CODES.internal);
  }
  logger.info({ listen: flags.listen, allowedPaths: flags.allowPath, images: flags.image }, 'sandbox proxy listening');
  announceReady({ component: 'sandbox-proxy', orgId: flags.agent, listen: flags.listen });
  onShutdownSignal(logger, () => proxy.close());
}

main().catch((err) => {
  process.stderr.write(`shoal-sandbox-proxy: ${errorMessage(err)}\n`);
  process.exit(EXIT_CODES.internal);
});
