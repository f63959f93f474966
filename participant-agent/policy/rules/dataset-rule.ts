import type { ModerationPolicy } from '../policy-schema';
import { firstFew, verdictFrom, type Rule } from '../rule';

/** A requester reads only the datasets, and within them only the columns, the policy grants it. */
export function datasetRule(policy: ModerationPolicy): Rule {
  return {
    name: 'dataset',
    evaluate({ spec, localDatasets }) {
      const name = spec.dataset.name;
      const granted = policy.requesters[spec.requester]?.datasets[name];
      if (!granted) return { rule: 'dataset', outcome: 'deny', reason: `requester "${spec.requester}" may not use dataset "${name}"` };
      const problems: string[] = [];
      const used = [...spec.dataset.features, spec.dataset.label];
      const allowed = new Set(granted.columns);
      const refused = used.filter((column) => !allowed.has(column));
      if (refused.length > 0) problems.push(`requester "${spec.requester}" may not read column(s) ${firstFew(refused)} of dataset "${name}"`);
      if (!localDatasets.includes(name)) problems.push(`dataset "${name}" is not configured at this organisation`);
      return verdictFrom('dataset', problems, `requester "${spec.requester}" may read the ${used.length} columns it uses of dataset "${name}"`);
    },
  };
}
