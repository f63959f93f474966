import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobReport, JobStatus } from '../coordinator';
import { formatJobResults, loadJobResults } from './job-results';

const JOB = 'job-a';
const HASH = 'ab'.repeat(32);

function report(changes: Partial<JobReport> = {}): JobReport {
  return {
    jobId: JOB,
    status: 'completed',
    error: null,
    backend: 'cpu',
    strategy: { name: 'fedavg', serverLearningRate: 1 },
    training: { rounds: 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' },
    participants: {
      invited: ['bank-1', 'bank-2', 'bank-3'],
      admitted: ['bank-1', 'bank-2'],
      declined: [{ orgId: 'bank-3', reason: 'policy: dataset not offered' }],
      dropped: [],
      decisions: [],
    },
    audit: {
      participantHeads: [{ orgId: 'bank-1', seq: 12, hash: HASH, at: '2030-01-01T12:09:00.000Z', signer: 'ed25519:b1' }],
      transcript: { path: `/jobs/${JOB}/transcript.jsonl`, publicKey: 'ed25519:coord', head: { seq: 7, hash: HASH } },
    },
    roundsCompleted: 10,
    restarts: { starts: 1, resumedFromRound: null },
    stoppedEarly: null,
    privacy: {
      secureAggregation: { enabled: true, clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30, collusionFraction: 0.1, dropoutRate: 0.1, adversary: null },
      differentialPrivacy: null,
      covers: [],
      notCovered: [],
      samplingRate: null,
      samplingRateReason: null,
      accountedAt: null,
    },
    perRound: [{ round: 10, contributors: ['bank-1', 'bank-2'], missing: [], trainingExamples: 5400, metrics: { examples: 600, loss: 0.45678, accuracy: 0.81234, auc: 0.73456 }, seconds: 2.5, epsilonSpent: null, attempts: 1 }],
    finalMetrics: { examples: 600, loss: 0.45678, accuracy: 0.81234, auc: 0.73456 },
    modelPath: `/jobs/${JOB}/model/model.json`,
    startedAt: '2030-01-01T12:00:00.000Z',
    finishedAt: '2030-01-01T12:10:00.000Z',
    wallSeconds: 600,
    ...changes,
  };
}

describe('formatJobResults', () => {
  test('a completed job: rounds, final metrics, participants, privacy, model, report, audit', () => {
    const lines = formatJobResults(report(), '/jobs/job-a/report.json').split('\n');

    expect(lines).toEqual([
      'job job-a: completed',
      '  rounds: 10 of 10 completed',
      '  final metrics: loss 0.4568, accuracy 0.8123, auc 0.7346 on 600 validation rows (round 10)',
      '  participants: 2 of 3 invited admitted (bank-1, bank-2)',
      '    declined: bank-3 (policy: dataset not offered)',
      '    dropped: none',
      '  privacy: secure aggregation on (the aggregator saw only sums); differential privacy off',
      '  model: /jobs/job-a/model/model.json',
      '  report: /jobs/job-a/report.json',
      `  audit: coordinator transcript /jobs/job-a/transcript.jsonl, head seq 7 ${HASH}, signed by ed25519:coord`,
      `    bank-1: audit head seq 12 ${HASH} at 2030-01-01T12:09:00.000Z`,
      '  ran 2030-01-01T12:00:00.000Z → 2030-01-01T12:10:00.000Z (600.0 s), strategy fedavg, backend cpu',
    ]);
  });

  test('a cancelled job: the error first, no model, dropped participants with reasons', () => {
    const cancelled = report({
      status: 'failed',
      error: { code: 'JOB_CANCELLED', message: 'cancelled by the regulator: test' },
      roundsCompleted: 1,
      perRound: [],
      finalMetrics: null,
      modelPath: null,
      participants: { ...report().participants, declined: [], dropped: [{ orgId: 'bank-2', reason: '' }] },
      audit: { ...report().audit, participantHeads: [] },
    });

    const text = formatJobResults(cancelled, '/r.json');

    expect(text).toMatch(/^job job-a: failed \(JOB_CANCELLED\): cancelled by the regulator: test\n/);
    expect(text).toContain('  rounds: 1 of 10 completed\n');
    expect(text).toContain('  final metrics: none\n');
    expect(text).toContain('    declined: none\n    dropped: bank-2 (no reason given)\n');
    expect(text).toContain('  model: none (the job did not complete)\n');
    expect(text).toContain('    no participant audit heads received\n');
  });

  test('differential privacy: ε spent of the budget, and why training stopped early', () => {
    const dp = report({
      stoppedEarly: 'privacy budget: round 9 could take ε past 3 (spent 2.950)',
      privacy: {
        secureAggregation: { enabled: false, clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30, collusionFraction: 0.1, dropoutRate: 0.1, adversary: null },
        differentialPrivacy: { mode: 'central', epsilonBudget: 3, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1.23456, epsilonSpent: 2.95012, roundsAccounted: 8 },
        covers: ['model updates of every fit round'],
        notCovered: [],
        samplingRate: 1,
        samplingRateReason: 'the cohort is public',
        accountedAt: 'the fewest survivors every participant enforces',
      },
    });

    const text = formatJobResults(dp, '/r.json');

    expect(text).toContain('completed; stopped early: privacy budget: round 9 could take ε past 3 (spent 2.950)');
    expect(text).toContain('  privacy: secure aggregation off; differential privacy central: ε spent 2.950 of 3 at δ = 0.00001 over 8 rounds (noise multiplier 1.235, clip norm 1)');
  });
});

describe('loadJobResults', () => {
  let root: string;
  const dir = (): string => join(root, JOB);

  function writeStatus(changes: Partial<JobStatus>): void {
    const status: JobStatus = { jobId: JOB, state: 'training', round: 3, rounds: 50, participants: ['bank-1'], latestMetrics: null, updatedAt: '2030-01-01T12:00:00.000Z', lastEvent: null, outDir: dir(), ...changes };
    writeFileSync(join(dir(), 'status.json'), JSON.stringify(status));
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-job-results-'));
    mkdirSync(dir());
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('reads the report, keeping the file as written for --json', () => {
    const text = JSON.stringify(report(), null, 2);
    writeFileSync(join(dir(), 'report.json'), text);

    const results = loadJobResults(root, JOB);

    expect(results).toEqual({ reportPath: join(dir(), 'report.json'), text, report: report() });
  });

  test('no report while the job runs: says it is still running, and where it is', () => {
    writeStatus({ state: 'training', round: 3 });

    expect(() => loadJobResults(root, JOB)).toThrow(expect.objectContaining({
      code: 'NO_REPORT',
      message: 'job job-a has no report yet: it is still running (training, round 3/50, last update 2030-01-01T12:00:00.000Z); follow it with `shoal job watch job-a`',
    }));
  });

  test('no report and no status: it has not started', () => {
    expect(() => loadJobResults(root, JOB)).toThrow(expect.objectContaining({ code: 'NO_REPORT', message: expect.stringContaining('job job-a has no report yet, nor a status file: it has not started') }));
  });

  test('no report though the status says it ended', () => {
    writeStatus({ state: 'failed' });

    expect(() => loadJobResults(root, JOB)).toThrow(expect.objectContaining({ code: 'NO_REPORT', message: `job job-a has no report: its status file says failed, but ${join(dir(), 'report.json')} is missing` }));
  });

  test('an unknown job, and a report that is not JSON', () => {
    expect(() => loadJobResults(root, 'job-z')).toThrow(expect.objectContaining({ code: 'UNKNOWN_JOB', message: expect.stringContaining(`no job job-z: ${join(root, 'job-z')} does not exist`) }));
    writeFileSync(join(dir(), 'report.json'), '{');
    expect(() => loadJobResults(root, JOB)).toThrow(expect.objectContaining({ code: 'REPORT_UNREADABLE' }));
  });
});
