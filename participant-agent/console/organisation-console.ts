/**
 * The organisation console, served by the participant agent (loopback by
 * default): the offers waiting for a person and exactly what they would run
 * and send, decisions and round releases made by the logged-in moderator
 * (recorded under their name, as `shoal agent approve --by` would), the
 * audit trail with verification, and the privacy budget per dataset. It acts
 * through the same moderation queue files as the `shoal agent` commands.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { verifyAuditFile } from '../../common/audit';
import { ConsoleRequestError, ConsoleUsers, consoleTls, LiveFeed, startConsoleServer, type ConsoleServer, type DecisionRequest, type OrganisationOverview, type QueueView, type ReleaseRequest } from '../../console';
import type { AgentConfig } from '../agent-config';
import { storedIdentityPublicKey } from '../identity-store';
import { ModerationQueue } from '../moderation-queue';
import { PrivacyLedger } from '../privacy-ledger';
import { ChangeWatcher } from './change-watcher';
import { auditPage, datasetBudgets, offerView, releaseView, verificationView } from './console-views';

export interface OrganisationConsoleDeps {
  config: AgentConfig & { console: NonNullable<AgentConfig['console']> };
  activeJobs: () => OrganisationOverview['activeJobs'];
  /** Who may log in, loaded from config.console.users before the agent starts. */
  users: ConsoleUsers;
  logger: Logger;
  /** Where the built page is (tests); default dist/console/web. */
  webDir?: string;
}

/** Queue refusals and the HTTP status each answers with. */
const QUEUE_REFUSALS: Record<string, number> = {
  INVALID_JOB_ID: 400,
  INVALID_ROUND: 400,
  REASON_REQUIRED: 400,
  DECIDER_REQUIRED: 400,
  NOT_PENDING: 404,
  ALREADY_DECIDED: 409,
  OFFER_EXPIRED: 409,
  OFFER_CHANGED: 409,
  INVALID_OFFER_HASH: 400,
  OFFER_HASH_REQUIRED: 400,
  ALREADY_RELEASED: 409,
  RELEASE_EXPIRED: 409,
  PENDING_UNREADABLE: 409,
  AUDIT_LOG_MISSING: 404,
  PRIVACY_LEDGER_CORRUPT: 409,
};

const AUDIT_PAGE_MAX = 2000;

// The full hash the page was shown: a decision binds to exactly that offer, never to whatever waits under the job id now.
const decisionBody = { type: 'object', required: ['offerSha256', 'approve', 'reason'], additionalProperties: false, properties: { offerSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, approve: { type: 'boolean' }, reason: { type: 'string', maxLength: 2000 } } };
const releaseBody = { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 2000 } } };

export async function startOrganisationConsole(deps: OrganisationConsoleDeps): Promise<ConsoleServer> {
  const { config, logger } = deps;
  const settings = config.console;
  const tls = consoleTls(settings.host, settings.tls, 'agent config console');
  const queue = new ModerationQueue(config.workDir);
  const live = new LiveFeed();
  const watcher = new ChangeWatcher({ live, moderationDir: join(config.workDir, 'moderation'), auditLog: config.auditLog, privacyLedger: config.privacyLedger, activeJobs: deps.activeJobs });

  const routes = (app: FastifyInstance): void => {
    app.get('/api/organisation', async (): Promise<OrganisationOverview> => ({
      orgId: config.orgId,
      datasets: datasetBudgets(config, PrivacyLedger.open(config.privacyLedger).entries()),
      activeJobs: deps.activeJobs(),
    }));

    app.get('/api/queue', async (): Promise<QueueView> => {
      const now = new Date();
      const { offers, unreadable } = queue.scanPending();
      return { offers: offers.map((o) => offerView(o, now)), releases: queue.pendingReleases().map(releaseView), unreadable };
    });

    app.post('/api/queue/offers/:jobId/decision', { schema: { body: decisionBody } }, async (request) => {
      const { jobId } = request.params as { jobId: string };
      const { offerSha256, approve, reason } = request.body as DecisionRequest;
      queue.decide(jobId, { approve, reason, by: request.consoleUser, offer: offerSha256 });
      logger.info({ jobId, offerSha256, approve, by: request.consoleUser }, 'offer decided in the console');
      return { jobId, approved: approve };
    });

    app.post('/api/queue/releases/:jobId/:round', { schema: { body: releaseBody } }, async (request) => {
      const { jobId, round } = request.params as { jobId: string; round: string };
      if (!/^\d{1,9}$/.test(round)) throw new ConsoleRequestError(400, 'INVALID_ROUND', `${JSON.stringify(round)} is not a round number`);
      const { reason } = request.body as ReleaseRequest;
      queue.release(jobId, Number(round), request.consoleUser, reason);
      logger.info({ jobId, round: Number(round), by: request.consoleUser }, 'round output released in the console');
      return { jobId, round: Number(round) };
    });

    app.get('/api/audit', async (request) => {
      const raw = (request.query as { limit?: string }).limit ?? '200';
      const limit = Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX) throw new ConsoleRequestError(400, 'INVALID_LIMIT', `limit must be a whole number from 1 to ${AUDIT_PAGE_MAX}; found ${JSON.stringify(raw)}`);
      return auditPage(config.auditLog, limit);
    });

    // Checked against the agent's own identity key, as `shoal agent audit verify` does: a log re-signed with another key fails.
    app.post('/api/audit/verify', async (request) => {
      const verification = verifyAuditFile(config.auditLog, { publicKey: storedIdentityPublicKey(config.workDir, config.orgId) });
      logger.info({ by: request.consoleUser, intact: verification.ok, problems: verification.problems.length }, 'audit log verified from the console');
      return verificationView(verification);
    });
  };

  const server = await startConsoleServer({ kind: 'organisation', title: config.orgId, host: settings.host, port: settings.port, tls, users: deps.users, logger, live, routes, errorStatus: QUEUE_REFUSALS, webDir: deps.webDir });
  watcher.start();
  return {
    url: server.url,
    close: async () => {
      watcher.stop();
      await server.close();
    },
  };
}
