import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLogLine, readJobLogs } from './job-logs';

const T0 = Date.parse('2030-01-01T12:00:00.000Z');
const JOB = 'job-a';

function pino(offsetMs: number, level: number, component: string, msg: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ level, time: T0 + offsetMs, pid: 4242, component, jobId: JOB, ...fields, msg });
}

describe('formatLogLine', () => {
  test('a pino line reads as time, level, component, message, then its other fields', () => {
    const line = pino(1500, 30, 'coordinator', 'round completed', { round: 3, contributors: 2, metrics: { loss: 0.5 } });

    expect(formatLogLine(line)).toBe('2030-01-01T12:00:01.500Z INFO  coordinator round completed round=3 contributors=2 metrics={"loss":0.5}');
  });

  test('strings with spaces are quoted, errors show their code and message', () => {
    const line = pino(0, 50, 'coordinator', 'job failed', { reason: 'the regulator asked', org: 'bank-1', err: { type: 'Error', message: 'boom: bad', stack: 'Error: boom\n    at x' } });

    expect(formatLogLine(line)).toBe('2030-01-01T12:00:00.000Z ERROR coordinator job failed reason="the regulator asked" org=bank-1 err="boom: bad"');
    const shoalError = pino(0, 50, 'coordinator', 'job failed', { err: { code: 'JOB_CANCELLED', message: 'cancelled by the regulator: test' } });
    expect(formatLogLine(shoalError)).toBe('2030-01-01T12:00:00.000Z ERROR coordinator job failed err="JOB_CANCELLED: cancelled by the regulator: test"');
  });

  test('a line that is not pino JSON is shown as it is', () => {
    expect(formatLogLine('shoal-coordinator: cannot connect')).toBe('shoal-coordinator: cannot connect');
    expect(formatLogLine('[1,2]')).toBe('[1,2]');
  });
});

describe('readJobLogs', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-job-logs-'));
    mkdirSync(join(root, JOB));
    writeFileSync(join(root, JOB, 'coordinator.log'), [
      pino(0, 30, 'coordinator', 'coordinator listening', { port: 7000 }),
      pino(2000, 30, 'coordinator', 'admission closed'),
      'shoal-coordinator: something printed by hand',
      pino(5000, 40, 'coordinator', 'cancelled by the regulator', { reason: 'test' }),
      '',
    ].join('\n'));
    writeFileSync(join(root, JOB, 'aggregator.log'), [pino(1000, 30, 'aggregator', 'aggregator listening'), pino(3000, 30, 'aggregator', 'job ended; aggregator exiting'), ''].join('\n'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('one component: its lines in order', () => {
    const lines = readJobLogs(root, JOB, { component: 'coordinator' });

    expect(lines).toEqual([
      '2030-01-01T12:00:00.000Z INFO  coordinator coordinator listening port=7000',
      '2030-01-01T12:00:02.000Z INFO  coordinator admission closed',
      'shoal-coordinator: something printed by hand',
      '2030-01-01T12:00:05.000Z WARN  coordinator cancelled by the regulator reason=test',
    ]);
  });

  test('all: both logs interleaved by time; a plain line stays after the line before it', () => {
    const lines = readJobLogs(root, JOB, { component: 'all' });

    expect(lines).toEqual([
      '2030-01-01T12:00:00.000Z INFO  coordinator coordinator listening port=7000',
      '2030-01-01T12:00:01.000Z INFO  aggregator aggregator listening',
      '2030-01-01T12:00:02.000Z INFO  coordinator admission closed',
      'shoal-coordinator: something printed by hand',
      '2030-01-01T12:00:03.000Z INFO  aggregator job ended; aggregator exiting',
      '2030-01-01T12:00:05.000Z WARN  coordinator cancelled by the regulator reason=test',
    ]);
  });

  test('--tail keeps the last n lines', () => {
    expect(readJobLogs(root, JOB, { component: 'aggregator', tail: 1 })).toEqual(['2030-01-01T12:00:03.000Z INFO  aggregator job ended; aggregator exiting']);
    expect(readJobLogs(root, JOB, { component: 'all', tail: 0 })).toEqual([]);
  });

  test('all with one log missing shows the other', () => {
    rmSync(join(root, JOB, 'aggregator.log'));

    expect(readJobLogs(root, JOB, { component: 'all' })).toHaveLength(4);
  });

  test('a missing log, a missing job and an invalid id are errors that name the problem', () => {
    rmSync(join(root, JOB, 'aggregator.log'));

    expect(() => readJobLogs(root, JOB, { component: 'aggregator' })).toThrow(expect.objectContaining({ code: 'LOG_MISSING', message: expect.stringContaining(`job ${JOB} has no aggregator.log in ${join(root, JOB)}`) }));
    expect(() => readJobLogs(root, 'job-z', { component: 'all' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_JOB', message: expect.stringContaining(`no job job-z: ${join(root, 'job-z')} does not exist`) }));
    expect(() => readJobLogs(root, '../etc', { component: 'all' })).toThrow(expect.objectContaining({ code: 'INVALID_JOB_ID' }));
  });
});
