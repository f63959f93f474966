import type { ModerationPolicy } from '../policy-schema';
import type { Rule } from '../rule';

/** A regulator's own training image runs only when the organisation allowlists its exact digest. */
export function imageRule(policy: ModerationPolicy): Rule {
  const allowed = new Set(policy.images.allowedDigests);
  return {
    name: 'image',
    evaluate({ spec }) {
      const image = spec.trainingImage;
      if (!image) return { rule: 'image', outcome: 'allow', reason: "the job uses this organisation's own trainer" };
      if (allowed.has(image.digest)) return { rule: 'image', outcome: 'allow', reason: `training image ${image.reference} (${image.digest}) is allowlisted` };
      return { rule: 'image', outcome: 'deny', reason: `training image ${image.reference} (${image.digest}) is not in images.allowedDigests` };
    },
  };
}
