import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivacyLedger } from './privacy-ledger';

describe('PrivacyLedger', () => {
  let dir: string;
  let path: string;
  const now = new Date('2026-01-02T03:04:05.000Z');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-ledger-'));
    path = join(dir, 'state', 'privacy-ledger.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is an empty ledger and is not created by opening', () => {
    const ledger = PrivacyLedger.open(path);

    expect(ledger.spent('loans')).toBe(0);
    expect(ledger.entries()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('spent sums ε per dataset', () => {
    const ledger = PrivacyLedger.open(path);

    ledger.record({ dataset: 'loans', jobId: 'job-a', epsilon: 1.5, delta: 1e-5, requester: 'regulator' }, now);
    ledger.record({ dataset: 'loans', jobId: 'job-b', epsilon: 0.25, delta: 1e-6, requester: 'regulator' }, now);
    ledger.record({ dataset: 'cards', jobId: 'job-a', epsilon: 3, delta: 1e-5, requester: 'regulator' }, now);

    expect(ledger.spent('loans')).toBe(1.75);
    expect(ledger.spent('cards')).toBe(3);
    expect(ledger.spent('other')).toBe(0);
    expect(ledger.has('job-a', 'cards')).toBe(true);
    expect(ledger.has('job-b', 'cards')).toBe(false);
  });

  test('recording the same job on the same dataset again does not spend twice', () => {
    const ledger = PrivacyLedger.open(path);

    const first = ledger.record({ dataset: 'loans', jobId: 'job-a', epsilon: 1, delta: 1e-5, requester: 'regulator' }, now);
    const again = ledger.record({ dataset: 'loans', jobId: 'job-a', epsilon: 1, delta: 1e-5, requester: 'regulator' }, new Date('2026-02-01T00:00:00.000Z'));

    expect(first).toEqual({ dataset: 'loans', jobId: 'job-a', epsilon: 1, delta: 1e-5, requester: 'regulator', at: '2026-01-02T03:04:05.000Z' });
    expect(again).toEqual(first);
    expect(ledger.spent('loans')).toBe(1);
    expect(ledger.entries()).toHaveLength(1);
    expect(PrivacyLedger.open(path).entries()).toHaveLength(1);
  });

  test('what was recorded survives reopening, and no temporary file is left', () => {
    const ledger = PrivacyLedger.open(path);
    ledger.record({ dataset: 'loans', jobId: 'job-a', epsilon: 2, delta: 1e-5, requester: 'regulator' }, now);
    ledger.record({ dataset: 'loans', jobId: 'job-b', epsilon: 0.5, delta: 1e-5, requester: 'bank-supervisor' }, now);

    const reopened = PrivacyLedger.open(path);

    expect(reopened.spent('loans')).toBe(2.5);
    expect(reopened.has('job-b', 'loans')).toBe(true);
    expect(reopened.entries()).toEqual(ledger.entries());
    expect(readdirSync(join(dir, 'state'))).toEqual(['privacy-ledger.json']);
    reopened.record({ dataset: 'loans', jobId: 'job-b', epsilon: 0.5, delta: 1e-5, requester: 'bank-supervisor' }, now);
    expect(PrivacyLedger.open(path).spent('loans')).toBe(2.5);
  });

  test('entries() hands out copies', () => {
    const ledger = PrivacyLedger.open(path);
    ledger.record({ dataset: 'loans', jobId: 'job-a', epsilon: 1, delta: 1e-5, requester: 'regulator' }, now);

    ledger.entries()[0].epsilon = 0;

    expect(ledger.spent('loans')).toBe(1);
  });

  test.each([
    ['not JSON', '{"version": 1, "entries": ['],
    ['an empty file', ''],
    ['a different shape', '{"spent": {"loans": 1}}'],
    ['an entry without ε', '{"version": 1, "entries": [{"dataset": "loans", "jobId": "j", "delta": 0, "requester": "r", "at": "2026-01-01T00:00:00.000Z"}]}'],
    ['a negative ε', '{"version": 1, "entries": [{"dataset": "loans", "jobId": "j", "epsilon": -1, "delta": 0, "requester": "r", "at": "2026-01-01T00:00:00.000Z"}]}'],
  ])('a file holding %s is refused and left as it is', (_what, content) => {
    PrivacyLedger.open(path).record({ dataset: 'x', jobId: 'seed', epsilon: 1, delta: 0, requester: 'r' }, now);
    writeFileSync(path, content);

    expect(() => PrivacyLedger.open(path)).toThrow(expect.objectContaining({ code: 'PRIVACY_LEDGER_CORRUPT', component: 'participant-agent', message: expect.stringContaining(path) }));
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  test('a ledger path that cannot be read is refused', () => {
    PrivacyLedger.open(path).record({ dataset: 'x', jobId: 'seed', epsilon: 1, delta: 0, requester: 'r' }, now);

    expect(() => PrivacyLedger.open(join(dir, 'state'))).toThrow(expect.objectContaining({ code: 'PRIVACY_LEDGER_CORRUPT' }));
  });

  test('an entry with an impossible ε is not recorded', () => {
    const ledger = PrivacyLedger.open(path);

    expect(() => ledger.record({ dataset: 'loans', jobId: 'job-a', epsilon: Number.NaN, delta: 1e-5, requester: 'r' }, now)).toThrow(expect.objectContaining({ code: 'PRIVACY_LEDGER_INVALID_ENTRY' }));
    expect(ledger.entries()).toEqual([]);
  });
});
