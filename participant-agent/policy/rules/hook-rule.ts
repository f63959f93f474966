import { errorMessage } from '../../../common/errors';
import { consultHook } from '../external-hook';
import type { ModerationPolicy } from '../policy-schema';
import type { Rule } from '../rule';

/** The organisation's own program or endpoint has the last word; no usable answer is a deny. */
export function hookRule(policy: ModerationPolicy): Rule {
  const hook = policy.hook;
  return {
    name: 'hook',
    costly: hook !== undefined,
    async evaluate({ orgId, spec, modelParameters, now }) {
      if (!hook) return { rule: 'hook', outcome: 'allow', reason: 'the policy sets no hook' };
      try {
        const answer = await consultHook(hook, { orgId, spec, modelParameters, at: now.toISOString() });
        return { rule: 'hook', outcome: answer.decision, reason: `the hook answered ${answer.decision}: ${answer.reason}` };
      } catch (err) {
        return { rule: 'hook', outcome: 'deny', reason: errorMessage(err) };
      }
    },
  };
}
