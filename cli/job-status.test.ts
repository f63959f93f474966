import type { JobStatus } from '../coordinator';
import { checkJobId, formatStatus, hasEnded, jobExitCode } from './job-status';

const AT = '2030-01-01T12:00:00.000Z';

function status(changes: Partial<JobStatus>): JobStatus {
  return { jobId: 'job-a', state: 'training', round: 3, rounds: 50, participants: ['bank-1', 'bank-2'], latestMetrics: { examples: 200, loss: 0.5, accuracy: 0.75, auc: null }, updatedAt: AT, lastEvent: null, outDir: '/jobs/job-a', ...changes };
}

describe('formatStatus', () => {
  test('a running job: state, round, participants, metrics', () => {
    expect(formatStatus(status({}), 'live').split('\n')).toEqual([
      'job job-a: training (live from its coordinator)',
      '  round 3/50, participants: bank-1, bank-2',
      '  latest metrics: loss 0.5000, accuracy 0.7500',
      `  updated ${AT}; output in /jobs/job-a`,
    ]);
  });

  test('a failed job says why and where its report is', () => {
    const failed = status({ state: 'failed', lastEvent: { type: 'job.failed', jobId: 'job-a', at: AT, code: 'JOB_CANCELLED', message: 'cancelled by the regulator: test', reportPath: '/jobs/job-a/report.json' } });

    expect(formatStatus(failed, 'file')).toContain('  failed (JOB_CANCELLED): cancelled by the regulator: test\n  report: /jobs/job-a/report.json\n');
  });

  test('a completed job says where its model and report are', () => {
    const completed = status({ state: 'completed', lastEvent: { type: 'job.completed', jobId: 'job-a', at: AT, reportPath: '/jobs/job-a/report.json', modelPath: '/jobs/job-a/model/model.json', metrics: null } });

    expect(formatStatus(completed, 'file')).toContain('  model: /jobs/job-a/model/model.json\n  report: /jobs/job-a/report.json\n');
  });
});

describe('job states and ids', () => {
  test('only completed and failed jobs have ended; their exit codes are 0 and 3', () => {
    expect(['admitting', 'preprocessing', 'training', 'completed', 'failed'].map((state) => hasEnded(status({ state: state as JobStatus['state'] })))).toEqual([false, false, false, true, true]);
    expect(jobExitCode(status({ state: 'completed' }))).toBe(0);
    expect(jobExitCode(status({ state: 'failed' }))).toBe(3);
  });

  test('a job id is a lower-case identifier: no paths, no dots, no subject wildcards', () => {
    expect(checkJobId('credit-default-v2_1')).toBe('credit-default-v2_1');
    for (const bad of ['../etc', 'a/b', 'Job', '*', 'a>', '', 'x'.repeat(64), 'credit-default.v2', 'audit.jsonl']) {
      expect(() => checkJobId(bad)).toThrow(expect.objectContaining({ code: 'INVALID_JOB_ID' }));
    }
  });
});
