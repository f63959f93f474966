import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobStatus } from '../coordinator';
import { formatJobList, listJobs } from './job-list';

function status(jobId: string, changes: Partial<JobStatus>): JobStatus {
  return { jobId, state: 'training', round: 0, rounds: 50, participants: [], latestMetrics: null, updatedAt: '2030-01-01T12:00:00.000Z', lastEvent: null, outDir: `/jobs/${jobId}`, ...changes };
}

describe('shoal job list', () => {
  let root: string;

  function writeJob(jobId: string, content?: JobStatus | string): void {
    mkdirSync(join(root, jobId), { recursive: true });
    if (content !== undefined) writeFileSync(join(root, jobId, 'status.json'), typeof content === 'string' ? content : JSON.stringify(content));
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-job-list-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('one line per job, newest first, with state, round, participants and update time', () => {
    writeJob('job-old', status('job-old', { state: 'completed', round: 10, rounds: 10, participants: ['bank-1', 'bank-2', 'bank-3'], updatedAt: '2030-01-01T10:00:00.000Z' }));
    writeJob('job-new', status('job-new', { state: 'training', round: 3, participants: ['bank-1', 'bank-2'], updatedAt: '2030-01-01T12:30:15.250Z' }));
    writeJob('job-mid', status('job-mid', { state: 'failed', round: 1, participants: ['bank-1', 'bank-2'], updatedAt: '2030-01-01T11:00:00.000Z' }));

    const text = formatJobList(listJobs(root), root);

    expect(text.split('\n')).toEqual([
      'JOB      STATE      ROUND  PARTICIPANTS  UPDATED',
      'job-new  training   3/50   2             2030-01-01 12:30:15Z',
      'job-mid  failed     1/50   2             2030-01-01 11:00:00Z',
      'job-old  completed  10/10  3             2030-01-01 10:00:00Z',
    ]);
  });

  test('a folder without status.json is listed as "no status yet", placed by the folder\'s time', () => {
    writeJob('job-a', status('job-a', { updatedAt: '2030-01-01T12:00:00.000Z' }));
    writeJob('job-b');
    const folderTime = new Date('2030-01-01T13:00:00.000Z');
    utimesSync(join(root, 'job-b'), folderTime, folderTime);

    const listings = listJobs(root);
    const lines = formatJobList(listings, root).split('\n');

    expect(listings.map((l) => [l.jobId, l.problem])).toEqual([['job-b', 'no status yet'], ['job-a', null]]);
    expect(lines[1]).toBe('job-b  no status yet  -      -             2030-01-01 13:00:00Z');
  });

  test('an unreadable status file is listed with why', () => {
    writeJob('job-x', '{ not json');

    const [listing] = listJobs(root);
    const text = formatJobList([listing], root);

    expect(listing.problem).toBe('status unreadable');
    expect(text.split('\n')[1]).toMatch(/^job-x {2}status unreadable .*\(.*status\.json is not readable JSON: /);
  });

  test('files beside the job folders are not jobs', () => {
    writeFileSync(join(root, 'notes.txt'), 'hello');
    writeJob('job-a', status('job-a', {}));

    expect(listJobs(root).map((l) => l.jobId)).toEqual(['job-a']);
  });

  test('says so when there are no jobs, or the folder does not exist', () => {
    expect(formatJobList(listJobs(root), root)).toBe(`no jobs under ${root}`);

    const missing = join(root, 'nowhere');
    expect(listJobs(missing)).toEqual([]);
    expect(formatJobList([], missing)).toBe(`no jobs: ${missing} does not exist (jobs go where \`shoal job submit --out\` put them; default shoal-jobs)`);
  });
});
