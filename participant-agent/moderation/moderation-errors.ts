/** The queue's errors, and the checks on the job ids and rounds that name its files. */
import { ShoalError } from '../../common/errors';
import { ID_PATTERN } from '../../common/ids';

const JOB_ID = ID_PATTERN;

export function moderationError(code: string, message: string, details: Record<string, unknown> = {}, cause?: unknown): ShoalError {
  return new ShoalError(code, message, { component: 'participant-agent', details, cause });
}

/** Whether `name` may be a job id, and so a file name under the queue. */
export function isJobId(name: string): boolean {
  return JOB_ID.test(name);
}

export function checkJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || !isJobId(jobId)) {
    throw moderationError('INVALID_JOB_ID', `${JSON.stringify(jobId)} is not a job id: expected a lower-case identifier (letters, digits, ".", "_", "-"; at most 63 characters)`, { jobId });
  }
  return jobId;
}

export function checkRound(round: unknown): number {
  if (typeof round !== 'number' || !Number.isInteger(round) || round < 0) {
    throw moderationError('INVALID_ROUND', `${JSON.stringify(round)} is not a round: expected a whole number (0 or more)`, { round });
  }
  return round;
}
