/** Reads what a job left in its output folder. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobReport } from '../../coordinator';

export function jobDir(outRoot: string, jobId: string): string {
  return join(outRoot, jobId);
}

export function readJobReport(outRoot: string, jobId: string): JobReport {
  return JSON.parse(readFileSync(join(jobDir(outRoot, jobId), 'report.json'), 'utf8')) as JobReport;
}

/** The coordinator's log, which `shoal job submit` writes next to the report. */
export function readCoordinatorLog(outRoot: string, jobId: string): string {
  return readFileSync(join(jobDir(outRoot, jobId), 'coordinator.log'), 'utf8');
}
