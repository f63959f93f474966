/**
 * One `shoal job submit` run with a fault injected alongside: the fault gets
 * the job's output folder (where it watches checkpoints and logs, and finds
 * the job's processes) while the job runs, and the run returns what the
 * regulator sees: the CLI's exit and output, and the job's report.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JobReport } from '../../coordinator';
import { jobDir, readJobReport } from './job-report';
import { uniqueJobId, writeJobSpec, type TestJobSettings } from './job-spec';
import type { ProcessTracker } from './process-tracker';
import { shoalResult, startShoal, type CliResult } from './shoal-processes';

export interface FaultyJobEnv {
  processes: ProcessTracker;
  /** The test's folder: the spec, the CLI's log and the jobs' output go here. */
  dir: string;
  natsUrl: string;
  regulatorKeyPath: string;
  pkiDir: string;
}

export interface FaultyJobRun {
  submit: CliResult;
  report: JobReport;
  /** The job's output folder. */
  out: string;
}

export async function runJobWithFault(env: FaultyJobEnv, name: string, settings: Omit<TestJobSettings, 'jobId'>, fault?: (out: string) => Promise<void>): Promise<FaultyJobRun> {
  const job = writeJobSpec(env.dir, { jobId: uniqueJobId(name), ...settings });
  const outRoot = join(env.dir, 'jobs');
  const out = jobDir(outRoot, job.spec.jobId);
  const started = Date.now();
  const cli = startShoal(env.processes, ['job', 'submit', job.path, '--nats', env.natsUrl, '--out', outRoot, '--key', env.regulatorKeyPath, '--pki', env.pkiDir], join(env.dir, `${name}.log`));
  const injected = fault?.(out);
  const submit = await shoalResult(cli, 240_000, started);
  await injected;
  if (!existsSync(join(out, 'report.json'))) throw new Error(`${name}: no report; shoal job submit exited ${submit.code}:\n${submit.stderr.slice(-4000)}`);
  return { submit, report: readJobReport(outRoot, job.spec.jobId), out };
}
