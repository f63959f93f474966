/**
 * The long-running participant agent of one organisation: listens for signed
 * offers addressed to it, screens them (signature, expiry, feasibility),
 * moderates them (policy chain, then a person when the policy asks),
 * answers with a signed decision, and runs a job session
 * for each accepted job. Everything it decides or sends is audited.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Bus, BusSubscription } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { createMaskExpander, type MaskExpander, type IdentityKeyPair } from '../common/secagg';
import type { OfferReceipt } from '../common/offer-protocol';
import { errorMessage } from '../common/errors';
import { participantTls, type AgentConfig } from './agent-config';
import type { TlsMaterial } from '../common/pki';
import { AgentAudit } from './agent-audit';
import { AUDIT_HEAD_FILE, loadOrCreateIdentity } from './identity-store';
import { JobSession } from './job-session';
import { ModerationQueue } from './moderation-queue';
import { screenOffer, type ScreenedOffer } from './offer';
import { OfferModerator, type Verdict } from './offer-moderator';
import { countParameters } from './output-check';
import { PrivacyLedger } from './privacy-ledger';
import type { Sandbox } from './sandbox/sandbox';
import { ProcessSandbox } from './sandbox/process-sandbox';
import { customImageSandbox } from './sandbox/create-sandbox';

export interface AgentDeps {
  config: AgentConfig;
  bus: Bus;
  sandbox: Sandbox;
  logger: Logger;
}

type OfferStatus = OfferReceipt['status'];

/** How long the sender of an offer waits at most to hear that it arrived. */
const RECEIPT_WITHIN_MS = 2_000;

export class ParticipantAgent {
  private subscription: BusSubscription | undefined;
  private readonly sessions = new Map<string, { session: JobSession; done: Promise<string>; spec: ScreenedOffer['spec']; ended: boolean }>();
  /** Every job this agent has been offered and not refused outright: a repeated offer gets the same answer. */
  private readonly offers = new Map<string, OfferStatus>();
  /** The offer each of those jobs was answered (or is being answered) for: the answer is that offer's alone. */
  private readonly offerHashes = new Map<string, string | null>();
  private readonly moderating = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private identity: IdentityKeyPair | undefined;
  private tls: TlsMaterial | undefined;
  private audit: AgentAudit | undefined;
  private moderator: OfferModerator | undefined;
  private readonly queue: ModerationQueue;
  /** Masks are expanded on the agent's main thread: one contribution at a time, and the trainer needs the other cores. */
  private readonly masks: MaskExpander = createMaskExpander(0);

  constructor(private readonly deps: AgentDeps) {
    this.queue = new ModerationQueue(deps.config.workDir);
  }

  async start(): Promise<void> {
    const { config, bus, sandbox, logger } = this.deps;
    if (!(await sandbox.isAvailable())) throw new Error(`the ${sandbox.kind} sandbox is not available: ${await sandbox.describeUnavailable()}`);
    if (sandbox instanceof ProcessSandbox) {
      logger.warn(sandbox.bubblewrap
        ? 'training runs in a child process under bubblewrap (no network, only its task, dataset and output visible) but without memory, PID or output limits: weaker isolation than the Docker sandbox'
        : 'training runs in a plain child process with the agent\'s network and file access: much weaker isolation than the Docker sandbox (install bubblewrap or Docker)');
    }
    if (sandbox.kind === 'docker') logger.info({ removed: await sandbox.sweep() }, 'swept training containers left by an earlier run of this agent');
    this.tls = participantTls(config.orgId, config.tls);
    const { identity, created } = loadOrCreateIdentity(config.workDir, config.orgId);
    this.identity = identity;
    logger.info({ created, publicKey: Buffer.from(identity.publicKey).toString('hex') }, 'identity key loaded');
    // An agent that has started before keeps one trail: a missing, emptied or cut log stops it here.
    this.audit = new AgentAudit(config.auditLog, identity, bus, { headFile: join(config.workDir, AUDIT_HEAD_FILE), established: !created });
    // Offers decided before a restart keep their answer: a replayed offer starts nothing, a different one is refused (OFFER_CHANGED).
    for (const [jobId, { accepted, offerSha256 }] of this.audit.decidedJobs()) {
      this.offers.set(jobId, accepted ? 'accepted' : 'declined');
      this.offerHashes.set(jobId, offerSha256);
    }
    this.audit.record('agent.started', { sandbox: sandbox.kind, policyFile: config.policyFile, policySha256: config.policySha256, datasets: Object.keys(config.datasets) });
    if (sandbox.weakened) this.audit.record('sandbox.weakened', { sandbox: sandbox.kind, reason: sandbox.weakened });
    this.moderator = new OfferModerator({ config, audit: this.audit, queue: this.queue, ledger: PrivacyLedger.open(config.privacyLedger), identity, bus, logger, countParameters });
    this.subscription = bus.subscribe(subjects.offers(config.orgId));
    this.loop = (async () => {
      for await (const message of this.subscription as BusSubscription) this.onOffer(message.data, (receipt) => message.respond(receipt));
    })();
    logger.info({ datasets: Object.keys(config.datasets), requesters: Object.keys(config.policy.requesters), auditLog: config.auditLog }, 'agent listening for offers');
  }

  /** Sessions of jobs this agent has joined, by job id; each resolves with how the job ended for it. */
  sessionOutcomes(): Map<string, Promise<string>> {
    return new Map([...this.sessions].map(([jobId, s]) => [jobId, s.done]));
  }

  private onOffer(message: unknown, respond: (receipt: OfferReceipt) => void): void {
    const { config, logger } = this.deps;
    const audit = this.audit as AgentAudit;
    const moderator = this.moderator as OfferModerator;
    const screened = screenOffer(config, message);
    if (!screened.ok) {
      logger.warn({ jobId: screened.jobId, code: screened.code, reason: screened.reason }, 'offer refused');
      audit.record('offer.refused', { jobId: screened.jobId, code: screened.code, reason: screened.reason, authentic: screened.authentic });
      // Only an offer signed by the pinned key earns a signed decline; it is
      // not remembered, so the regulator may send a corrected offer.
      if (screened.authentic) moderator.announce(screened.jobId, screened.offerSha256, { accepted: false, decidedBy: 'policy', decider: 'screening', reason: `${screened.code}: ${screened.reason}` });
      const refusal = config.policy.shareDecisionReasons ? `${screened.code}: ${screened.reason}` : undefined;
      respond({ orgId: config.orgId, jobId: screened.jobId, status: 'declined', refusal });
      return;
    }
    const { offer } = screened;
    const jobId = offer.spec.jobId;
    const known = this.offers.get(jobId);
    if (known && this.offerHashes.get(jobId) !== offer.offerSha256) {
      // Another offer under a job id already answered: it must not borrow that answer, nor start anything.
      const refusal = moderator.refuseChangedOffer(offer, this.offerHashes.get(jobId) ?? null);
      respond({ orgId: config.orgId, jobId, status: 'declined', refusal: config.policy.shareDecisionReasons ? refusal : undefined });
      return;
    }
    if (known) {
      // A repeated offer (the regulator retries until it hears back, or replays an old one): the same answer, nothing new starts.
      respond({ orgId: config.orgId, jobId, status: known });
      return;
    }
    this.offers.set(jobId, 'received');
    this.offerHashes.set(jobId, offer.offerSha256);
    audit.record('offer.received', { jobId, requester: offer.spec.requester, signer: offer.signer, offerSha256: offer.offerSha256, expiresAt: offer.body.expiresAt, issuedAt: offer.body.issuedAt, dataset: offer.spec.dataset.name });
    let answered = false;
    const answer = (status: OfferStatus): void => {
      if (!answered) respond({ orgId: config.orgId, jobId, status });
      answered = true;
    };
    // Rules (a hook, say) may take a while: the sender hears within seconds that the offer arrived.
    const acknowledge = setTimeout(() => answer('received'), RECEIPT_WITHIN_MS);
    const work = this.moderate(offer, () => {
      this.offers.set(jobId, 'pending');
      answer('pending');
    })
      .then((status) => answer(status))
      .finally(() => clearTimeout(acknowledge));
    this.moderating.add(work);
    void work.finally(() => this.moderating.delete(work));
  }

  /** Decides on one offer and, if accepted, starts its session; never throws. */
  private async moderate(offer: ScreenedOffer, onQueued: () => void): Promise<OfferStatus> {
    const { config, logger } = this.deps;
    const moderator = this.moderator as OfferModerator;
    const jobId = offer.spec.jobId;
    let verdict: Verdict;
    let sandbox = this.deps.sandbox;
    try {
      verdict = await moderator.decide(offer, onQueued, this.stopping.signal);
      if (verdict.accepted && offer.spec.trainingImage) {
        // The job brings its own image: it must be here, with exactly the allowlisted id, before we say yes.
        sandbox = await customImageSandbox(config, offer.spec.trainingImage, logger.child({ jobId })).catch((err: unknown) => {
          verdict = { accepted: false, decidedBy: 'policy', decider: 'image', reason: `IMAGE_UNAVAILABLE: ${errorMessage(err)}` };
          return sandbox;
        });
      }
    } catch (err) {
      logger.error({ jobId, err: errorMessage(err) }, 'the offer could not be moderated');
      verdict = { accepted: false, decidedBy: 'policy', decider: 'error', reason: `the offer could not be moderated: ${errorMessage(err)}` };
    }
    if (verdict.accepted && this.stopping.signal.aborted) verdict = { accepted: false, decidedBy: 'policy', decider: 'shutdown', reason: 'the agent stopped before the job could start' };
    verdict = moderator.settle(offer, verdict);
    const status: OfferStatus = verdict.accepted ? 'accepted' : 'declined';
    this.offers.set(jobId, status);
    moderator.announce(jobId, offer.offerSha256, verdict);
    if (status === 'accepted') this.startSession(offer, sandbox);
    return status;
  }

  private startSession(offer: ScreenedOffer, sandbox: Sandbox): void {
    const { config, logger } = this.deps;
    const { spec } = offer;
    logger.info({ jobId: spec.jobId, requester: spec.requester, dataset: spec.dataset.name, sandbox: sandbox.kind, image: spec.trainingImage?.reference }, 'joining the job');
    const session = new JobSession({
      orgId: config.orgId,
      spec,
      dataPath: offer.dataPath,
      coordinatorAddress: offer.body.coordinator,
      aggregatorAddress: offer.body.aggregator,
      sandbox,
      workDir: config.workDir,
      trainerTimeoutMs: config.trainer.timeoutSeconds * 1000,
      identity: this.identity as IdentityKeyPair,
      masks: this.masks,
      audit: this.audit as AgentAudit,
      queue: this.queue,
      outputPolicy: config.policy.output,
      rosterPolicy: config.policy.privacy,
      tls: this.tls as TlsMaterial,
      logger: logger.child({ jobId: spec.jobId }),
    });
    const entry = { session, done: session.run(), spec, ended: false };
    this.sessions.set(spec.jobId, entry);
    const ended = (): void => {
      entry.ended = true;
    };
    entry.done.then(ended, ended);
  }

  /** The jobs this agent is taking part in now, for its console. */
  activeJobs(): Array<{ jobId: string; requester: string; dataset: string }> {
    return [...this.sessions.values()].filter((s) => !s.ended).map(({ spec }) => ({ jobId: spec.jobId, requester: spec.requester, dataset: spec.dataset.name }));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.subscription?.unsubscribe();
    await Promise.allSettled([...this.moderating]);
    for (const { session } of this.sessions.values()) session.stop();
    await Promise.allSettled([...this.sessions.values()].map((s) => s.done));
    await this.loop;
    await this.masks.close();
  }
}
