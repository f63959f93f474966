/**
 * `shoal job list`: one line per job folder under the output root, from the
 * status file its coordinator keeps there, newest first.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorMessage } from '../common/errors';
import type { JobStatus } from '../coordinator';
import { readStatusFile } from './job-status';

export interface JobListing {
  jobId: string;
  /** null when the folder has no status file yet, or it could not be read (`problem` says which). */
  status: JobStatus | null;
  problem: 'no status yet' | 'status unreadable' | null;
  /** Why the status could not be read. */
  detail: string | null;
  /** The status's update time, else the folder's modification time: what "newest" means. */
  updatedAt: string;
}

/** Every job folder under `outRoot`, newest first; [] when the root does not exist. */
export function listJobs(outRoot: string): JobListing[] {
  const root = resolve(outRoot);
  if (!existsSync(root)) return [];
  const listings: JobListing[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    const folderTime = statSync(dir).mtime.toISOString();
    try {
      const status = readStatusFile(dir) ?? null;
      listings.push({ jobId: entry.name, status, problem: status ? null : 'no status yet', detail: null, updatedAt: status?.updatedAt ?? folderTime });
    } catch (err) {
      listings.push({ jobId: entry.name, status: null, problem: 'status unreadable', detail: errorMessage(err), updatedAt: folderTime });
    }
  }
  const time = (listing: JobListing): number => Date.parse(listing.updatedAt) || 0;
  return listings.sort((a, b) => time(b) - time(a) || a.jobId.localeCompare(b.jobId));
}

/** "2030-01-01T12:00:00.123Z" → "2030-01-01 12:00:00Z". */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** The listing as an aligned table, or a sentence saying there are no jobs. */
export function formatJobList(listings: JobListing[], outRoot: string): string {
  const root = resolve(outRoot);
  if (!existsSync(root)) return `no jobs: ${root} does not exist (jobs go where \`shoal job submit --out\` put them; default shoal-jobs)`;
  if (listings.length === 0) return `no jobs under ${root}`;
  const rows = listings.map((l) => (l.status
    ? [l.jobId, l.status.state, `${l.status.round}/${l.status.rounds}`, String(l.status.participants.length), shortTime(l.updatedAt)]
    : [l.jobId, l.problem ?? 'no status yet', '-', '-', shortTime(l.updatedAt)]));
  const table = [['JOB', 'STATE', 'ROUND', 'PARTICIPANTS', 'UPDATED'], ...rows];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const lines = table.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '));
  return [lines[0], ...listings.map((l, i) => (l.detail ? `${lines[i + 1]}  (${l.detail})` : lines[i + 1]))].join('\n');
}
