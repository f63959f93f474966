/**
 * `shoal job watch <job>`: follows a running job's events, as `shoal job
 * submit` shows them, until it completes or fails; exits with the job's
 * exit code. A job that has already ended is shown from its status file.
 * While following, the coordinator is asked for the status now and then:
 * if it is gone without an outcome, watching stops with an error.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { hasCode, ShoalError } from '../common/errors';
import { EXIT_CODES } from '../common/process-lifecycle';
import type { TlsFiles } from '../common/pki';
import type { JobEvent, JobStatus } from '../coordinator';
import { formatStatus, hasEnded, jobExitCode, jobFolder, readStatusFile } from './job-status';
import { ProgressDisplay } from './progress';

export interface WatchOptions {
  jobId: string;
  natsUrl: string;
  /** Where the job's folder is (its status file, for a job that has ended). */
  outRoot: string;
  tls?: TlsFiles;
  /** How often the coordinator is asked whether it is still there. */
  livenessMs?: number;
  /** Where the final status of a job that already ended is printed. */
  print?: (text: string) => void;
}

const STATUS_TIMEOUT_MS = 2000;
const DEFAULT_LIVENESS_MS = 5000;

/** The live status, or undefined when no coordinator answers (BUS_NO_RESPONDERS, BUS_TIMEOUT). */
async function liveStatus(bus: NatsBus, jobId: string): Promise<JobStatus | undefined> {
  try {
    return await bus.request<JobStatus>(subjects.status(jobId), {}, STATUS_TIMEOUT_MS);
  } catch (err) {
    if (hasCode(err, 'BUS_NO_RESPONDERS') || hasCode(err, 'BUS_TIMEOUT')) return undefined;
    throw err;
  }
}

/** Resolves once NATS says nobody listens on the job's status subject any more (or `signal` aborts). */
async function coordinatorGone(bus: NatsBus, jobId: string, everyMs: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await sleep(everyMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return;
    try {
      await bus.request(subjects.status(jobId), {}, STATUS_TIMEOUT_MS);
    } catch (err) {
      // A timeout may be a busy coordinator; "no responders" means it is gone.
      if (hasCode(err, 'BUS_NO_RESPONDERS')) return;
    }
  }
}

export async function watchJob(options: WatchOptions): Promise<number> {
  const { jobId } = options;
  const dir = jobFolder(options.outRoot, jobId);
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  /** The job as its status file has it, once no coordinator answers. */
  const fromFile = (): number => {
    const status = readStatusFile(dir);
    if (status && hasEnded(status)) {
      print(formatStatus(status, 'file'));
      return jobExitCode(status);
    }
    if (status) {
      throw new ShoalError('JOB_NOT_RUNNING', `job ${jobId} is not running: no coordinator answers on ${options.natsUrl}, and its status file says ${status.state} at round ${status.round}/${status.rounds} (updated ${status.updatedAt}); its coordinator stopped without an outcome, see \`shoal job logs ${jobId} --component coordinator\``, { component: 'cli' });
    }
    if (existsSync(dir)) throw new ShoalError('JOB_NOT_RUNNING', `job ${jobId} is not running: no coordinator answers on ${options.natsUrl}, and ${dir} has no status file (its coordinator never started)`, { component: 'cli' });
    throw new ShoalError('UNKNOWN_JOB', `no job ${jobId}: no coordinator answers on ${options.natsUrl}, and ${dir} does not exist (check --out and --nats)`, { component: 'cli' });
  };

  const before = readStatusFile(dir);
  if (before && hasEnded(before)) return fromFile();

  const bus = await NatsBus.connect(options.natsUrl, `shoal-cli-watch-${jobId}`, options.tls);
  // Subscribed before asking, so no event falls between the answer and the first event.
  const events = bus.subscribe<JobEvent>(subjects.events(jobId));
  const stopLiveness = new AbortController();
  let progress: ProgressDisplay | undefined;
  try {
    const status = await liveStatus(bus, jobId);
    if (!status) return fromFile();
    if (hasEnded(status)) {
      print(formatStatus(status, 'live'));
      return jobExitCode(status);
    }
    progress = new ProgressDisplay(status.rounds);
    progress.note(`following job ${jobId}: ${status.state}, round ${status.round}/${status.rounds}, participants: ${status.participants.join(', ') || 'none yet'}`);
    let outcome: JobEvent['type'] | undefined;
    const follow = (async () => {
      for await (const { data } of events) {
        progress?.onEvent(data);
        if (data.type === 'job.completed' || data.type === 'job.failed') {
          outcome = data.type;
          return;
        }
      }
    })();
    await Promise.race([follow, coordinatorGone(bus, jobId, options.livenessMs ?? DEFAULT_LIVENESS_MS, stopLiveness.signal)]);
    progress.stop();
    if (outcome) return outcome === 'job.completed' ? EXIT_CODES.ok : EXIT_CODES.jobFailed;
    return fromFile();
  } finally {
    stopLiveness.abort();
    progress?.stop();
    events.unsubscribe();
    await bus.close();
  }
}
