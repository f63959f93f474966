/**
 * The long-running participant agent of one organisation: listens for offers
 * addressed to it, decides, and runs a job session for each accepted job.
 */
import type { Logger } from 'pino';
import type { Bus, BusSubscription } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { createMaskExpander, type MaskExpander, type IdentityKeyPair } from '../common/secagg';
import type { AgentConfig } from './agent-config';
import { loadOrCreateIdentity } from './identity-store';
import { JobSession } from './job-session';
import { evaluateOffer, type JobOffer, type OfferDecision } from './offer';
import type { Sandbox } from './sandbox/sandbox';
import { ProcessSandbox } from './sandbox/process-sandbox';
import { customImageSandbox } from './sandbox/create-sandbox';
import type { JobSpec } from '../common/job-spec';
import { errorMessage } from '../common/errors';

export interface AgentDeps {
  config: AgentConfig;
  bus: Bus;
  sandbox: Sandbox;
  logger: Logger;
}

export class ParticipantAgent {
  private subscription: BusSubscription<JobOffer> | undefined;
  private readonly sessions = new Map<string, { session: JobSession; done: Promise<string> }>();
  private loop: Promise<void> | undefined;
  private identity: IdentityKeyPair | undefined;
  /** Offers whose own training image is being checked; a repeated offer meanwhile starts nothing. */
  private readonly checkingImage = new Set<string>();
  /** Masks are expanded on the agent's main thread: one contribution at a time, and the trainer needs the other cores. */
  private readonly masks: MaskExpander = createMaskExpander(0);

  constructor(private readonly deps: AgentDeps) {}

  async start(): Promise<void> {
    const { config, bus, sandbox, logger } = this.deps;
    if (!(await sandbox.isAvailable())) throw new Error(`the ${sandbox.kind} sandbox is not available: ${await sandbox.describeUnavailable()}`);
    if (sandbox instanceof ProcessSandbox) {
      logger.warn(sandbox.bubblewrap
        ? 'training runs in a child process under bubblewrap (no network, only its task, dataset and output visible) but without memory, PID or output limits: weaker isolation than the Docker sandbox'
        : 'training runs in a plain child process with the agent\'s network and file access: much weaker isolation than the Docker sandbox (install bubblewrap or Docker)');
    }
    if (sandbox.kind === 'docker') logger.info({ removed: await sandbox.sweep() }, 'swept training containers left by an earlier run of this agent');
    const { identity, created } = loadOrCreateIdentity(config.workDir, config.orgId);
    this.identity = identity;
    logger.info({ created, publicKey: Buffer.from(identity.publicKey).toString('hex') }, 'identity key loaded');
    this.subscription = bus.subscribe<JobOffer>(subjects.offers(config.orgId));
    this.loop = (async () => {
      for await (const message of this.subscription as BusSubscription<JobOffer>) this.onOffer(message.data, (d) => message.respond(d));
    })();
    logger.info({ datasets: Object.keys(config.datasets), acceptedRequesters: config.acceptedRequesters }, 'agent listening for offers');
  }

  /** Sessions of jobs this agent has joined, by job id; each resolves with how the job ended for it. */
  sessionOutcomes(): Map<string, Promise<string>> {
    return new Map([...this.sessions].map(([jobId, s]) => [jobId, s.done]));
  }

  private onOffer(offer: JobOffer, respond: (decision: OfferDecision) => void): void {
    const { config, logger } = this.deps;
    const evaluated = evaluateOffer(config, offer);
    if (!evaluated.accepted) {
      logger.warn({ jobId: evaluated.jobId, reason: evaluated.reason }, 'offer declined');
      respond({ orgId: config.orgId, jobId: evaluated.jobId, accepted: false, reason: evaluated.reason });
      return;
    }
    const { spec, dataPath } = evaluated;
    if (this.sessions.has(spec.jobId)) {
      // A repeated offer (the launcher retries until it hears back): answer the same way, start nothing new.
      respond({ orgId: config.orgId, jobId: spec.jobId, accepted: true, reason: 'already participating' });
      return;
    }
    if (spec.trainingImage) {
      if (this.checkingImage.has(spec.jobId)) return;
      this.checkingImage.add(spec.jobId);
      // The job brings its own image: it must be here, with exactly the allowlisted id, before we say yes.
      customImageSandbox(config, spec.trainingImage, logger.child({ jobId: spec.jobId }))
        .then(
          (sandbox) => this.startSession(offer, spec, dataPath, sandbox, respond),
          (err) => {
            logger.warn({ jobId: spec.jobId, reason: errorMessage(err) }, 'offer declined');
            respond({ orgId: config.orgId, jobId: spec.jobId, accepted: false, reason: errorMessage(err) });
          },
        )
        .finally(() => this.checkingImage.delete(spec.jobId));
      return;
    }
    this.startSession(offer, spec, dataPath, this.deps.sandbox, respond);
  }

  private startSession(offer: JobOffer, spec: JobSpec, dataPath: string, sandbox: Sandbox, respond: (decision: OfferDecision) => void): void {
    const { config, logger } = this.deps;
    logger.info({ jobId: spec.jobId, requester: spec.requester, dataset: spec.dataset.name, sandbox: sandbox.kind, image: spec.trainingImage?.reference }, 'offer accepted');
    respond({ orgId: config.orgId, jobId: spec.jobId, accepted: true, reason: '' });
    const session = new JobSession({
      orgId: config.orgId,
      spec,
      dataPath,
      coordinatorAddress: offer.coordinator,
      aggregatorAddress: offer.aggregator,
      sandbox,
      workDir: config.workDir,
      trainerTimeoutMs: config.trainer.timeoutSeconds * 1000,
      identity: this.identity as IdentityKeyPair,
      masks: this.masks,
      logger: logger.child({ jobId: spec.jobId }),
    });
    this.sessions.set(spec.jobId, { session, done: session.run() });
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    for (const { session } of this.sessions.values()) session.stop();
    await Promise.allSettled([...this.sessions.values()].map((s) => s.done));
    await this.loop;
    await this.masks.close();
  }
}
