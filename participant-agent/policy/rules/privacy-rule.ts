import type { JobSpec } from '../../../common/job-spec';
import type { ModerationPolicy } from '../policy-schema';
import { verdictFrom, type OfferContext, type Rule } from '../rule';

// Leaves room for decimal ε values that sum exactly to a budget (0.1 + 0.2 > 0.3 in floating point).
const EPSILON_SLACK = 1e-9;

/**
 * The smallest number of organisations one round may combine. A job may run
 * with as few as minParticipants, and samples fractionPerRound of them per
 * round, so that product (rounded up, at least one) is the worst case.
 */
export function smallestCohort(spec: JobSpec): number {
  return Math.max(1, Math.ceil(spec.fractionPerRound * spec.minParticipants));
}

/**
 * The organisation's privacy floor (secure aggregation, cohort size,
 * differential privacy within bounds) and each local dataset's lifetime ε
 * budget, checked against the privacy ledger.
 */
export function privacyRule(policy: ModerationPolicy): Rule {
  const floor = policy.privacy;
  const budgetProblem = ({ spec, epsilonSpent }: OfferContext): string | undefined => {
    const name = spec.dataset.name;
    const budget = floor.budgets[name];
    if (!budget) return undefined;
    const dp = spec.differentialPrivacy;
    if (!dp) return `dataset "${name}" has a privacy budget (ε ${budget.epsilon}) and a job without differential privacy spends an unbounded ε`;
    const spent = epsilonSpent(name);
    if (spent + dp.epsilon > budget.epsilon + EPSILON_SLACK) {
      return `ε ${dp.epsilon} for this job plus ε ${spent} already spent on dataset "${name}" exceeds its budget of ε ${budget.epsilon}`;
    }
    return undefined;
  };
  return {
    name: 'privacy',
    evaluate(context) {
      const { spec } = context;
      const problems: string[] = [];
      if (floor.requireSecureAggregation && !spec.secureAggregation.enabled) problems.push('the policy requires secure aggregation and the job turns it off');
      const cohort = smallestCohort(spec);
      if (cohort < floor.minParticipantsPerRound) {
        problems.push(`a round may combine only ${cohort} organisation(s) (minParticipants ${spec.minParticipants} × fractionPerRound ${spec.fractionPerRound}), below privacy.minParticipantsPerRound ${floor.minParticipantsPerRound}`);
      }
      // A pinned roster would refuse every round that includes an unpinned organisation: say no now instead.
      const unpinned = floor.peers ? spec.invitedOrgs.filter((org) => org !== context.orgId && !floor.peers?.includes(org)) : [];
      if (unpinned.length > 0) problems.push(`the job invites ${unpinned.join(', ')}, not among privacy.peers`);
      const required = floor.differentialPrivacy;
      const dp = spec.differentialPrivacy;
      if (required && !dp) problems.push('the policy requires differential privacy and the job has none');
      if (required && dp && dp.epsilon > required.maxEpsilon) problems.push(`differentialPrivacy.epsilon ${dp.epsilon} is above privacy.differentialPrivacy.maxEpsilon ${required.maxEpsilon}`);
      if (required && dp && dp.delta > required.maxDelta) problems.push(`differentialPrivacy.delta ${dp.delta} is above privacy.differentialPrivacy.maxDelta ${required.maxDelta}`);
      const overBudget = budgetProblem(context);
      if (overBudget) problems.push(overBudget);
      return verdictFrom('privacy', problems, `the job meets the privacy floor (rounds of at least ${cohort} organisations${dp ? `, ε ${dp.epsilon}` : ''})`);
    },
  };
}
