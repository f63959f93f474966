/**
 * Pre-execution moderation of one screened offer: the organisation's policy
 * chain decides allow, deny or ask; "ask" puts the offer in the moderation
 * queue until a person decides or the offer expires (then it is declined).
 * A person's approval overrides "ask", never "deny": the chain runs again
 * before the job is accepted, so a budget spent or a window closed meanwhile
 * still declines. Every step lands in the audit log; the final decision is
 * signed and published for the regulator and the job's coordinator.
 * A person's decision binds to the offer's SHA-256: one made on another
 * offer of the same job id is discarded unapplied, and an offer that differs
 * from the one already decided is declined (OFFER_CHANGED).
 */
import type { Logger } from 'pino';
import type { Bus } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { signDecision } from '../common/offer-protocol';
import type { IdentityKeyPair } from '../common/secagg';
import type { JobSpec } from '../common/job-spec';
import type { AgentConfig } from './agent-config';
import type { AgentAudit } from './agent-audit';
import type { HumanDecision, ModerationQueue } from './moderation-queue';
import type { ScreenedOffer } from './offer';
import { evaluatePolicy, policyRules, type OfferContext, type PolicyDecision, type Rule } from './policy';
import type { PrivacyLedger } from './privacy-ledger';

export interface Verdict {
  accepted: boolean;
  decidedBy: 'policy' | 'person';
  /** The deciding rule, or the person. */
  decider: string | null;
  reason: string;
}

export interface OfferModeratorDeps {
  config: AgentConfig;
  audit: AgentAudit;
  queue: ModerationQueue;
  ledger: PrivacyLedger;
  identity: IdentityKeyPair;
  bus: Bus;
  logger: Logger;
  /** Parameter count of a declared model (builds it once). */
  countParameters(model: JobSpec['model']): number;
}

function firstReason(decision: PolicyDecision, outcome: 'deny' | 'ask'): string {
  return decision.reasons.find((r) => r.outcome === outcome)?.reason ?? outcome;
}

export class OfferModerator {
  private readonly rules: Rule[];

  constructor(private readonly deps: OfferModeratorDeps) {
    this.rules = policyRules(deps.config.policy);
  }

  private async evaluate(offer: ScreenedOffer, modelParameters: number): Promise<PolicyDecision> {
    const { config, ledger } = this.deps;
    const context: OfferContext = {
      spec: offer.spec,
      orgId: config.orgId,
      now: new Date(),
      localDatasets: Object.keys(config.datasets),
      modelParameters,
      epsilonSpent: (dataset) => ledger.spent(dataset),
    };
    const decision = await evaluatePolicy(this.rules, context);
    this.deps.audit.record('offer.evaluated', { jobId: offer.spec.jobId, outcome: decision.outcome, decidingRule: decision.decidingRule, verdicts: decision.reasons });
    return decision;
  }

  /**
   * The policy's (or a person's) verdict on the offer; `onQueued` fires when
   * it waits for a person. Nothing is recorded as decided until `settle`.
   */
  async decide(offer: ScreenedOffer, onQueued: () => void, signal: AbortSignal): Promise<Verdict> {
    const { spec } = offer;
    const modelParameters = this.deps.countParameters(spec.model);
    const decision = await this.evaluate(offer, modelParameters);
    if (decision.outcome === 'deny') return { accepted: false, decidedBy: 'policy', decider: decision.decidingRule, reason: firstReason(decision, 'deny') };
    if (decision.outcome === 'allow') return { accepted: true, decidedBy: 'policy', decider: 'policy', reason: 'every rule allowed the offer' };
    this.deps.queue.enqueue({
      jobId: spec.jobId,
      offerSha256: offer.offerSha256,
      requester: spec.requester,
      receivedAt: new Date().toISOString(),
      expiresAt: offer.body.expiresAt,
      spec,
      coordinator: offer.body.coordinator,
      aggregator: offer.body.aggregator,
      dataPath: offer.dataPath,
      reasons: decision.reasons,
      modelParameters,
    });
    this.deps.audit.record('offer.queued', { jobId: spec.jobId, asking: decision.reasons.filter((r) => r.outcome === 'ask').map((r) => r.rule), expiresAt: offer.body.expiresAt });
    this.deps.logger.info({ jobId: spec.jobId, reason: firstReason(decision, 'ask') }, 'offer waits for a person: shoal agent show / approve / reject');
    onQueued();
    const human = await this.deps.queue.waitForDecision(spec.jobId, offer.offerSha256, new Date(offer.body.expiresAt), { signal, onStale: (stale) => this.refuseStaleDecision(offer, stale) });
    if (human === 'expired') return { accepted: false, decidedBy: 'policy', decider: 'expiry', reason: `no one decided before the offer expired at ${offer.body.expiresAt}` };
    if (human === 'aborted') {
      // The signed decline says so; a stale entry would only mislead a person at `shoal agent pending`.
      this.deps.queue.forgetJob(spec.jobId);
      return { accepted: false, decidedBy: 'policy', decider: 'shutdown', reason: 'the agent stopped before anyone decided' };
    }
    const verdict: Verdict = { accepted: human.approve, decidedBy: 'person', decider: human.by, reason: human.reason };
    if (verdict.accepted) {
      const again = await this.evaluate(offer, modelParameters);
      if (again.outcome === 'deny') {
        return { accepted: false, decidedBy: 'policy', decider: again.decidingRule, reason: `approved by ${human.by}, but the policy now denies it: ${firstReason(again, 'deny')}` };
      }
    }
    return verdict;
  }

  /**
   * Makes a verdict final: records it and, for an accepted DP job, charges
   * the ε it may spend to the dataset. Synchronous, so two offers moderated
   * at once cannot both fit the same remaining budget.
   */
  settle(offer: ScreenedOffer, proposed: Verdict): Verdict {
    const { spec } = offer;
    const dp = spec.differentialPrivacy;
    const verdict = proposed.accepted ? this.withinBudget(offer, proposed) : proposed;
    if (verdict.accepted && dp) {
      const spentBefore = this.deps.ledger.spent(spec.dataset.name);
      this.deps.ledger.record({ dataset: spec.dataset.name, jobId: spec.jobId, epsilon: dp.epsilon, delta: dp.delta, requester: spec.requester });
      this.deps.audit.record('privacy.ledger', { jobId: spec.jobId, dataset: spec.dataset.name, epsilon: dp.epsilon, delta: dp.delta, spentBefore });
    }
    this.deps.audit.record('offer.decision', { jobId: spec.jobId, offerSha256: offer.offerSha256, accepted: verdict.accepted, decidedBy: verdict.decidedBy, decider: verdict.decider, reason: verdict.reason }, verdict.decidedBy === 'person' ? (verdict.decider ?? undefined) : undefined);
    this.deps.logger.info({ jobId: spec.jobId, accepted: verdict.accepted, decidedBy: verdict.decidedBy, decider: verdict.decider, reason: verdict.reason }, verdict.accepted ? 'offer accepted' : 'offer declined');
    return verdict;
  }

  /**
   * A person's decision on another offer of this job (the requester replaced
   * the offer, after a restart say): recorded, never applied; the offer now
   * waiting needs its own decision.
   */
  private refuseStaleDecision(offer: ScreenedOffer, stale: HumanDecision): void {
    const jobId = offer.spec.jobId;
    const decidedOfferSha256 = typeof stale.offerSha256 === 'string' ? stale.offerSha256 : null;
    const reason = `${stale.by} ${stale.approve ? 'approved' : 'rejected'} ${decidedOfferSha256 === null ? 'an offer the decision does not name' : `offer ${decidedOfferSha256}`}, not offer ${offer.offerSha256} now waiting; it waits for its own decision`;
    this.deps.audit.record('offer.decision-refused', { jobId, code: 'OFFER_CHANGED', offerSha256: offer.offerSha256, decidedOfferSha256, approve: stale.approve === true, by: stale.by, reason }, typeof stale.by === 'string' ? stale.by : undefined);
    this.deps.logger.warn({ jobId, code: 'OFFER_CHANGED', offerSha256: offer.offerSha256, decidedOfferSha256 }, 'a decision on another offer of this job was discarded; the offer waits for its own decision');
  }

  /**
   * An authentic offer for a job this agent already answered (or is
   * answering) under another offer hash: declined with OFFER_CHANGED, and
   * neither remembered nor moderated, so the earlier answer stays that
   * offer's alone. Returns the refusal for the sender.
   */
  refuseChangedOffer(offer: ScreenedOffer, knownOfferSha256: string | null): string {
    const jobId = offer.spec.jobId;
    const reason = `job ${jobId} was already offered here as ${knownOfferSha256 === null ? 'an offer the audit log does not name' : `offer ${knownOfferSha256}`}; this is offer ${offer.offerSha256}, and an answer applies only to the offer it was given for`;
    this.deps.audit.record('offer.refused', { jobId, code: 'OFFER_CHANGED', reason, authentic: true, offerSha256: offer.offerSha256, knownOfferSha256 });
    this.deps.logger.warn({ jobId, code: 'OFFER_CHANGED', offerSha256: offer.offerSha256, knownOfferSha256 }, 'offer refused: it differs from the offer of this job already answered');
    this.announce(jobId, offer.offerSha256, { accepted: false, decidedBy: 'policy', decider: 'screening', reason: `OFFER_CHANGED: ${reason}` });
    return `OFFER_CHANGED: ${reason}`;
  }

  /** The budget check again, at the moment of charging: other jobs may have been accepted since the rules ran. */
  private withinBudget(offer: ScreenedOffer, verdict: Verdict): Verdict {
    const { spec } = offer;
    const budget = this.deps.config.policy.privacy.budgets[spec.dataset.name]?.epsilon;
    if (budget === undefined) return verdict;
    const epsilon = spec.differentialPrivacy?.epsilon ?? Number.POSITIVE_INFINITY;
    const spent = this.deps.ledger.spent(spec.dataset.name);
    if (spent + epsilon <= budget + 1e-9) return verdict;
    return { accepted: false, decidedBy: 'policy', decider: 'privacy', reason: `dataset "${spec.dataset.name}" has ε ${Math.max(0, budget - spent)} of its budget ${budget} left; the job may spend ${epsilon}` };
  }

  /** Sends the signed decision; the reason, and which rule or person decided, leave only if the policy shares them. */
  announce(jobId: string, offerSha256: string, verdict: Verdict): void {
    const { config, identity, bus, audit } = this.deps;
    const share = config.policy.shareDecisionReasons;
    const decider = share ? verdict.decider : null;
    bus.publish(subjects.decisions(jobId, config.orgId), signDecision({ jobId, orgId: config.orgId, accepted: verdict.accepted, decidedBy: verdict.decidedBy, decider, reason: share ? verdict.reason : '', at: new Date().toISOString(), auditHead: audit.head(), offerSha256 }, identity));
  }
}
