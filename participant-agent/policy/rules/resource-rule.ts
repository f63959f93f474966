import type { ModerationPolicy } from '../policy-schema';
import { verdictFrom, type Rule } from '../rule';

/**
 * What a job asks for stays within the policy's bounds. A job that asks for
 * nothing is fine: the agent's own sandbox limits apply to it.
 */
export function resourceRule(policy: ModerationPolicy): Rule {
  const limits = policy.resources;
  return {
    name: 'resources',
    evaluate({ spec }) {
      const asked = spec.resources ?? {};
      const problems: string[] = [];
      const check = (value: number | undefined, max: number, field: string, bound: string): void => {
        if (value !== undefined && value > max) problems.push(`${field} ${value} is above resources.${bound} ${max}`);
      };
      check(asked.memoryMiB, limits.maxMemoryMiB, 'resources.memoryMiB', 'maxMemoryMiB');
      check(asked.cpus, limits.maxCpus, 'resources.cpus', 'maxCpus');
      check(asked.pids, limits.maxPids, 'resources.pids', 'maxPids');
      check(spec.roundDeadlineSeconds, limits.maxRoundDeadlineSeconds, 'roundDeadlineSeconds', 'maxRoundDeadlineSeconds');
      return verdictFrom('resources', problems, 'the resources the job asks for are within the policy');
    },
  };
}
