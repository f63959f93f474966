/**
 * The agent's part in one accepted job: join, then for every task run the
 * trainer in the sandbox, pass what it produced through the output gate, and
 * send only that contribution to the aggregator (or report why there is
 * none). Each run, check and sending is audited; too many output violations
 * and the agent withdraws from the job.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AggregatorClient } from '../aggregator';
import { CoordinatorClient, type ReceivedTask, type RefusedTaskFacts } from '../coordinator';
import { errorMessage, hasCode, type ShoalError } from '../common/errors';
import { shownValue } from '../common/ids';
import { channelCredentials } from '../common/grpc/tls-credentials';
import type { JobSpec } from '../common/job-spec';
import { proveIdentityKey, type TlsMaterial } from '../common/pki';
import { settingsFromWire } from '../common/grpc/secagg-codec';
import { clipL2, skellamPrivatize } from '../common/privacy';
import type { MaskExpander, IdentityKeyPair } from '../common/secagg';
import { fewestSurvivorsOf } from '../common/round-plan';
import { sha256Hex } from '../common/signing';
import type { TaskHeader__Output } from '../proto/generated/shoal/v1/TaskHeader';
import type { Sandbox, SandboxExit, SandboxLimits } from './sandbox/sandbox';
import type { AgentAudit } from './agent-audit';
import { ContributionError } from './contribution-error';
import { ContributionLedger, modelRepeatedMessage } from './contribution-ledger';
import type { ModerationQueue } from './moderation-queue';
import type { OutputPolicy } from './output-check';
import { OutputGate, type OutputPlace, type PassedOutput } from './output-gate';
import { verifyPeerKeys } from './roster';
import { prepareRunFolder, removeJobRuns, removeRunFolder } from './run-folders';
import { PROJECTED_DATASET_FILE, writeProjectedDataset } from './sandbox/projected-dataset';
import { SecureContribution } from './secure-contribution';
import { approveJob, approvedFit, checkTask, rosterOf, TaskCounter, type ApprovedFit, type ApprovedJob, type RosterPolicy, type TaskRefusal, type TaskRefusalCode } from './task-check';
import { TRAINER_FILES, type TrainerFailure, type TrainerTask } from './trainer/trainer-contract';

export interface JobSessionDeps {
  orgId: string;
  spec: JobSpec;
  dataPath: string;
  coordinatorAddress: string;
  aggregatorAddress: string;
  sandbox: Sandbox;
  workDir: string;
  trainerTimeoutMs: number;
  /** Signs this participant's secure-aggregation messages. */
  identity: IdentityKeyPair;
  masks: MaskExpander;
  audit: AgentAudit;
  queue: ModerationQueue;
  outputPolicy: OutputPolicy;
  /** Whom the organisation masks with: its policy's privacy.minParticipantsPerRound and privacy.peers. */
  rosterPolicy: RosterPolicy;
  /** This organisation's certificate (its identity to the job's servers), the CA and revocation list. */
  tls: TlsMaterial;
  logger: Logger;
}

const TASK_KINDS = { TASK_KIND_STATISTICS: 'statistics', TASK_KIND_FIT: 'fit', TASK_KIND_EVALUATE: 'evaluate' } as const;
/** How long one NextTask call waits before asking again. */
const TASK_WAIT_MS = 30_000;
/**
 * How long the coordinator may stay unreachable before the job is given up:
 * long enough for its launcher to restart it and for it to resume from its
 * checkpoint.
 */
const COORDINATOR_GRACE_MS = 90_000;
/**
 * Refused tasks after which the agent leaves the job. An honest coordinator
 * sends none; one that keeps sending them would otherwise fill the audit log.
 */
const MAX_REFUSED_TASKS = 3;

/**
 * A refusal of the task-check rules or of the contribution ledger. The
 * ledger's refusals are this organisation's own rule, not a sign of a
 * hostile coordinator: an honest one sends such a retry after a real
 * aggregator crash, so they do not count toward MAX_REFUSED_TASKS.
 */
type SessionRefusal = Omit<TaskRefusal, 'code'> & { code: TaskRefusalCode | 'SECAGG_ALREADY_CONTRIBUTED' | 'SECAGG_MODEL_REPEATED' | 'CONTRIBUTION_LEDGER_CORRUPT'; countsAgainstCoordinator?: false };

export class JobSession {
  private readonly coordinator: CoordinatorClient;
  private readonly aggregator: AggregatorClient;
  private readonly gate: OutputGate;
  private readonly stopping = new AbortController();
  private stopped = false;
  /** What the organisation accepted, derived once from the signed spec and its policy; every task is checked against it. */
  private readonly approved: ApprovedJob;
  /** How often each round was asked for, and which collections were handled. */
  private readonly counter = new TaskCounter();
  private refusedTasks = 0;
  /** The masked inputs already sent in this job, or why the record cannot be trusted (then no secure task is taken). */
  private readonly ledger: ContributionLedger | ShoalError;
  outcome = 'running';

  constructor(private readonly deps: JobSessionDeps) {
    // Each server must prove it is this job's coordinator or aggregator, not merely someone with a certificate.
    this.coordinator = new CoordinatorClient(deps.coordinatorAddress, channelCredentials(deps.tls, { role: 'coordinator', orgId: deps.spec.jobId }));
    this.aggregator = new AggregatorClient(deps.aggregatorAddress, 'participant-agent', channelCredentials(deps.tls, { role: 'aggregator', orgId: deps.spec.jobId }));
    this.gate = new OutputGate({ spec: deps.spec, policy: deps.outputPolicy, queue: deps.queue, audit: deps.audit, logger: deps.logger });
    this.approved = approveJob(deps.spec, deps.orgId, deps.rosterPolicy);
    try {
      this.ledger = ContributionLedger.open(deps.workDir, deps.spec.jobId);
    } catch (err) {
      if (!hasCode(err, 'CONTRIBUTION_LEDGER_CORRUPT')) throw err;
      deps.logger.error({ err: errorMessage(err) }, 'the contribution ledger cannot be read; this job\'s secure tasks will be refused');
      this.ledger = err as ShoalError;
    }
  }

  async run(): Promise<string> {
    const { spec, orgId, logger } = this.deps;
    try {
      // The identity key travels with the proof that this organisation's certificate key vouches for it.
      const proof = proveIdentityKey(orgId, this.deps.identity.publicKey, this.deps.tls);
      await this.coordinator.join(spec.jobId, orgId, this.deps.identity.publicKey, proof, 15_000);
      this.deps.audit.record('job.joined', { jobId: spec.jobId, coordinator: this.deps.coordinatorAddress, aggregator: this.deps.aggregatorAddress });
      logger.info('joined job');
      let errors = 0;
      let unreachableSince = 0;
      while (!this.stopped) {
        let task: ReceivedTask | null;
        try {
          task = await this.coordinator.nextTask(spec.jobId, orgId, TASK_WAIT_MS);
          errors = 0;
        } catch (err) {
          if (hasCode(err, 'NOT_ADMITTED') || hasCode(err, 'UNKNOWN_JOB')) throw err;
          if (hasCode(err, 'INVALID_IDENTIFIER')) {
            await this.refuseMisnamedTask(err as ShoalError);
            throw err;
          }
          if (errors++ === 0) unreachableSince = Date.now();
          if (Date.now() - unreachableSince > COORDINATOR_GRACE_MS) throw err;
          logger.warn({ err: errorMessage(err), attempt: errors }, 'coordinator unreachable; retrying');
          await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** errors)));
          continue;
        }
        if (!task) continue;
        if (task.header.kind === 'TASK_KIND_FINISHED') {
          // The coordinator's words, bounded: they go into the audit log.
          this.outcome = task.header.jobOutcome ? task.header.jobOutcome.slice(0, 500) : 'finished';
          break;
        }
        await this.handle(task);
      }
    } catch (err) {
      this.outcome = `left the job: ${errorMessage(err)}`;
      logger.error({ err: errorMessage(err) }, 'left the job');
    } finally {
      this.coordinator.close();
      this.aggregator.close();
      // Only this job's runs: the organisation's records live outside <workDir>/runs.
      try {
        removeJobRuns(this.deps.workDir, spec.jobId);
      } catch (err) {
        logger.error({ err: errorMessage(err) }, 'the job\'s run folders could not be removed');
      }
      this.deps.queue.forgetJob(spec.jobId);
    }
    this.deps.audit.record('job.ended', { jobId: spec.jobId, outcome: this.outcome, outputViolations: this.gate.violationCount });
    logger.info({ outcome: this.outcome }, 'job session ended');
    return this.outcome;
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
  }

  private async handle(task: ReceivedTask): Promise<void> {
    const { header } = task;
    const kind = TASK_KINDS[header.kind as keyof typeof TASK_KINDS];
    const logger = this.deps.logger.child({ round: header.round, collection: header.collectionId });
    if (!kind) {
      await this.refuse(String(header.kind), header, { code: 'TASK_NOT_APPROVED', field: 'kind', message: `the job has statistics, fit and evaluate tasks, not ${shownValue(header.kind)}` }, logger);
      return;
    }
    if (Date.now() > header.deadlineUnixMs) {
      logger.warn('task arrived after its deadline; skipped');
      return;
    }
    // Before anything runs or is written: the task must be what the organisation accepted.
    // Of the bytes as received, hashed here: the model the trainer gets is this one, whatever a coordinator says it is.
    const modelSha256 = task.model ? sha256Hex(task.model) : null;
    const refusal = checkTask(this.approved, kind, header, this.counter) ?? (header.secure ? this.ledgerRefusal(kind, header, modelSha256) : null);
    if (refusal) {
      await this.refuse(kind, header, refusal, logger);
      return;
    }
    // The agent's own fit settings, for the trainer and for the noise it adds: derived from the spec, whatever the header said.
    const fit = kind === 'fit' ? approvedFit(this.deps.spec, rosterOf(header).length) : null;
    let secure: SecureContribution | undefined;
    /** The hash of the update once it started leaving. */
    let sending: string | undefined;
    try {
      if (header.secure) {
        const settings = settingsFromWire(header.secure, rosterOf(header));
        // Before any key is used: each peer's identity key must be bound to its own CA-signed certificate.
        const unverified = await verifyPeerKeys(settings, { orgId: this.deps.orgId, identityKey: this.deps.identity.publicKey }, { caCertificate: this.deps.tls.ca, revocationList: this.deps.tls.crlPem, now: new Date() });
        if (unverified) return await this.refuse(kind, header, unverified, logger);
        // ledgerRefusal already refused the task when the ledger could not be read; this only narrows the type.
        const ledger = this.ledger;
        if (!(ledger instanceof ContributionLedger)) throw ledger;
        // Keys are exchanged before training, while the whole cohort is online.
        secure = await SecureContribution.begin({
          aggregator: this.aggregator,
          identity: this.deps.identity,
          caller: { jobId: this.deps.spec.jobId, collectionId: header.collectionId, orgId: this.deps.orgId },
          settings,
          // Whatever survivor set the aggregator names, this input is unmasked only in a sum of at least the organisation's floor.
          minSurvivors: Math.max(this.approved.rosterFloor, fewestSurvivorsOf(this.deps.spec, rosterOf(header).length)),
          deadlineUnixMs: header.deadlineUnixMs,
          masks: this.deps.masks,
          roundingSeed: this.roundingSeed(kind, header.round),
          // On disk before the masked input leaves: a restarted agent must not send a second one for this round.
          beforeMaskedInputSent: () => ledger.recordContribution(header.round, kind, header.collectionId, modelSha256),
          logger,
          onPhase: (phase) => logger.debug({ phase }, 'secure aggregation step done'),
        });
      }
      const place: OutputPlace = { round: header.round, collectionId: header.collectionId, kind, deadlineUnixMs: header.deadlineUnixMs };
      const checked = await this.train(kind, task, fit, place, logger);
      await this.gate.release(place, checked, this.stopping.signal);
      const produced = privatized(checked, fit);
      // The update as it leaves this organisation, before masking (masked bytes look random and prove nothing).
      // Recorded before sending, so the head the coordinator receives already covers it.
      const where = { jobId: this.deps.spec.jobId, round: header.round, collectionId: header.collectionId, kind };
      const sha256 = sha256Hex(produced.vector);
      this.deps.audit.record('output.sending', { ...where, sha256, elements: produced.vector.length, dtype: produced.vector instanceof Float64Array ? 'float64' : 'float32', weight: produced.weight, secure: Boolean(secure) });
      this.deps.audit.publishHead(this.deps.spec.jobId);
      sending = sha256;
      if (secure) {
        await secure.submit(produced.vector, produced.weight);
      } else {
        const timeout = Math.max(5_000, header.deadlineUnixMs - Date.now() + 5_000);
        await this.aggregator.submit({ jobId: this.deps.spec.jobId, orgId: this.deps.orgId, collectionId: header.collectionId, weight: produced.weight, vector: produced.vector }, timeout);
      }
      this.deps.audit.record('output.sent', { ...where, sha256 });
      logger.info({ kind, weight: produced.weight, secure: Boolean(secure) }, 'contribution sent');
    } catch (err) {
      secure?.abandon();
      if (sending) this.deps.audit.record('output.send-failed', { jobId: this.deps.spec.jobId, round: header.round, collectionId: header.collectionId, kind, sha256: sending, reason: errorMessage(err) });
      const code = err instanceof ContributionError ? err.code : ((err as { code?: string }).code ?? 'TASK_FAILED');
      logger.error({ kind, code, err: errorMessage(err) }, 'no contribution this round');
      await this.report(header.collectionId, code, err instanceof ContributionError ? err.shared : errorMessage(err), logger);
      if (this.gate.withdrawn) await this.withdraw(header.collectionId, logger);
    }
  }

  /**
   * The rounding seed of this organisation's contribution to one round's
   * collection of a kind: its identity's (deterministic Ed25519) signature
   * over the job's seed, the round and the kind. Reproducible by this
   * organisation alone, the same for a retried collection, and different
   * from every other organisation's.
   */
  private roundingSeed(kind: string, round: number): string {
    const message = Buffer.from(`shoal:stochastic-rounding:${this.deps.spec.seed}:${round}:${kind}`);
    return sha256Hex(Buffer.from(this.deps.identity.sign(message)));
  }

  /**
   * A task the coordinator client refused because an identifier in it is
   * invalid (a collection id such as "../x", a roster org id, a round out of
   * range). Nothing was written for it; it is audited and reported, and the
   * agent then leaves the job: an honest coordinator never sends such a task,
   * and following one that does would only fill the audit log.
   */
  private async refuseMisnamedTask(err: ShoalError): Promise<void> {
    const facts = (err.details ?? {}) as Partial<RefusedTaskFacts> & { reason?: string };
    const { jobId } = this.deps.spec;
    const kind = facts.kind === undefined ? null : (TASK_KINDS[facts.kind as keyof typeof TASK_KINDS] ?? facts.kind);
    const reason = facts.reason ?? errorMessage(err);
    this.deps.audit.record('task.refused', { jobId, round: facts.round ?? null, collectionId: facts.collectionId ?? null, kind, code: 'INVALID_IDENTIFIER', field: facts.field ?? null, reason });
    this.deps.audit.publishHead(jobId);
    this.deps.logger.error({ code: 'INVALID_IDENTIFIER', field: facts.field }, 'refused a task with an invalid identifier; leaving the job');
    // The invalid id itself is not echoed back as a collection id; the message names it.
    await this.report(facts.collectionIdValid && facts.collectionId ? facts.collectionId : '', 'INVALID_IDENTIFIER', reason, this.deps.logger);
  }

  /**
   * At most one masked input per (round, kind) of the job, and per (model,
   * kind), across collections and agent restarts (see contribution-ledger.ts):
   * a retried secure collection of a round already contributed to, or a
   * model already securely fitted (or evaluated) in another round, is
   * refused before training. Neither counts toward MAX_REFUSED_TASKS: an
   * honest coordinator can send either after a crash it could not see through.
   */
  private ledgerRefusal(kind: string, header: TaskHeader__Output, modelSha256: string | null): SessionRefusal | null {
    if (!(this.ledger instanceof ContributionLedger)) {
      return { code: 'CONTRIBUTION_LEDGER_CORRUPT', message: `${this.ledger.message}; no secure task of this job is taken without it`, countsAgainstCoordinator: false };
    }
    const earlier = this.ledger.collectionOf(header.round, kind);
    if (earlier === undefined) {
      const sameModel = modelSha256 === null ? undefined : this.ledger.contributionWithModel(kind, modelSha256);
      if (!sameModel) return null;
      return { code: 'SECAGG_MODEL_REPEATED', field: 'model', message: modelRepeatedMessage(kind, header.round, sameModel), countsAgainstCoordinator: false };
    }
    return {
      code: 'SECAGG_ALREADY_CONTRIBUTED',
      field: 'collectionId',
      message: `a masked ${kind} input for round ${header.round} was already sent to collection ${earlier}; a second one would let the aggregator difference the two sums`,
      countsAgainstCoordinator: false,
    };
  }

  /**
   * Refuses a task that is not what the organisation accepted: audited as
   * task.refused and reported to the coordinator, with nothing written and
   * no trainer run. A repeated collection is only audited (see TaskRefusal).
   */
  private async refuse(kind: string, header: TaskHeader__Output, refusal: SessionRefusal, logger: Logger): Promise<void> {
    const { jobId } = this.deps.spec;
    this.deps.audit.record('task.refused', { jobId, round: header.round, collectionId: header.collectionId, kind, code: refusal.code, field: refusal.field ?? null, reason: refusal.message });
    this.deps.audit.publishHead(jobId);
    logger.warn({ kind, code: refusal.code, field: refusal.field }, 'task refused: it is not what the organisation accepted');
    if (!refusal.alreadyHandled) await this.report(header.collectionId, refusal.code, refusal.message, logger);
    if (refusal.countsAgainstCoordinator === false) return;
    if (++this.refusedTasks >= MAX_REFUSED_TASKS) {
      this.outcome = `left the job after ${this.refusedTasks} tasks that were not what the organisation accepted (last: ${refusal.code})`;
      logger.error({ refused: this.refusedTasks }, 'leaving the job: its coordinator keeps sending tasks the organisation did not accept');
      this.stop();
    }
  }

  private async report(collectionId: string, code: string, message: string, logger: Logger): Promise<void> {
    await this.coordinator
      .reportStatus({ jobId: this.deps.spec.jobId, orgId: this.deps.orgId, collectionId, code, message }, 10_000)
      .catch((reportErr) => logger.warn({ err: errorMessage(reportErr) }, 'could not report the failure'));
  }

  /** Leaves the job after too many output violations: its trainer cannot be trusted with this organisation's data. */
  private async withdraw(collectionId: string, logger: Logger): Promise<void> {
    const reason = `withdrew after ${this.gate.violationCount} output violation(s) (the organisation's limit is ${this.deps.outputPolicy.maxViolations})`;
    this.deps.audit.record('job.withdrawn', { jobId: this.deps.spec.jobId, reason });
    this.deps.audit.publishHead(this.deps.spec.jobId);
    logger.warn({ violations: this.gate.violationCount }, 'withdrawing from the job');
    await this.report(collectionId, 'PARTICIPANT_WITHDRAWN', reason, logger);
    this.outcome = reason;
    this.stop();
  }

  /** Runs the trainer on the task and returns its checked contribution. */
  private async train(kind: TrainerTask['kind'], task: ReceivedTask, fit: ApprovedFit | null, place: OutputPlace, logger: Logger): Promise<PassedOutput> {
    const { spec } = this.deps;
    const { runDir, inputDir, outputDir } = prepareRunFolder(this.deps.workDir, spec.jobId, task.header.collectionId);
    try {
      // The trainer gets a copy with the granted columns only (the job's features and label), removed with the run folder.
      const dataset = await writeProjectedDataset({ source: this.deps.dataPath, columns: [...spec.dataset.features, spec.dataset.label], target: join(runDir, PROJECTED_DATASET_FILE) });
      const trainerTask: TrainerTask = {
        kind,
        jobId: spec.jobId,
        round: task.header.round,
        seed: spec.seed,
        dataset: { path: this.deps.sandbox.dataPathInside(dataset.path), features: spec.dataset.features, label: spec.dataset.label, labelType: spec.dataset.labelType, classes: spec.dataset.classes },
        validationFraction: spec.evaluation.validationFraction,
        model: spec.model,
        normalization: task.header.normalization ? { mean: task.header.normalization.mean, std: task.header.normalization.std } : null,
        fit: fit ? { mode: fit.mode, localEpochs: fit.localEpochs, batchSize: fit.batchSize, learningRate: fit.learningRate, optimizer: fit.optimizer, proximalMu: fit.proximalMu } : null,
      };
      writeFileSync(join(inputDir, TRAINER_FILES.task), JSON.stringify(trainerTask));
      if (task.model) writeFileSync(join(inputDir, TRAINER_FILES.model), Buffer.from(task.model.buffer, task.model.byteOffset, task.model.byteLength));
      const timeoutMs = Math.min(this.deps.trainerTimeoutMs, Math.max(1000, task.header.deadlineUnixMs - Date.now()));
      const { sandbox } = this.deps;
      const started = Date.now();
      const resources = spec.resources;
      const requested = resources ? { memoryBytes: resources.memoryMiB && resources.memoryMiB * 1024 * 1024, nanoCpus: resources.cpus && Math.round(resources.cpus * 1e9), pids: resources.pids } : undefined;
      const run = await sandbox.start({ inputDir, outputDir, dataPath: dataset.path, dataIsRunCopy: true, timeoutMs, labels: { job: spec.jobId, round: String(task.header.round), org: this.deps.orgId }, requested });
      const exit = await run.wait();
      const record = { sandbox: sandbox.kind, imageDigest: exit.imageDigest, exitCode: exit.exitCode, signal: exit.signal, timedOut: exit.timedOut, oomKilled: exit.oomKilled, outputTooLarge: exit.outputTooLarge, seconds: (Date.now() - started) / 1000 };
      this.deps.audit.record('sandbox.run', { jobId: spec.jobId, round: place.round, collectionId: place.collectionId, kind, ...record, limits: sandbox.limits, weakened: sandbox.weakened });
      const failure = trainerFailure(exit, timeoutMs, sandbox.limits, () => readJson<TrainerFailure>(join(outputDir, TRAINER_FILES.error)));
      if (failure) {
        // The logs are the trainer's own stdout/stderr; it never prints tensors.
        logger.error({ run: record, code: failure.code, logs: exit.logs.slice(-2000) }, 'the trainer failed');
        throw failure;
      }
      logger.info({ run: record }, 'the trainer finished');
      return this.gate.inspect(place, outputDir);
    } finally {
      removeRunFolder(this.deps.workDir, spec.jobId, runDir);
    }
  }
}

/**
 * Differential privacy at the participant, before anything leaves: the
 * update is clipped to the job's L2 bound, and the weight becomes 1 when the
 * job weighs participants uniformly. In distributed mode the update then
 * goes through the Skellam mechanism (common/privacy/skellam.ts): scaled,
 * rounded to integers within the sensitivity bound and noised, every draw
 * from the OS CSPRNG, fresh for every attempt. `fit` is what the agent
 * derived from the accepted spec, never the coordinator's header, so the
 * granularity and the noise are the organisation's own. The integers go out
 * as float64 (exact below 2^53), which only a secure collection takes.
 */
function privatized(produced: { weight: number; vector: Float32Array | Float64Array }, fit: ApprovedFit | null): { weight: number; vector: Float32Array | Float64Array } {
  if (!fit) return produced;
  let vector = produced.vector;
  if (fit.clipNorm > 0) vector = clipL2(vector, fit.clipNorm).vector;
  if (fit.skellam) return { weight: 1, vector: skellamPrivatize(vector, fit.skellam) };
  // What leaves keeps the trainer's dtype, which a plain collection checks.
  if (produced.vector instanceof Float32Array && !(vector instanceof Float32Array)) vector = Float32Array.from(vector);
  return { weight: fit.weighting === 'uniform' ? 1 : produced.weight, vector };
}

/** Why a trainer run produced no contribution, as a stable code; null when it succeeded. */
function trainerFailure(exit: SandboxExit, timeoutMs: number, limits: SandboxLimits | null, reported: () => TrainerFailure | undefined): ContributionError | null {
  const mib = (bytes: number | undefined): string => (bytes === undefined ? 'unknown' : `${Math.round(bytes / (1024 * 1024))} MiB`);
  if (exit.cancelled) return new ContributionError('TRAINER_CANCELLED', 'the trainer was stopped before it finished');
  if (exit.timedOut) return new ContributionError('TRAINER_TIMEOUT', `the trainer did not finish within ${timeoutMs} ms`);
  if (exit.oomKilled) return new ContributionError('TRAINER_OUT_OF_MEMORY', `the trainer was killed: out of memory (limit ${mib(limits?.memoryBytes)})`);
  if (exit.outputTooLarge) return new ContributionError('OUTPUT_TOO_LARGE', `the trainer wrote more than its output limit (${mib(limits?.outputBytes)})`);
  if (exit.exitCode === 0) return null;
  const failure = reported();
  if (failure?.code && failure.message) {
    // The trainer's own words stay here; only a well-formed code leaves.
    const code = typeof failure.code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(failure.code) ? failure.code : 'TRAINER_FAILED';
    return new ContributionError(code, String(failure.message).slice(0, 2000), `the trainer reported ${code} (its message stays at the organisation)`);
  }
  return new ContributionError('TRAINER_FAILED', `the trainer exited with ${exit.exitCode === null ? 'no exit code' : `code ${exit.exitCode}`}${exit.signal ? ` (${exit.signal})` : ''}`);
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
