/**
 * The agent's part in one accepted job: join, then for every task run the
 * trainer in the sandbox, pass what it produced through the output gate, and
 * send only that contribution to the aggregator (or report why there is
 * none). Each run, check and sending is audited; too many output violations
 * and the agent withdraws from the job.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AggregatorClient } from '../aggregator';
import { CoordinatorClient, type ReceivedTask } from '../coordinator';
import { errorMessage, hasCode } from '../common/errors';
import { channelCredentials } from '../common/grpc/tls-credentials';
import type { JobSpec } from '../common/job-spec';
import type { TlsMaterial } from '../common/pki';
import { settingsFromWire } from '../common/grpc/secagg-codec';
import { addGaussianNoise, clipL2 } from '../common/privacy';
import type { MaskExpander, IdentityKeyPair } from '../common/secagg';
import { sha256Hex } from '../common/signing';
import type { FitInstructions__Output } from '../proto/generated/shoal/v1/FitInstructions';
import type { Sandbox, SandboxExit, SandboxLimits } from './sandbox/sandbox';
import type { AgentAudit } from './agent-audit';
import { ContributionError } from './contribution-error';
import type { ModerationQueue } from './moderation-queue';
import type { OutputPolicy } from './output-check';
import { OutputGate, type OutputPlace, type PassedOutput } from './output-gate';
import { SecureContribution } from './secure-contribution';
import { brokenPromise } from './task-promises';
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

export class JobSession {
  private readonly coordinator: CoordinatorClient;
  private readonly aggregator: AggregatorClient;
  private readonly gate: OutputGate;
  private readonly stopping = new AbortController();
  private stopped = false;
  outcome = 'running';

  constructor(private readonly deps: JobSessionDeps) {
    // Each server must prove it is this job's coordinator or aggregator, not merely someone with a certificate.
    this.coordinator = new CoordinatorClient(deps.coordinatorAddress, channelCredentials(deps.tls, { role: 'coordinator', orgId: deps.spec.jobId }));
    this.aggregator = new AggregatorClient(deps.aggregatorAddress, 'participant-agent', channelCredentials(deps.tls, { role: 'aggregator', orgId: deps.spec.jobId }));
    this.gate = new OutputGate({ spec: deps.spec, policy: deps.outputPolicy, queue: deps.queue, audit: deps.audit, logger: deps.logger });
  }

  async run(): Promise<string> {
    const { spec, orgId, logger } = this.deps;
    try {
      await this.coordinator.join(spec.jobId, orgId, this.deps.identity.publicKey, 15_000);
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
          if (errors++ === 0) unreachableSince = Date.now();
          if (Date.now() - unreachableSince > COORDINATOR_GRACE_MS) throw err;
          logger.warn({ err: errorMessage(err), attempt: errors }, 'coordinator unreachable; retrying');
          await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** errors)));
          continue;
        }
        if (!task) continue;
        if (task.header.kind === 'TASK_KIND_FINISHED') {
          this.outcome = task.header.jobOutcome || 'finished';
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
      rmSync(join(this.deps.workDir, this.deps.spec.jobId), { recursive: true, force: true });
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
      logger.warn({ kind: header.kind }, 'unknown task kind ignored');
      return;
    }
    if (Date.now() > header.deadlineUnixMs) {
      logger.warn('task arrived after its deadline; skipped');
      return;
    }
    let secure: SecureContribution | undefined;
    /** The hash of the update once it started leaving. */
    let sending: string | undefined;
    try {
      const broken = brokenPromise(this.deps.spec, kind, task.header);
      if (broken) throw new ContributionError(broken.code, broken.message);
      if (header.secure) {
        const settings = settingsFromWire(header.secure, Object.keys(header.secure.identityKeys ?? {}).sort());
        // Keys are exchanged before training, while the whole cohort is online.
        secure = await SecureContribution.begin({
          aggregator: this.aggregator,
          identity: this.deps.identity,
          caller: { jobId: this.deps.spec.jobId, collectionId: header.collectionId, orgId: this.deps.orgId },
          settings,
          deadlineUnixMs: header.deadlineUnixMs,
          masks: this.deps.masks,
          roundingSeed: this.roundingSeed(kind, header.round),
          logger,
          onPhase: (phase) => logger.debug({ phase }, 'secure aggregation step done'),
        });
      }
      const place: OutputPlace = { round: header.round, collectionId: header.collectionId, kind, deadlineUnixMs: header.deadlineUnixMs };
      const checked = await this.train(kind, task, place, logger);
      await this.gate.release(place, checked, this.stopping.signal);
      const produced = privatized(checked, kind === 'fit' ? header.fit : null);
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
  private async train(kind: TrainerTask['kind'], task: ReceivedTask, place: OutputPlace, logger: Logger): Promise<PassedOutput> {
    const { spec } = this.deps;
    const runDir = join(this.deps.workDir, spec.jobId, task.header.collectionId);
    const inputDir = join(runDir, 'in');
    const outputDir = join(runDir, 'out');
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(inputDir, { recursive: true });
    mkdirSync(outputDir, { recursive: true });
    try {
      const fit = task.header.fit;
      const trainerTask: TrainerTask = {
        kind,
        jobId: spec.jobId,
        round: task.header.round,
        seed: spec.seed,
        dataset: { path: this.deps.sandbox.dataPathInside(this.deps.dataPath), features: spec.dataset.features, label: spec.dataset.label, labelType: spec.dataset.labelType, classes: spec.dataset.classes },
        validationFraction: spec.evaluation.validationFraction,
        model: spec.model,
        normalization: task.header.normalization ? { mean: task.header.normalization.mean, std: task.header.normalization.std } : null,
        fit: fit ? { mode: fit.mode === 'gradient' ? 'gradient' : 'train', localEpochs: fit.localEpochs, batchSize: fit.batchSize, learningRate: fit.learningRate, optimizer: fit.optimizer as 'adam', proximalMu: fit.proximalMu } : null,
      };
      writeFileSync(join(inputDir, TRAINER_FILES.task), JSON.stringify(trainerTask));
      if (task.model) writeFileSync(join(inputDir, TRAINER_FILES.model), Buffer.from(task.model.buffer, task.model.byteOffset, task.model.byteLength));
      const timeoutMs = Math.min(this.deps.trainerTimeoutMs, Math.max(1000, task.header.deadlineUnixMs - Date.now()));
      const { sandbox } = this.deps;
      const started = Date.now();
      const resources = spec.resources;
      const requested = resources ? { memoryBytes: resources.memoryMiB && resources.memoryMiB * 1024 * 1024, nanoCpus: resources.cpus && Math.round(resources.cpus * 1e9), pids: resources.pids } : undefined;
      const run = await sandbox.start({ inputDir, outputDir, dataPath: this.deps.dataPath, timeoutMs, labels: { job: spec.jobId, round: String(task.header.round), org: this.deps.orgId }, requested });
      const exit = await run.wait();
      const record = { sandbox: sandbox.kind, imageDigest: exit.imageDigest, exitCode: exit.exitCode, signal: exit.signal, timedOut: exit.timedOut, oomKilled: exit.oomKilled, outputTooLarge: exit.outputTooLarge, seconds: (Date.now() - started) / 1000 };
      this.deps.audit.record('sandbox.run', { jobId: spec.jobId, round: place.round, collectionId: place.collectionId, kind, ...record, limits: sandbox.limits });
      const failure = trainerFailure(exit, timeoutMs, sandbox.limits, () => readJson<TrainerFailure>(join(outputDir, TRAINER_FILES.error)));
      if (failure) {
        // The logs are the trainer's own stdout/stderr; it never prints tensors.
        logger.error({ run: record, code: failure.code, logs: exit.logs.slice(-2000) }, 'the trainer failed');
        throw failure;
      }
      logger.info({ run: record }, 'the trainer finished');
      return this.gate.inspect(place, outputDir);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  }
}

/**
 * Differential privacy at the participant, before anything leaves: the
 * update is clipped to the job's L2 bound, distributed noise is added, and
 * the weight becomes 1 when the job weighs participants uniformly.
 */
function privatized(produced: { weight: number; vector: Float32Array | Float64Array }, fit: FitInstructions__Output | null): { weight: number; vector: Float32Array | Float64Array } {
  if (!fit) return produced;
  let vector = produced.vector;
  if (fit.clipNorm > 0) vector = clipL2(vector, fit.clipNorm).vector;
  if (fit.noiseStd > 0) {
    const noisy = vector instanceof Float64Array ? vector : Float64Array.from(vector);
    addGaussianNoise(noisy, fit.noiseStd);
    vector = noisy;
  }
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
