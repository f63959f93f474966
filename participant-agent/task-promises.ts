/**
 * The job an organisation accepted promised protections: secure aggregation
 * (on by default) and, if the spec says so, differential privacy with a
 * clipping bound. A task that drops one of them is refused, whoever sent it:
 * a coordinator cannot downgrade a job after the organisation said yes.
 */
import type { JobSpec } from '../common/job-spec';
import type { TaskHeader__Output } from '../proto/generated/shoal/v1/TaskHeader';

export interface BrokenPromise {
  code: 'SECURE_AGGREGATION_REQUIRED' | 'DIFFERENTIAL_PRIVACY_REQUIRED';
  message: string;
}

/** What the task breaks of the accepted spec's promises, or null if it keeps them. */
export function brokenPromise(spec: JobSpec, kind: 'statistics' | 'fit' | 'evaluate', header: Pick<TaskHeader__Output, 'secure' | 'fit'>): BrokenPromise | null {
  if (spec.secureAggregation.enabled && !header.secure) {
    return { code: 'SECURE_AGGREGATION_REQUIRED', message: 'the job was accepted with secure aggregation, but this task asks for a plain contribution' };
  }
  const dp = spec.differentialPrivacy;
  const clipNorm = header.fit?.clipNorm ?? 0;
  if (dp && kind === 'fit' && !(clipNorm > 0 && clipNorm <= dp.clipNorm)) {
    return { code: 'DIFFERENTIAL_PRIVACY_REQUIRED', message: `the job was accepted with differential privacy (clip norm ${dp.clipNorm}), but this task asks for clip norm ${clipNorm}` };
  }
  return null;
}
