import type { ModerationPolicy } from '../policy-schema';
import type { Rule } from '../rule';

/** Only requesters the policy names may offer jobs; their `approval` says whether a person must also agree. */
export function requesterRule(policy: ModerationPolicy): Rule {
  return {
    name: 'requester',
    evaluate({ spec }) {
      const requester = policy.requesters[spec.requester];
      if (!requester) return { rule: 'requester', outcome: 'deny', reason: `requester "${spec.requester}" is not named in this organisation's policy` };
      if (requester.approval === 'auto') return { rule: 'requester', outcome: 'allow', reason: `requester "${spec.requester}" is approved automatically` };
      return { rule: 'requester', outcome: 'ask', reason: `offers from requester "${spec.requester}" need approval: a person must approve this one` };
    },
  };
}
