import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AuditLog, verifyAuditFile } from '../../common/audit';
import { compileJobSpec } from '../../common/job-spec';
import { identityFromSeed } from '../../common/secagg';
import { publicKeyText } from '../../common/signing';
import type { AgentConfig } from '../agent-config';
import type { PendingOffer, PendingRelease } from '../moderation/records';
import type { LedgerEntry } from '../privacy-ledger';
import { auditPage, datasetBudgets, offerView, releaseView, verificationView } from './console-views';

const example = parse(readFileSync(join(__dirname, '..', '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
const NOW = new Date('2030-01-01T12:00:00Z');
const RECEIVED = '2030-01-01T11:59:00.000Z';
const EXPIRES = '2030-01-01T12:04:30.000Z';
const OFFER_SHA256 = 'c0ffee'.repeat(10).concat('0123');
const REASONS: PendingOffer['reasons'] = [
  { rule: 'requesters', outcome: 'ask', reason: 'requester "regulator" needs a person\'s approval' },
  { rule: 'models', outcome: 'allow', reason: 'Dense layers, 1345 parameters' },
];

function offer(changes: Record<string, unknown> = {}): PendingOffer {
  const spec = compileJobSpec({ ...example, ...changes });
  return {
    jobId: spec.jobId, offerSha256: OFFER_SHA256, requester: spec.requester, receivedAt: RECEIVED, expiresAt: EXPIRES, spec,
    coordinator: '10.0.0.1:7000', aggregator: '10.0.0.2:7001', dataPath: '/srv/data/credit.csv', reasons: REASONS, modelParameters: 1345,
  };
}

describe('offerView', () => {
  test('states what would run, on which columns, as the browser reads it', () => {
    const view = offerView(offer(), NOW);

    expect(view).toEqual({
      jobId: 'credit-default-mlp',
      offerSha256: OFFER_SHA256,
      requester: 'regulator',
      receivedAt: RECEIVED,
      expiresAt: EXPIRES,
      dataset: 'credit-default',
      columns: [...Array.from({ length: 23 }, (_, i) => `X${i + 1}`), 'Y'],
      label: 'Y',
      modelParameters: 1345,
      rounds: 20,
      localEpochs: 2,
      layers: ['Dense 32 relu', 'Dense 16 relu', 'Dense 1 sigmoid'],
      secureAggregation: true,
      differentialPrivacy: null,
      reasons: REASONS,
      description: expect.any(String),
    });
  });

  test('the description is the plain-language account naming the job and its requester', () => {
    const view = offerView(offer(), NOW);

    expect(view.description).toContain('Job credit-default-mlp, requested by regulator');
    expect(view.description).toContain('(in 4 min 30 s)');
    expect(view.description).toContain('credit-default → /srv/data/credit.csv');
  });

  test('names differential privacy, a dropout rate and secure aggregation turned off', () => {
    const layers = [
      { className: 'Dense', config: { units: 32, activation: 'relu', inputShape: [23] } },
      { className: 'Dropout', config: { rate: 0.25 } },
      { className: 'Dense', config: { units: 1, activation: 'sigmoid' } },
    ];

    const view = offerView(offer({
      model: { ...(example.model as object), layers },
      secureAggregation: { enabled: false },
      preprocessing: { normalize: false },
      differentialPrivacy: { mode: 'central', epsilon: 2.5, delta: 1e-6, clipNorm: 0.5 },
    }), NOW);

    expect(view.layers).toEqual(['Dense 32 relu', 'Dropout rate 0.25', 'Dense 1 sigmoid']);
    expect(view.secureAggregation).toBe(false);
    expect(view.differentialPrivacy).toBe('central, ε 2.5 at δ 0.000001, clip norm 0.5');
  });
});

describe('releaseView', () => {
  test('puts the summary facts beside the round, and drops the collection id', () => {
    const release: PendingRelease = {
      jobId: 'job-a', round: 4, collectionId: 'fit-4', kind: 'fit',
      requestedAt: '2030-01-01T12:00:00.000Z', deadline: '2030-01-01T12:00:45.000Z',
      summary: { elements: 1345, weight: 240, l2Norm: 1.2345678, sha256: 'ab'.repeat(32) },
    };

    expect(releaseView(release)).toEqual({
      jobId: 'job-a', round: 4, kind: 'fit',
      requestedAt: '2030-01-01T12:00:00.000Z', deadline: '2030-01-01T12:00:45.000Z',
      elements: 1345, weight: 240, l2Norm: 1.2345678, sha256: 'ab'.repeat(32),
    });
  });
});

describe('datasetBudgets', () => {
  const config = {
    datasets: { 'credit-default': { path: '/srv/credit.csv' }, mnist: { path: '/srv/mnist.csv' } },
    policy: { privacy: { budgets: { 'credit-default': { epsilon: 10 }, census: { epsilon: 3 } } } },
  } as unknown as AgentConfig;
  const entry = (dataset: string, jobId: string, epsilon: number, day: number): LedgerEntry =>
    ({ dataset, jobId, epsilon, delta: 1e-5, requester: 'regulator', at: `2030-01-0${day}T00:00:00.000Z` });

  test('lists every configured or spent-on dataset, sorted, with its budget or null and what jobs spent', () => {
    const ledger = [entry('credit-default', 'job-1', 1.5, 5), entry('census', 'job-22', 2, 6), entry('credit-default', 'job-333', 0.25, 7)];

    const budgets = datasetBudgets(config, ledger);

    expect(budgets).toEqual([
      { dataset: 'census', epsilonBudget: 3, epsilonSpent: 2, jobs: [{ jobId: 'job-22', epsilon: 2, delta: 1e-5, requester: 'regulator', at: '2030-01-06T00:00:00.000Z' }] },
      {
        dataset: 'credit-default', epsilonBudget: 10, epsilonSpent: 1.75,
        jobs: [
          { jobId: 'job-1', epsilon: 1.5, delta: 1e-5, requester: 'regulator', at: '2030-01-05T00:00:00.000Z' },
          { jobId: 'job-333', epsilon: 0.25, delta: 1e-5, requester: 'regulator', at: '2030-01-07T00:00:00.000Z' },
        ],
      },
      { dataset: 'mnist', epsilonBudget: null, epsilonSpent: 0, jobs: [] },
    ]);
  });

  test('an empty ledger lists the configured datasets with nothing spent', () => {
    expect(datasetBudgets(config, []).map((b) => [b.dataset, b.epsilonBudget, b.epsilonSpent])).toEqual([['credit-default', 10, 0], ['mnist', null, 0]]);
  });
});

describe('auditPage and verificationView', () => {
  const identity = identityFromSeed('bank-1', new Uint8Array(32).fill(7));
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-console-views-'));
    path = join(dir, 'audit.jsonl');
    let tick = 0;
    const log = AuditLog.open(path, { owner: 'bank-1', identity, now: () => new Date(Date.UTC(2030, 0, 1, 12, 0, tick++)) });
    log.append('offer.received', { jobId: 'credit-1', requester: 'regulator' }, 'agent');
    log.append('offer.decision', { jobId: 'credit-1', outcome: 'allow' }, 'policy');
    log.append('job.started', { jobId: 'credit-1' }, 'agent');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('gives the last N entries, oldest first, each with its data as one line of text, and the total', () => {
    const page = auditPage(path, 2);

    expect(page).toEqual({
      total: 4,
      entries: [
        { seq: 2, at: '2030-01-01T12:00:02.000Z', type: 'offer.decision', actor: 'policy', text: 'jobId=credit-1 outcome=allow' },
        { seq: 3, at: '2030-01-01T12:00:03.000Z', type: 'job.started', actor: 'agent', text: 'jobId=credit-1' },
      ],
    });
  });

  test('a limit above the total gives every entry, the genesis first', () => {
    const page = auditPage(path, 50);

    expect(page.total).toBe(4);
    expect(page.entries.map((e) => [e.seq, e.type])).toEqual([[0, 'audit.opened'], [1, 'offer.received'], [2, 'offer.decision'], [3, 'job.started']]);
  });

  test('a line that is not an entry is shown as unreadable, with its line number, not thrown or skipped', () => {
    appendFileSync(path, 'this is not json\n{"seq":\n');

    const page = auditPage(path, 3);

    expect(page.total).toBe(6);
    expect(page.entries).toEqual([
      expect.objectContaining({ seq: 3, type: 'job.started' }),
      { seq: -1, at: '', type: 'unreadable', actor: '', text: 'line 5 is not an audit entry (press Verify for details)' },
      { seq: -1, at: '', type: 'unreadable', actor: '', text: 'line 6 is not an audit entry (press Verify for details)' },
    ]);
  });

  test('verificationView reports an intact log with its head and key', () => {
    const view = verificationView(verifyAuditFile(path, { publicKey: publicKeyText(identity.publicKey) }));

    expect(view).toEqual({
      intact: true,
      entries: 4,
      head: { seq: 3, hash: JSON.parse(readFileSync(path, 'utf8').trimEnd().split('\n')[3]).hash },
      publicKey: publicKeyText(identity.publicKey),
      problems: [],
    });
  });

  test('verificationView reports a damaged log with the line and kind of each problem', () => {
    appendFileSync(path, 'this is not json\n');

    const view = verificationView(verifyAuditFile(path, { publicKey: publicKeyText(identity.publicKey) }));

    expect(view.intact).toBe(false);
    expect(view.problems).toEqual([{ line: 5, kind: 'malformed', message: 'line 5: not an audit entry: not JSON' }]);
  });
});
