/**
 * The round state machine of one job: admission, federated preprocessing,
 * then per round cohort → fit → aggregate → server step → evaluate → event
 * (the coordinator checkpoints after each). It sees only aggregates, never
 * a single update. A collection whose aggregator is lost (killed, restarted)
 * is retried under a new name at the aggregator that comes back: the lost
 * one took its partial sum with it, so no update can count twice.
 */
import type { Logger } from 'pino';
import type { AggregatorClient, CollectedAggregate } from '../aggregator';
import { errorMessage, hasCode, ShoalError } from '../common/errors';
import { summarizeEvaluation, evaluationVectorLength } from '../common/evaluation-metrics';
import type { JobSpec } from '../common/job-spec';
import { normalizationFromSums } from '../common/normalization';
import type { TaskHeader } from '../proto/generated/shoal/v1/TaskHeader';
import type { Dtype } from '../proto/generated/shoal/v1/Dtype';
import { DifferentialPrivacy, type FitInstructions } from './strategies';
import { settingsToWire, type SecureCollectionSettings } from '../common/grpc/secagg-codec';
import type { IdentityProof } from '../common/pki';
import { secureCollectionOf } from '../common/round-plan';
import { selectCohort } from './cohort';
import type { PrivacyBudget } from './privacy-budget';
import { CoordinatorError } from './errors';
import type { JobEventPublisher, RoundMetrics } from './job-events';
import type { Normalization } from './job-checkpoint';
import type { ParticipantRegistry, Task } from './participant-registry';
import type { Strategy, StrategyState } from './strategies';

/** The aggregator's "org: reason" lines as a map. */
function missingReasons(missing: string[]): Map<string, string> {
  return new Map(missing.map((line) => {
    const colon = line.indexOf(': ');
    return colon < 0 ? [line, 'no contribution'] : [line.slice(0, colon), line.slice(colon + 2)];
  }));
}

export interface RoundRecord {
  round: number;
  contributors: string[];
  missing: string[];
  trainingExamples: number;
  metrics: RoundMetrics | null;
  seconds: number;
  /** ε spent after this round at the job's δ; null without differential privacy. */
  epsilonSpent: number | null;
  /** How many times the round's fit collection was opened: more than 1 when its aggregator was lost. */
  attempts: number;
  /**
   * Set when the round made no model step: too few of the cohort could take
   * part, because the members in `alreadyContributed` had sent a masked input
   * to an earlier attempt of the round (SECAGG_ALREADY_CONTRIBUTED) or of the
   * same model in an earlier round (SECAGG_MODEL_REPEATED) and send no second.
   * The next round then sends the same model, to the others only.
   */
  skipped?: { reason: string; alreadyContributed: string[] };
}

export interface JobRunnerDeps {
  spec: JobSpec;
  registry: ParticipantRegistry;
  aggregator: AggregatorClient;
  strategy: Strategy;
  events: JobEventPublisher;
  logger: Logger;
  /** How many times a coordinator has started for this job, this one included: collections of a restarted coordinator get new names. */
  starts: number;
  initialWeights: { vector: Float32Array; tensors: Array<{ name: string; shape: number[] }> };
  /** Resolves every time a participant joins or an organisation's decision arrives. */
  changes: { next(): Promise<void> };
  declined: Map<string, string>;
}

/** Margin on top of a collection's deadline for the aggregate to stream back. */
const COLLECT_MARGIN_MS = 30_000;
/** Opening a collection is retried this long while the aggregator is unreachable (restarting). */
const AGGREGATOR_WAIT_MS = 60_000;
/** A collection is opened at most this many times when its aggregator is lost. */
const MAX_COLLECTION_ATTEMPTS = 3;

/**
 * What an agent reports when it already sent a masked input to an earlier
 * collection of the same round and kind, or of the same model and kind in an
 * earlier round: it sends none to this one.
 */
const ALREADY_CONTRIBUTED_CODES = new Set(['SECAGG_ALREADY_CONTRIBUTED', 'SECAGG_MODEL_REPEATED']);

/** A collection that failed its quorum because members had contributed to an earlier attempt or an earlier round of the model; the round can only be skipped. */
function retryWithoutQuorum(err: unknown): string[] | null {
  if (!hasCode(err, 'QUORUM_NOT_MET')) return null;
  const orgs = (err as ShoalError).details?.alreadyContributed;
  return Array.isArray(orgs) && orgs.length > 0 ? (orgs as string[]) : null;
}

/** Errors that mean the aggregator (not the participants) failed the collection. */
function aggregatorLost(err: unknown): boolean {
  return hasCode(err, 'GRPC_UNAVAILABLE') || hasCode(err, 'UNKNOWN_COLLECTION') || hasCode(err, 'SHUTTING_DOWN') || hasCode(err, 'GRPC_CANCELLED');
}

export class JobRunner {
  readonly rounds: RoundRecord[] = [];
  normalization: Normalization | null = null;
  weights: Float32Array;
  private readonly failures = new Map<string, string>();
  /** Members of the collection under way that refused it: they sent their masked input to an earlier attempt. */
  private readonly alreadyContributed = new Set<string>();
  private currentCollection = '';
  private strategy: Strategy;
  /** Attempts of the collection under way. */
  private lastAttempts = 1;
  /** Set once admission is over, when the job runs with differential privacy. */
  privacy: PrivacyBudget | null = null;

  constructor(private readonly deps: JobRunnerDeps) {
    this.weights = deps.initialWeights.vector;
    this.strategy = deps.strategy;
  }

  /** From now on participants clip (and in distributed mode add noise) and every round is accounted. */
  usePrivacy(budget: PrivacyBudget, dp: { mode: 'central' | 'distributed'; clipNorm: number }): void {
    this.privacy = budget;
    this.strategy = new DifferentialPrivacy(this.deps.strategy, dp.mode === 'distributed'
      ? { mode: 'distributed', clipNorm: dp.clipNorm, noiseStd: (cohortSize) => budget.noiseStdFor(cohortSize) }
      : { mode: 'central', clipNorm: dp.clipNorm, noiseMultiplier: budget.noiseMultiplier });
  }

  /** Where a resumed job stood at its checkpoint. */
  restore(state: { weights: Float32Array; normalization: Normalization | null; rounds: RoundRecord[]; strategy: StrategyState }): void {
    this.weights = state.weights;
    this.normalization = state.normalization;
    this.rounds.push(...state.rounds);
    this.strategy.loadState(state.strategy);
    // The accountant replays the rounds it has charged, as recordRound charges a live round: at the floor the roster's
    // participants enforce, not at the recorded contributor count. A round's roster is those who contributed and those who did not.
    // A skipped round is charged too (its first attempt may have been unmasked), at the floor like any other.
    for (const record of state.rounds) {
      const roster = record.contributors.length + record.missing.length;
      this.privacy?.recordRound(record.skipped ? roster : record.contributors.length, roster);
    }
  }

  /** The model's tensor manifest (names and shapes), in weight-vector order. */
  get tensors(): Array<{ name: string; shape: number[] }> {
    return this.deps.initialWeights.tensors;
  }

  strategyState(): StrategyState {
    return this.strategy.saveState();
  }

  /** Called by the servicer when a participant reports it cannot contribute. */
  async onFailureReport(report: { orgId: string; collectionId: string; code: string; message: string }): Promise<void> {
    const reason = `${report.code}: ${report.message}`;
    this.deps.logger.warn({ org: report.orgId, collection: report.collectionId, code: report.code }, 'participant reported a failure');
    this.failures.set(report.orgId, reason);
    if (ALREADY_CONTRIBUTED_CODES.has(report.code) && report.collectionId && report.collectionId === this.currentCollection) this.alreadyContributed.add(report.orgId);
    if (report.code === 'PARTICIPANT_WITHDRAWN' && this.deps.registry.withdraw(report.orgId, reason)) {
      const { spec, events } = this.deps;
      events.publish({ type: 'participant.dropped', jobId: spec.jobId, at: new Date().toISOString(), orgId: report.orgId, reason });
    }
    if (report.collectionId && report.collectionId === this.currentCollection) {
      await this.deps.aggregator.markDropped({ jobId: this.deps.spec.jobId, collectionId: report.collectionId, orgId: report.orgId, reason }, 10_000).catch((err) => {
        this.deps.logger.warn({ err: errorMessage(err) }, 'could not tell the aggregator about a dropped participant');
      });
    }
  }

  async admit(): Promise<string[]> {
    const { spec, registry, declined, logger } = this.deps;
    const deadline = Date.now() + spec.admissionSeconds * 1000;
    while (registry.size + declined.size < spec.invitedOrgs.length && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.deps.changes.next(), new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
    }
    registry.closeAdmission();
    const participants = registry.active();
    const notAnswered = spec.invitedOrgs.filter((org) => !participants.includes(org) && !declined.has(org));
    for (const org of notAnswered) declined.set(org, `did not join within ${spec.admissionSeconds} s`);
    this.deps.events.publish({ type: 'job.admitted', jobId: spec.jobId, at: new Date().toISOString(), participants, declined: [...declined].map(([orgId, reason]) => ({ orgId, reason })) });
    logger.info({ participants: participants.length, declined: declined.size }, 'admission closed');
    if (participants.length < spec.minParticipants) {
      throw new CoordinatorError('QUORUM_NOT_MET', `only ${participants.length} of ${spec.invitedOrgs.length} invited organisations joined; the job needs ${spec.minParticipants}`, { declined: Object.fromEntries(declined) });
    }
    return participants;
  }

  async preprocess(): Promise<void> {
    const { spec } = this.deps;
    if (!spec.preprocessing.normalize) return;
    const columns = spec.dataset.features.length;
    const result = await this.collect('statistics', 0, this.deps.registry.active(), 1 + 2 * columns, 'DTYPE_FLOAT64', (header) => ({ header: { ...header, kind: 'TASK_KIND_STATISTICS' } }));
    const stats = normalizationFromSums(result.weightedSum, columns);
    this.normalization = { mean: stats.mean, std: stats.std };
    this.deps.events.publish({ type: 'job.preprocessed', jobId: spec.jobId, at: new Date().toISOString(), examples: result.weightedSum[0] });
  }

  /**
   * The cohort of a round: a seeded sample of the active participants that
   * have not yet sent a masked update of the current model (see
   * modelContributors).
   */
  cohortOf(round: number): string[] {
    const { spec, registry } = this.deps;
    const contributed = this.modelContributors();
    return selectCohort(registry.active().filter((org) => !contributed.has(org)), spec.fractionPerRound, spec.minParticipants, spec.seed, round);
  }

  /**
   * Who has already sent a masked fit input of the model the next round
   * sends: after skipped rounds (no model step) it is the same model, and
   * each of them refuses it again (SECAGG_MODEL_REPEATED), rightly: two
   * sums of one model over rosters that differ by a member would give that
   * member's update. Read from the round records, so a coordinator restored
   * from its checkpoint knows it too; empty after a round that stepped.
   */
  private modelContributors(): Set<string> {
    const contributed = new Set<string>();
    for (let i = this.rounds.length - 1; i >= 0; i--) {
      const skipped = this.rounds[i].skipped;
      if (!skipped) break;
      for (const org of skipped.alreadyContributed) contributed.add(org);
    }
    return contributed;
  }

  async runRound(round: number): Promise<RoundRecord> {
    const { strategy, privacy } = this;
    const started = Date.now();
    const cohort = this.cohortOf(round);
    this.refuseRepeatedModel(round, cohort);
    const fit = strategy.fitInstructions(round, cohort.length);
    const model = { vector: this.weights, tensors: this.deps.initialWeights.tensors };
    let update: CollectedAggregate;
    try {
      update = await this.collect('fit', round, cohort, this.weights.length, 'DTYPE_FLOAT32', (header) => ({
        header: { ...header, kind: 'TASK_KIND_FIT', fit, model: { elementCount: model.vector.length, dtype: 'DTYPE_FLOAT32', tensors: model.tensors } },
        model,
      }), fit);
    } catch (err) {
      const alreadyContributed = retryWithoutQuorum(err);
      if (!alreadyContributed) throw err;
      return this.skipRound(round, cohort, alreadyContributed, errorMessage(err), started);
    }
    const mean = update.weightedSum.map((value) => value / update.totalWeight);
    this.weights = strategy.serverStep(this.weights, mean, round, update.contributors.length);
    // Charged at the roster's enforced floor; the aggregator's contributor count is only information (see PrivacyBudget).
    privacy?.recordRound(update.contributors.length, cohort.length);
    const attempts = this.lastAttempts;
    const metrics = await this.evaluate(round);
    const record: RoundRecord = {
      round,
      contributors: update.contributors,
      missing: update.missing,
      // Under DP every contributor weighs 1, so the total weight is no longer an example count.
      trainingExamples: fit.weighting === 'examples' ? Math.round(update.totalWeight) : 0,
      metrics,
      seconds: (Date.now() - started) / 1000,
      epsilonSpent: privacy ? privacy.epsilonSpent : null,
      attempts,
    };
    this.rounds.push(record);
    const { spec } = this.deps;
    this.deps.events.publish({ type: 'round.completed', jobId: spec.jobId, at: new Date().toISOString(), rounds: spec.training.rounds, ...record });
    return record;
  }

  /**
   * After skipped rounds, ends the job when those that have not yet sent an
   * update of the unchanged model are fewer than the job's minimum: another
   * round would only be skipped again (and no round may sum the model twice).
   */
  private refuseRepeatedModel(round: number, cohort: string[]): void {
    const { spec, registry } = this.deps;
    const contributed = this.modelContributors();
    if (contributed.size === 0 || cohort.length >= spec.minParticipants) return;
    const active = registry.active();
    const already = active.filter((org) => contributed.has(org)).sort();
    const skippedRound = this.rounds.at(-1)?.round;
    throw new CoordinatorError(
      'MODEL_ALREADY_AGGREGATED',
      `round ${round}: ${already.length} of ${active.length} active participants (${already.join(', ')}) already sent an update of this model, which round ${skippedRound} left unchanged; the ${active.length - already.length} others are fewer than the job's minimum of ${spec.minParticipants}, and a second sum of the same model would expose the difference`,
      { round, alreadyContributed: already, minParticipants: spec.minParticipants },
    );
  }

  /**
   * A fit round whose retried collection could not reach its quorum without
   * a second masked input from members that had sent one: no server step
   * (the model stays as it was), and a record that says why and who, so no
   * update is lost silently. The unchanged model is not evaluated again.
   */
  private async skipRound(round: number, cohort: string[], alreadyContributed: string[], reason: string, started: number): Promise<RoundRecord> {
    const { spec, logger } = this.deps;
    logger.warn({ round, alreadyContributed }, 'round skipped: its retried collection lacks a quorum of members that had not contributed yet');
    // The lost attempt may have been unmasked by its aggregator: charge the round as if it had been released (at the enforced floor).
    this.privacy?.recordRound(cohort.length, cohort.length);
    const attempts = this.lastAttempts;
    const record: RoundRecord = {
      round,
      contributors: [],
      missing: [...cohort],
      trainingExamples: 0,
      // No evaluation: the model did not change, and evaluating it again would let an aggregator difference two exact sums of the same model.
      metrics: null,
      seconds: (Date.now() - started) / 1000,
      epsilonSpent: this.privacy ? this.privacy.epsilonSpent : null,
      attempts,
      skipped: { reason, alreadyContributed },
    };
    this.rounds.push(record);
    this.deps.events.publish({ type: 'round.completed', jobId: spec.jobId, at: new Date().toISOString(), rounds: spec.training.rounds, ...record });
    return record;
  }

  /** Evaluates the current global model on every active participant's validation rows; only the sums come back. */
  private async evaluate(round: number): Promise<RoundMetrics | null> {
    const { spec } = this.deps;
    const model = { vector: this.weights, tensors: this.deps.initialWeights.tensors };
    try {
      const result = await this.collect('evaluate', round, this.deps.registry.active(), evaluationVectorLength(spec.dataset.labelType), 'DTYPE_FLOAT64', (header) => ({
        header: { ...header, kind: 'TASK_KIND_EVALUATE', model: { elementCount: model.vector.length, dtype: 'DTYPE_FLOAT32', tensors: model.tensors } },
        model,
      }));
      const summary = summarizeEvaluation(result.weightedSum, spec.dataset.labelType);
      // Only the metrics the spec declares are released; loss always is, as the training signal.
      const declared = new Set<string>(spec.evaluation.metrics);
      return { examples: summary.examples, loss: summary.loss, accuracy: declared.has('accuracy') ? summary.accuracy : null, auc: declared.has('auc') ? summary.auc : null };
    } catch (err) {
      // Training continues without this round's metrics if too few participants evaluated.
      if (!hasCode(err, 'QUORUM_NOT_MET')) throw err;
      this.deps.logger.warn({ round, err: errorMessage(err) }, 'evaluation skipped');
      return null;
    }
  }

  /**
   * One collection: open it at the aggregator, hand the cohort its task,
   * wait for the weighted sum. When the aggregator is lost on the way, the
   * collection is opened again under a new name, with a fresh deadline.
   * A retry (attempt 2 on, or any collection of a restarted coordinator) is
   * completed from the members that had not yet sent a masked input for
   * this round and kind: the others refuse it (SECAGG_ALREADY_CONTRIBUTED),
   * so an aggregator faking a loss cannot difference two sums of the same
   * updates; members that sent one for this model in an earlier round refuse
   * it too (SECAGG_MODEL_REPEATED). Without a quorum of the rest it fails
   * with QUORUM_NOT_MET naming them in details.alreadyContributed (a fit
   * round is then skipped).
   */
  private async collect(kind: string, round: number, cohort: string[], elementCount: number, dtype: Dtype, task: (header: TaskHeader) => Task, fit?: FitInstructions): Promise<CollectedAggregate> {
    const { spec, registry, events, logger } = this.deps;
    if (cohort.length < spec.minParticipants) {
      throw new CoordinatorError('QUORUM_NOT_MET', `round ${round}: only ${cohort.length} participants remain active; the job needs ${spec.minParticipants}`);
    }
    for (let attempt = 1; ; attempt++) {
      const collectionId = this.collectionId(kind, round, attempt);
      try {
        const result = await this.collectOnce(collectionId, round, cohort, elementCount, dtype, task, fit);
        this.lastAttempts = attempt;
        return result;
      } catch (err) {
        this.lastAttempts = attempt;
        // Not only on a retry: a member can refuse a first attempt too, for a model it sent an update of in a collection that then failed.
        if (hasCode(err, 'QUORUM_NOT_MET') && this.alreadyContributed.size > 0) {
          const alreadyContributed = [...this.alreadyContributed].sort();
          const what = attempt > 1 || this.deps.starts > 1 ? `a retry of round ${round}'s ${kind}` : `round ${round}'s ${kind}`;
          throw new CoordinatorError('QUORUM_NOT_MET', `collection ${collectionId} (${what}): ${alreadyContributed.join(', ')} had already sent a masked input of this round or this model and send no second; the rest are too few (${errorMessage(err)})`, { alreadyContributed }, err);
        }
        if (!aggregatorLost(err)) throw err;
        if (attempt >= MAX_COLLECTION_ATTEMPTS) {
          throw new CoordinatorError('AGGREGATOR_LOST', `collection ${collectionId}: the aggregator was lost ${attempt} times (${errorMessage(err)}); the job stops here`, {}, err);
        }
        logger.warn({ collection: collectionId, attempt, err: errorMessage(err) }, 'the aggregator was lost during the collection; it is retried at a fresh aggregator');
        events.publish({ type: 'collection.retried', jobId: spec.jobId, at: new Date().toISOString(), round, kind, collectionId, attempt: attempt + 1, reason: errorMessage(err) });
        // Tasks of the lost collection that no participant picked up yet would only fail there.
        for (const org of cohort) registry.clearQueued(org);
      }
    }
  }

  /**
   * `fit-3` normally; `fit-3-s<start>-a<attempt>` for a restarted coordinator
   * or a retried collection, so no name is ever opened twice. No dots: agents
   * refuse ids outside common/ids.ts's pattern.
   */
  private collectionId(kind: string, round: number, attempt: number): string {
    const base = `${kind}-${round}`;
    return this.deps.starts === 1 && attempt === 1 ? base : `${base}-s${this.deps.starts}-a${attempt}`;
  }

  private async collectOnce(collectionId: string, round: number, cohort: string[], elementCount: number, dtype: Dtype, task: (header: TaskHeader) => Task, fit?: FitInstructions): Promise<CollectedAggregate> {
    const { spec, aggregator, registry } = this.deps;
    const deadline = Date.now() + spec.roundDeadlineSeconds * 1000;
    this.failures.clear();
    this.alreadyContributed.clear();
    this.currentCollection = collectionId;
    const secure = this.secureSettings(cohort, elementCount, fit);
    const secureWire = secure ? settingsToWire(secure) : undefined;
    await this.open({ jobId: spec.jobId, collectionId, expectedOrgs: cohort, minContributors: spec.minParticipants, elementCount, dtype, deadlineUnixMs: deadline, secure: secureWire });
    const header: TaskHeader = { round, collectionId, deadlineUnixMs: deadline, normalization: this.normalization ?? undefined, secure: secureWire };
    for (const org of cohort) registry.send(org, task(header));
    try {
      // Secure collections run their unmasking phases after the deadline.
      const unmasking = secure ? 2 * secure.phaseTimeoutMs : 0;
      const result = await aggregator.collect(spec.jobId, collectionId, deadline - Date.now() + COLLECT_MARGIN_MS + unmasking);
      for (const org of result.contributors) registry.recordContribution(org);
      this.recordMisses(cohort.filter((org) => !result.contributors.includes(org) && !this.alreadyContributed.has(org)), round, missingReasons(result.missing));
      return result;
    } catch (err) {
      // When members refused because they already contributed to this round, the quorum failed for that reason,
      // not for the others: nobody missed the round (the round is skipped instead).
      if (hasCode(err, 'QUORUM_NOT_MET') && this.alreadyContributed.size === 0) this.recordMisses(cohort, round, (err as ShoalError).message);
      throw err;
    } finally {
      this.currentCollection = '';
    }
  }

  /** Opens a collection, waiting while the aggregator is unreachable (a restart takes a few seconds). */
  private async open(request: Parameters<AggregatorClient['openCollection']>[0]): Promise<void> {
    const giveUp = Date.now() + AGGREGATOR_WAIT_MS;
    for (let wait = 250; ; wait = Math.min(2000, wait * 2)) {
      try {
        await this.deps.aggregator.openCollection(request, 10_000);
        return;
      } catch (err) {
        if (!hasCode(err, 'GRPC_UNAVAILABLE') || Date.now() + wait > giveUp) throw err;
        this.deps.logger.warn({ collection: request.collectionId, err: errorMessage(err) }, 'the aggregator is unreachable; waiting for it');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /**
   * Secure-aggregation settings of one collection, or undefined when the job
   * aggregates in the clear. Model updates are quantised (their weight as one
   * extra element); statistics and evaluation sums are encoded exactly. Every
   * value but the keys comes from common/round-plan, from which each
   * participant derives them again to check them.
   */
  private secureSettings(cohort: string[], elementCount: number, fit: FitInstructions | undefined): SecureCollectionSettings | undefined {
    const { spec, registry } = this.deps;
    const contribution = fit ? { kind: 'update' as const, elementCount, clipNorm: fit.clipNorm, noiseStd: fit.noiseStd, weighting: fit.weighting } : { kind: 'sums' as const, elementCount };
    const plan = secureCollectionOf(spec, contribution, cohort.length);
    if (!plan) return undefined;
    // Each member's proof travels with its key: the participants take neither on this coordinator's word.
    const identityProofs = new Map<string, IdentityProof>();
    for (const org of cohort) {
      const proof = registry.get(org).identityProof;
      if (proof) identityProofs.set(org, proof);
    }
    return { ...plan, identityKeys: new Map(cohort.map((org) => [org, registry.get(org).identityKey])), identityProofs };
  }

  /** Records the cohort members that did not contribute; a reported failure explains best, then the aggregator's reason. */
  private recordMisses(orgs: string[], round: number, reasons: Map<string, string> | string = 'no contribution before the round deadline'): void {
    const { spec, registry, events, logger } = this.deps;
    for (const org of orgs) {
      const reason = this.failures.get(org) ?? (typeof reasons === 'string' ? reasons : reasons.get(org) ?? 'no contribution before the round deadline');
      if (registry.recordMiss(org, reason, spec.maxMissedRounds)) {
        logger.warn({ org, round, reason }, 'participant dropped');
        events.publish({ type: 'participant.dropped', jobId: spec.jobId, at: new Date().toISOString(), orgId: org, reason });
      }
    }
  }
}
