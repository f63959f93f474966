/**
 * Entry point of the participant agent daemon. Usage:
 *   node dist/participant-agent/main.js --config agent.yaml
 * Runs until SIGINT/SIGTERM. Exit code 2 when the config is invalid, 5 when
 * its audit log is damaged, missing, emptied or cut short. With a
 * `console:` section it also serves the organisation console (web).
 */
import { Command } from 'commander';
import { NatsBus } from '../common/bus/nats-bus';
import { errorMessage, hasCode } from '../common/errors';
import { createRootLogger } from '../common/logger';
import { EXIT_CODES, announceReady, onShutdownSignal } from '../common/process-lifecycle';
import { loadAgentConfig } from './agent-config';
import { ParticipantAgent } from './agent';
import { createSandbox } from './sandbox/create-sandbox';
import { ConsoleUsers } from '../console';
import { startOrganisationConsole } from './console/organisation-console';

/** Why an agent refuses to start on its audit log: it is damaged, gone, emptied, cut short, or its recorded head is unreadable. */
const AUDIT_REFUSALS = ['AUDIT_LOG_CORRUPT', 'AUDIT_LOG_MISSING', 'AUDIT_LOG_TRUNCATED', 'AUDIT_HEAD_UNREADABLE'];

async function main(): Promise<void> {
  const options = new Command('shoal-agent').requiredOption('--config <file>', 'the agent config (YAML)').parse().opts<{ config: string }>();
  let config;
  try {
    config = loadAgentConfig(options.config);
  } catch (err) {
    process.stderr.write(`shoal-agent: ${errorMessage(err)}\n`);
    process.exit(hasCode(err, 'CONFIG_INVALID') ? EXIT_CODES.config : EXIT_CODES.internal);
  }
  let consoleUsers: ConsoleUsers | undefined;
  if (config.console) {
    // Before joining anything: a console nobody can log in to is a config error, not a later surprise.
    try {
      consoleUsers = ConsoleUsers.load(config.console.users);
    } catch (err) {
      process.stderr.write(`shoal-agent: console: ${errorMessage(err)}\n`);
      process.exit(EXIT_CODES.config);
    }
  }
  const logger = createRootLogger({ component: 'participant-agent' }).child({ org: config.orgId });
  if (!config.nats) {
    logger.error('the agent config has no "nats" URL; a standalone agent needs one');
    process.exit(EXIT_CODES.config);
  }
  // The same certificate as for gRPC: NATS lets it read only this organisation's offers.
  const bus = await NatsBus.connect(config.nats, `agent-${config.orgId}`, config.tls);
  let sandbox;
  try {
    sandbox = await createSandbox(config, logger);
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'no sandbox to train in');
    process.exit(EXIT_CODES.config);
  }
  logger.info({ sandbox: sandbox.kind }, 'sandbox selected');
  const agent = new ParticipantAgent({ config, bus, sandbox, logger });
  try {
    await agent.start();
  } catch (err) {
    // A missing, emptied or cut audit log is a failed verification (exit 5), told in words, not a crash.
    if (AUDIT_REFUSALS.some((code) => hasCode(err, code))) {
      process.stderr.write(`shoal-agent: ${errorMessage(err)}\n`);
      process.exit(EXIT_CODES.auditFailed);
    }
    throw err;
  }
  let consoleUrl: string | undefined;
  let closeConsole = async (): Promise<void> => undefined;
  if (config.console && consoleUsers) {
    try {
      const server = await startOrganisationConsole({ config: { ...config, console: config.console }, activeJobs: () => agent.activeJobs(), users: consoleUsers, logger });
      [consoleUrl, closeConsole] = [server.url, server.close];
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'the organisation console could not start');
      await agent.stop();
      process.exit(hasCode(err, 'CONFIG_INVALID') ? EXIT_CODES.config : EXIT_CODES.internal);
    }
  }
  announceReady({ component: 'participant-agent', orgId: config.orgId, ...(consoleUrl ? { console: consoleUrl } : {}) });
  onShutdownSignal(logger, async () => {
    await closeConsole();
    await agent.stop();
    await bus.close();
  });
}

main().catch((err) => {
  process.stderr.write(`shoal-agent: ${errorMessage(err)}\n`);
  process.exit(EXIT_CODES.internal);
});
