/**
 * One job's coordinator: its gRPC server, its bus subscriptions and the job
 * runner, wired together. `run()` drives the job to its end and always
 * leaves a report behind, whether the job completed or failed. It
 * checkpoints after preprocessing and after every round; started again on
 * the same output folder (after a crash), it resumes from the newest
 * checkpoint instead of starting over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AggregatorClient } from '../aggregator';
import type { Bus, BusSubscription } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { writeFileAtomic } from '../common/atomic-file';
import { errorMessage, ShoalError } from '../common/errors';
import { startServer, stopServer } from '../common/grpc/calls';
import { addLimitedService, COORDINATOR_CALL_LIMITS } from '../common/grpc/call-limits';
import { certificateAuthorizer, revokedSerials } from '../common/grpc/peer-auth';
import { channelCredentials, serverCredentials } from '../common/grpc/tls-credentials';
import type { TlsMaterial } from '../common/pki';
import { shoalProto } from '../common/grpc/proto';
import type { JobSpec } from '../common/job-spec';
import { buildModel, needsConvolutionGradients } from '../common/model/build-model';
import { getWeightsVector } from '../common/model/model-weights';
import { selectBackend, type BackendName } from '../common/model/tf-backend';
import { coordinatorHandlers } from './coordinator-service';
import { JobEventPublisher, type JobStatus, type RoundMetrics } from './job-events';
import { CheckpointStore, type JobCheckpoint } from './job-checkpoint';
import { selectCohort } from './cohort';
import { JobOutputs } from './job-outputs';
import { JobRunner, type RoundRecord } from './job-runner';
import { JobTranscript, type TranscriptSummary } from './job-transcript';
import { publicKeyText, sha256Hex } from '../common/signing';
import { ParticipantRegistry } from './participant-registry';
import { PrivacyBudget } from './privacy-budget';
import { privacyReportOf, type PrivacyReport } from './privacy-report';
import { createStrategy } from './strategies';

export interface CoordinatorOptions {
  spec: JobSpec;
  outDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  bus: Bus;
  aggregatorAddress: string;
  logger: Logger;
  /** Mutual TLS: this coordinator's certificate (role coordinator, named after the job), the CA and revocation list. */
  tls: TlsMaterial;
  /** Started again after a crash: resume from the newest checkpoint in outDir rather than start the job over. */
  resume: boolean;
}

export interface JobReport {
  jobId: string;
  status: 'completed' | 'failed';
  error: { code: string; message: string } | null;
  backend: BackendName;
  strategy: JobSpec['strategy'];
  training: JobSpec['training'];
  participants: {
    invited: string[];
    admitted: string[];
    declined: Array<{ orgId: string; reason: string }>;
    dropped: Array<{ orgId: string; reason: string }>;
    /** Every organisation's signed decision, as received. */
    decisions: TranscriptSummary['decisions'];
  };
  /** Both sides' records: each participant's last signed audit-chain head, and this coordinator's signed transcript. */
  audit: { participantHeads: TranscriptSummary['auditHeads']; transcript: TranscriptSummary['transcript'] };
  roundsCompleted: number;
  /** How many times a coordinator started for this job (1 unless it was restarted), and the checkpoint the last one resumed from. */
  restarts: { starts: number; resumedFromRound: number | null };
  /** Why training stopped before the planned rounds (the privacy budget), or null. */
  stoppedEarly: string | null;
  /** Which protections ran, the ε spent and exactly what it covers. */
  privacy: PrivacyReport;
  perRound: RoundRecord[];
  finalMetrics: RoundMetrics | null;
  modelPath: string | null;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
}

/** The longest cancellation reason kept: it goes into the report and the transcript. */
const MAX_CANCEL_REASON = 500;

/** Wakes the admission loop whenever something it waits for happens. */
class ChangeSignal {
  private waiters: Array<() => void> = [];
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export class Coordinator {
  private server: grpc.Server | undefined;
  private readonly registry: ParticipantRegistry;
  private readonly aggregator: AggregatorClient;
  private readonly outputs: JobOutputs;
  private readonly events: JobEventPublisher;
  private readonly transcript: JobTranscript;
  private readonly changes = new ChangeSignal();
  private readonly declined = new Map<string, string>();
  private readonly subscriptions: BusSubscription[] = [];
  private runner: JobRunner | undefined;
  /** Aborted (with the JOB_CANCELLED error) when the regulator cancels the job. */
  private readonly cancellation = new AbortController();
  /** Cleared once training is over: from then on the job finishes as it is and a cancel is refused. */
  private cancellable = true;
  private readonly checkpoints: CheckpointStore;
  /** The checkpoint this coordinator resumes from; null for a fresh job. */
  private readonly resumeFrom: JobCheckpoint | null;
  /** This coordinator's start for the job: 1, or more after restarts. */
  private readonly starts: number;
  /** Who was admitted when admission closed. */
  private admitted: string[] = [];
  port = 0;

  constructor(private readonly options: CoordinatorOptions) {
    const { spec, outDir, logger } = options;
    this.registry = new ParticipantRegistry(spec.invitedOrgs);
    this.aggregator = new AggregatorClient(options.aggregatorAddress, 'coordinator', channelCredentials(options.tls, { role: 'aggregator', orgId: spec.jobId }));
    this.outputs = new JobOutputs(outDir);
    this.events = new JobEventPublisher(options.bus, spec.jobId, spec.training.rounds, outDir);
    this.starts = countStart(outDir, options.resume);
    this.checkpoints = new CheckpointStore(outDir, spec, options.resume);
    const { checkpoint, skipped } = options.resume ? this.checkpoints.latest() : { checkpoint: null, skipped: [] };
    for (const damaged of skipped) logger.warn({ round: damaged.round, reason: damaged.reason }, 'a checkpoint could not be used');
    this.resumeFrom = checkpoint;
    if (checkpoint) logger.warn({ round: checkpoint.round, starts: this.starts }, 'restarted: resuming from the last checkpoint');
    else if (this.starts > 1) logger.warn({ starts: this.starts }, 'restarted, but no usable checkpoint exists: the job starts over');
    this.transcript = new JobTranscript(spec, outDir, logger, checkpoint ? { snapshot: checkpoint.progress.transcript, fromRound: checkpoint.round, starts: this.starts } : undefined);
  }

  get status(): JobStatus {
    return this.events.status;
  }

  async start(): Promise<number> {
    const { spec, logger } = this.options;
    const auth = certificateAuthorizer({ jobId: spec.jobId, revokedSerials: await revokedSerials(this.options.tls) });
    const { server, port } = await startServer(
      (s) =>
        addLimitedService(s, shoalProto().coordinator.shoal.v1.Coordinator.service, COORDINATOR_CALL_LIMITS, coordinatorHandlers({
          jobId: spec.jobId,
          requireIdentityKey: spec.secureAggregation.enabled,
          registry: this.registry,
          logger,
          onJoin: (orgId) => {
            // A join outranks an earlier decline: that decline answered a different (e.g. forged) offer.
            this.declined.delete(orgId);
            const identityKey = this.registry.get(orgId).identityKey;
            this.transcript.onJoin(orgId, identityKey.length > 0 ? publicKeyText(identityKey) : undefined);
            this.changes.notify();
          },
          onRejoin: (orgId) => {
            logger.info({ org: orgId }, 'a dropped participant is back; it rejoins from the next round');
            this.transcript.record('participant.rejoined', { orgId });
            this.events.publish({ type: 'participant.rejoined', jobId: spec.jobId, at: new Date().toISOString(), orgId });
          },
          onFailureReport: (report) => void this.runner?.onFailureReport(report),
          auth,
        })),
      this.options.host,
      this.options.port,
      serverCredentials(this.options.tls),
    );
    this.server = server;
    this.port = port;
    this.listen();
    logger.info({ port }, 'coordinator listening');
    return port;
  }

  private listen(): void {
    const { bus, spec } = this.options;
    const decisions = bus.subscribe(subjects.decisions(spec.jobId, '*'));
    const auditHeads = bus.subscribe(subjects.auditHeads(spec.jobId, '*'));
    const statusRequests = bus.subscribe(subjects.status(spec.jobId));
    const cancelRequests = bus.subscribe<{ reason?: unknown }>(subjects.cancel(spec.jobId));
    this.subscriptions.push(decisions, auditHeads, statusRequests, cancelRequests);
    void (async () => {
      for await (const message of decisions) {
        const decision = this.transcript.acceptDecision(message.data, subjects.publisherOf(message.subject));
        if (decision && !decision.accepted && !this.declined.has(decision.orgId) && !this.registry.has(decision.orgId)) {
          this.declined.set(decision.orgId, decision.reason || 'declined (the organisation keeps its reason to itself)');
          this.changes.notify();
        }
      }
    })();
    void (async () => {
      for await (const message of auditHeads) this.transcript.acceptAuditHead(message.data, subjects.publisherOf(message.subject));
    })();
    void (async () => {
      for await (const message of statusRequests) message.respond(this.events.status);
    })();
    void (async () => {
      for await (const message of cancelRequests) {
        const request = message.data as unknown;
        const wellFormed = typeof request === 'object' && request !== null && !Array.isArray(request) && ['string', 'undefined'].includes(typeof (request as { reason?: unknown }).reason);
        message.respond(wellFormed ? this.cancel((request as { reason?: string }).reason) : { accepted: false, reason: 'a cancel request is a JSON object with an optional "reason" string' });
      }
    })();
  }

  /** The regulator's cancel request (only regulator certificates may publish it): the job fails with JOB_CANCELLED. */
  private cancel(reason: unknown): { accepted: boolean; reason?: string } {
    if (!this.cancellable) return { accepted: false, reason: `job ${this.options.spec.jobId} is already finishing (${this.events.status.state})` };
    const given = typeof reason === 'string' && reason.trim() ? reason.trim().slice(0, MAX_CANCEL_REASON) : 'no reason given';
    if (!this.cancellation.signal.aborted) {
      this.options.logger.warn({ reason: given }, 'cancelled by the regulator');
      this.cancellation.abort(new ShoalError('JOB_CANCELLED', `cancelled by the regulator: ${given}`, { component: 'coordinator' }));
    }
    return { accepted: true };
  }

  /** Runs one phase of the job unless the regulator cancels it first; then the phase is left behind and the job fails. */
  private async unlessCancelled<T>(start: () => Promise<T>): Promise<T> {
    const signal = this.cancellation.signal;
    signal.throwIfAborted();
    const work = start();
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async run(): Promise<JobReport> {
    const { spec, logger } = this.options;
    const startedAt = new Date();
    const backend = await selectBackend({ needsConvolutionGradients: needsConvolutionGradients(spec.model), logger });
    const model = buildModel(spec.model, spec.seed);
    const runner = new JobRunner({
      spec,
      registry: this.registry,
      aggregator: this.aggregator,
      strategy: createStrategy(spec.strategy, spec.training),
      events: this.events,
      logger,
      starts: this.starts,
      initialWeights: getWeightsVector(model),
      changes: this.changes,
      declined: this.declined,
    });
    this.runner = runner;
    this.events.publish({ type: 'job.started', jobId: spec.jobId, at: startedAt.toISOString(), invited: spec.invitedOrgs, coordinator: `${this.options.host}:${this.port}`, aggregator: this.options.aggregatorAddress });
    let error: JobReport['error'] = null;
    let modelPath: string | null = null;
    let stoppedEarly: string | null = null;
    try {
      const resumed = this.resumeFrom;
      if (resumed) {
        this.resume(runner, resumed);
      } else {
        this.admitted = await this.unlessCancelled(() => runner.admit()).finally(() => this.transcript.record('admission.closed', { admitted: this.registry.active(), declined: Object.fromEntries(this.declined) }));
        if (spec.differentialPrivacy) this.planPrivacy(runner, this.admitted);
        await this.unlessCancelled(() => runner.preprocess());
        this.checkpoint(runner, 0);
      }
      for (let round = (resumed?.round ?? 0) + 1; round <= spec.training.rounds; round++) {
        if (runner.privacy && !runner.privacy.allowsAnotherRound(runner.cohortOf(round).length)) {
          stoppedEarly = `privacy budget: round ${round} could take ε past ${spec.differentialPrivacy?.epsilon} (spent ${runner.privacy.epsilonSpent.toFixed(3)})`;
          logger.warn({ round, epsilonSpent: runner.privacy.epsilonSpent }, 'privacy budget reached; training ends');
          this.events.publish({ type: 'job.budget-reached', jobId: spec.jobId, at: new Date().toISOString(), round, epsilonSpent: runner.privacy.epsilonSpent, epsilonBudget: spec.differentialPrivacy?.epsilon ?? 0 });
          break;
        }
        const record = await this.unlessCancelled(() => runner.runRound(round));
        this.transcript.record('round.completed', { round, contributors: record.contributors, missing: record.missing, modelSha256: sha256Hex(runner.weights), epsilonSpent: record.epsilonSpent, attempts: record.attempts });
        this.checkpoint(runner, round);
        logger.info({ round, contributors: record.contributors.length, metrics: record.metrics, epsilonSpent: record.epsilonSpent }, 'round completed');
      }
      this.cancellation.signal.throwIfAborted();
      this.cancellable = false;
      modelPath = await this.outputs.writeFinalModel(model, runner.weights, spec, runner.normalization);
    } catch (err) {
      error = { code: err instanceof ShoalError ? err.code : 'INTERNAL', message: errorMessage(err) };
      logger.error({ err: error }, 'job failed');
    }
    this.cancellable = false;
    model.dispose();
    const finishedAt = new Date();
    const last = runner.rounds.at(-1);
    try {
      this.transcript.record('job.finished', { status: error ? 'failed' : 'completed', error, roundsCompleted: runner.rounds.length, modelSha256: modelPath ? sha256Hex(runner.weights) : null });
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'could not record the end of the job in the transcript');
    }
    this.transcript.discardKey();
    const attested = this.transcript.summary();
    const report: JobReport = {
      jobId: spec.jobId,
      status: error ? 'failed' : 'completed',
      error,
      backend,
      strategy: spec.strategy,
      training: spec.training,
      participants: {
        invited: spec.invitedOrgs,
        admitted: this.registry.all().map((p) => p.orgId).sort(),
        declined: [...this.declined].map(([orgId, reason]) => ({ orgId, reason })),
        dropped: this.registry.all().filter((p) => p.state === 'dropped').map((p) => ({ orgId: p.orgId, reason: p.droppedReason ?? '' })),
        decisions: attested.decisions,
      },
      audit: { participantHeads: attested.auditHeads, transcript: attested.transcript },
      roundsCompleted: runner.rounds.length,
      restarts: { starts: this.starts, resumedFromRound: this.resumeFrom?.round ?? null },
      stoppedEarly,
      privacy: privacyReportOf(spec, this.firstRosterSize(), runner.privacy?.summary() ?? null),
      perRound: runner.rounds,
      finalMetrics: last?.metrics ?? null,
      modelPath,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    };
    try {
      this.outputs.writeReport(report);
    } catch (err) {
      // The outcome still goes out on the bus; the regulator learns why the file is missing from the log.
      logger.error({ err: errorMessage(err), path: this.outputs.reportPath }, 'could not write the report');
    }
    const at = finishedAt.toISOString();
    if (error) this.events.publish({ type: 'job.failed', jobId: spec.jobId, at, code: error.code, message: error.message, reportPath: this.outputs.reportPath });
    else this.events.publish({ type: 'job.completed', jobId: spec.jobId, at, reportPath: this.outputs.reportPath, modelPath: modelPath ?? '', metrics: report.finalMetrics });
    await this.registry.finishAll(error ? `failed: ${error.message}` : 'completed', 3000);
    await this.aggregator.endJob(spec.jobId, 5000).catch((err) => logger.warn({ err: errorMessage(err) }, 'could not end the job at the aggregator'));
    return report;
  }

  /** A restarted coordinator takes the job back from its checkpoint: who is in, the model, the optimizer, the accounting. */
  private resume(runner: JobRunner, checkpoint: JobCheckpoint): void {
    const { spec } = this.options;
    const progress = checkpoint.progress;
    this.registry.restore(progress.participants);
    for (const { orgId, reason } of progress.declined) this.declined.set(orgId, reason);
    this.admitted = progress.admitted;
    if (spec.differentialPrivacy) this.planPrivacy(runner, this.admitted);
    runner.restore({ weights: checkpoint.weights, normalization: checkpoint.normalization, rounds: progress.rounds as RoundRecord[], strategy: checkpoint.strategy });
    this.events.publish({ type: 'job.resumed', jobId: spec.jobId, at: new Date().toISOString(), fromRound: checkpoint.round, starts: this.starts });
  }

  /** Everything a restarted coordinator needs, after admission (round 0) and after every round. */
  private checkpoint(runner: JobRunner, round: number): void {
    const path = this.checkpoints.write({
      round,
      weights: runner.weights,
      tensors: runner.tensors,
      normalization: runner.normalization,
      strategy: runner.strategyState(),
      progress: {
        participants: this.registry.snapshot(),
        declined: [...this.declined].map(([orgId, reason]) => ({ orgId, reason })),
        admitted: this.admitted,
        rounds: runner.rounds,
        transcript: this.transcript.snapshot(),
      },
    });
    this.options.logger.debug({ round, path }, 'checkpoint written');
  }

  /** The first round's roster among those admitted (as planPrivacy draws it), for the report's secure-aggregation figures. */
  private firstRosterSize(): number {
    const { spec } = this.options;
    return this.admitted.length ? selectCohort(this.admitted, spec.fractionPerRound, spec.minParticipants, spec.seed, 1).length : 0;
  }

  /** Differential privacy for the admitted participants: calibrates the noise and starts accounting. */
  private planPrivacy(runner: JobRunner, admitted: string[]): void {
    const { spec, logger } = this.options;
    const dp = spec.differentialPrivacy;
    if (!dp) return;
    // The first round's cohort among those admitted: the same plan whether the job is fresh or resumed.
    const cohort = selectCohort(admitted, spec.fractionPerRound, spec.minParticipants, spec.seed, 1);
    // No sampling rate: the cohort is public (sent as the roster), so accounting credits no amplification.
    const budget = new PrivacyBudget({ ...spec, differentialPrivacy: dp }, cohort.length);
    runner.usePrivacy(budget, dp);
    logger.info({ mode: dp.mode, epsilon: dp.epsilon, delta: dp.delta, noiseMultiplier: budget.noiseMultiplier, clipNorm: dp.clipNorm }, 'differential privacy planned');
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.aggregator.close();
    if (this.server) await stopServer(this.server);
    this.server = undefined;
  }
}

/** Counts this start of a coordinator for the job in its output folder: 1 for a fresh job, one more for each resumption. */
function countStart(outDir: string, resume: boolean): number {
  const path = join(outDir, 'coordinator-starts');
  const previous = resume && existsSync(path) ? Number.parseInt(readFileSync(path, 'utf8'), 10) : 0;
  const starts = (Number.isSafeInteger(previous) && previous > 0 ? previous : 0) + 1;
  writeFileAtomic(path, `${starts}\n`);
  return starts;
}
