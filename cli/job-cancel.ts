/**
 * `shoal job cancel <job>`: asks the job's running coordinator, over NATS
 * request/reply, to stop it. The coordinator answers at once and the job
 * then fails with JOB_CANCELLED: it still writes its report and tells the
 * participants the job is over. No answer means no coordinator runs the job.
 */
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { hasCode, ShoalError } from '../common/errors';
import type { TlsFiles } from '../common/pki';
import { checkJobId } from './job-status';

export interface CancelOptions {
  jobId: string;
  natsUrl: string;
  /** The regulator's certificate: only regulators may publish on a job's cancel subject. */
  tls?: TlsFiles;
  /** Recorded in the job's error and report; the coordinator says "no reason given" without one. */
  reason?: string;
  timeoutMs?: number;
}

/** What the coordinator answers on `subjects.cancel(jobId)`. */
export interface CancelReply {
  accepted: boolean;
  /** Why it refused (the job was already finishing). */
  reason?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Resolves with the coordinator's acceptance; JOB_NOT_RUNNING when none answers, CANCEL_REFUSED when it declines. */
export async function cancelJob(options: CancelOptions): Promise<CancelReply> {
  const jobId = checkJobId(options.jobId);
  const bus = await NatsBus.connect(options.natsUrl, `shoal-cli-cancel-${jobId}`, options.tls);
  let reply: CancelReply;
  try {
    reply = await bus.request<CancelReply>(subjects.cancel(jobId), { reason: options.reason }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (err) {
    if (hasCode(err, 'BUS_NO_RESPONDERS') || hasCode(err, 'BUS_TIMEOUT')) {
      throw new ShoalError('JOB_NOT_RUNNING', `no coordinator answers for job ${jobId} on ${options.natsUrl}: the job is not running (it has ended, or never started); see \`shoal job status ${jobId}\``, { component: 'cli', cause: err });
    }
    throw err;
  } finally {
    await bus.close();
  }
  if (typeof reply !== 'object' || reply === null || typeof reply.accepted !== 'boolean') {
    throw new ShoalError('CANCEL_UNCLEAR', `job ${jobId}'s coordinator answered the cancel request with something else than { accepted }: ${JSON.stringify(reply)}`, { component: 'cli' });
  }
  if (!reply.accepted) throw new ShoalError('CANCEL_REFUSED', `job ${jobId}'s coordinator did not cancel it: ${reply.reason ?? 'no reason given'}`, { component: 'cli' });
  return reply;
}
