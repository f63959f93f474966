/**
 * `shoal job status <id>`: asks the job's running coordinator over NATS, or
 * reads the status file the coordinator left in the job's output directory.
 * Also the small pieces the other `shoal job` commands share: a job's
 * folder, its status file, and the exit code its state stands for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { errorMessage, ShoalError } from '../common/errors';
import { EXIT_CODES } from '../common/process-lifecycle';
import { ID_PATTERN } from '../common/ids';
import type { JobStatus } from '../coordinator';
import type { TlsFiles } from '../common/pki';

/** What the job spec accepts as a job id: also a safe folder name and NATS subject token. */
const JOB_ID = ID_PATTERN;

/** INVALID_JOB_ID when a command's argument cannot be a job id. */
export function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) {
    throw new ShoalError('INVALID_JOB_ID', `${JSON.stringify(jobId)} is not a job id: expected a lower-case identifier (letters, digits, "_", "-"; at most 63 characters)`, { component: 'cli' });
  }
  return jobId;
}

/** The output folder of `jobId` under `outRoot`. */
export function jobFolder(outRoot: string, jobId: string): string {
  return resolve(outRoot, checkJobId(jobId));
}

/** The status file in a job's folder; undefined when there is none yet, STATUS_UNREADABLE when it is not JSON. */
export function readStatusFile(dir: string): JobStatus | undefined {
  const file = join(dir, 'status.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JobStatus;
  } catch (err) {
    throw new ShoalError('STATUS_UNREADABLE', `${file} is not readable JSON: ${errorMessage(err)}`, { component: 'cli', cause: err });
  }
}

export function hasEnded(status: JobStatus): boolean {
  return status.state === 'completed' || status.state === 'failed';
}

/** The exit code a finished job stands for: 0 completed, 3 failed. */
export function jobExitCode(status: JobStatus): number {
  return status.state === 'completed' ? EXIT_CODES.ok : EXIT_CODES.jobFailed;
}

export async function jobStatus(jobId: string, options: { natsUrl?: string; outRoot: string; tls?: TlsFiles }): Promise<{ status: JobStatus; source: 'live' | 'file' }> {
  // Without the regulator's certificate there is no asking over NATS (never in the clear): the status file answers.
  if (options.natsUrl && options.tls) {
    const bus = await NatsBus.connect(options.natsUrl, `shoal-cli-status-${jobId}`, options.tls).catch(() => undefined);
    if (bus) {
      try {
        return { status: await bus.request<JobStatus>(subjects.status(jobId), {}, 2000), source: 'live' };
      } catch {
        // Not running any more (or never ran here): fall back to the file.
      } finally {
        await bus.close();
      }
    }
  }
  const file = join(resolve(options.outRoot, jobId), 'status.json');
  if (!existsSync(file)) throw new ShoalError('UNKNOWN_JOB', `no running coordinator answers for job ${jobId}, and ${file} does not exist`, { component: 'cli' });
  return { status: JSON.parse(readFileSync(file, 'utf8')) as JobStatus, source: 'file' };
}

/** How the job ended, from its last event: the error of a failed job, where the report of a completed one is. */
function outcomeLines(status: JobStatus): string[] {
  const last = status.lastEvent;
  if (last?.type === 'job.failed') return [`  failed (${last.code}): ${last.message}`, `  report: ${last.reportPath}`];
  if (last?.type === 'job.completed') return [`  model: ${last.modelPath}`, `  report: ${last.reportPath}`];
  return [];
}

export function formatStatus(status: JobStatus, source: 'live' | 'file'): string {
  const m = status.latestMetrics;
  return [
    `job ${status.jobId}: ${status.state} (${source === 'live' ? 'live from its coordinator' : 'from its status file'})`,
    `  round ${status.round}/${status.rounds}, participants: ${status.participants.join(', ') || 'none'}`,
    m ? `  latest metrics: loss ${m.loss.toFixed(4)}${m.accuracy !== null ? `, accuracy ${m.accuracy.toFixed(4)}` : ''}${m.auc !== null ? `, auc ${m.auc.toFixed(4)}` : ''}` : '  no metrics yet',
    ...outcomeLines(status),
    `  updated ${status.updatedAt}; output in ${status.outDir}`,
  ].join('\n');
}
