/**
 * `shoal job status <id>`: asks the job's running coordinator over NATS, or
 * reads the status file the coordinator left in the job's output directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { ShoalError } from '../common/errors';
import type { JobStatus } from '../coordinator';
import type { TlsFiles } from '../common/pki';

export async function jobStatus(jobId: string, options: { natsUrl?: string; outRoot: string; tls?: TlsFiles }): Promise<{ status: JobStatus; source: 'live' | 'file' }> {
  if (options.natsUrl) {
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

export function formatStatus(status: JobStatus, source: 'live' | 'file'): string {
  const m = status.latestMetrics;
  return [
    `job ${status.jobId}: ${status.state} (${source === 'live' ? 'live from its coordinator' : 'from its status file'})`,
    `  round ${status.round}/${status.rounds}, participants: ${status.participants.join(', ') || 'none'}`,
    m ? `  latest metrics: loss ${m.loss.toFixed(4)}${m.accuracy !== null ? `, accuracy ${m.accuracy.toFixed(4)}` : ''}${m.auc !== null ? `, auc ${m.auc.toFixed(4)}` : ''}` : '  no metrics yet',
    `  updated ${status.updatedAt}; output in ${status.outDir}`,
  ].join('\n');
}
