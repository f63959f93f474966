import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileJobSpec } from '../common/job-spec';
import { ModerationQueue, type PendingOffer, type PendingRelease } from './moderation-queue';

const example = parse(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
// The real clock, since the agent's waits run on it; offers expire a minute after this.
const NOW = new Date();
const FAST_POLL_MS = 5;

let workDir: string;
let queue: ModerationQueue;

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'shoal-moderation-'));
  queue = new ModerationQueue(workDir);
});

afterEach(() => rmSync(workDir, { recursive: true, force: true }));

function offer(jobId: string, settings: { receivedAt?: Date; expiresAt?: Date } = {}): PendingOffer {
  return {
    jobId,
    requester: 'regulator',
    receivedAt: (settings.receivedAt ?? NOW).toISOString(),
    expiresAt: (settings.expiresAt ?? new Date(Date.now() + 60_000)).toISOString(),
    spec: compileJobSpec({ ...example, jobId }),
    coordinator: '127.0.0.1:1',
    aggregator: '127.0.0.1:2',
    dataPath: '/data/bank-1.csv',
    reasons: [{ rule: 'requesters', outcome: 'ask', reason: 'requester "regulator" needs a person\'s approval' }],
    modelParameters: 1345,
  };
}

function releaseRequest(jobId: string, round: number, settings: { collectionId?: string; deadline?: Date } = {}): PendingRelease {
  return {
    jobId,
    round,
    collectionId: settings.collectionId ?? `fit-${round}`,
    kind: 'fit',
    requestedAt: NOW.toISOString(),
    deadline: (settings.deadline ?? new Date(Date.now() + 60_000)).toISOString(),
    summary: { elements: 1345, weight: 240, l2Norm: 1.25, sha256: 'ab'.repeat(32) },
  };
}

const pendingFile = (jobId: string): string => join(workDir, 'moderation', 'pending', `${jobId}.json`);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('offers waiting for a person', () => {
  test('an approved offer reaches the waiting agent and leaves the queue', async () => {
    queue.enqueue(offer('job-a'));
    expect(queue.pending().map((o) => o.jobId)).toEqual(['job-a']);

    const waiting = queue.waitForDecision('job-a', new Date(Date.now() + 10_000), undefined, FAST_POLL_MS);
    const decision = queue.decide('job-a', { approve: true, reason: 'looked fine', by: 'alice' }, NOW);

    expect(decision).toEqual({ jobId: 'job-a', approve: true, reason: 'looked fine', by: 'alice', at: NOW.toISOString() });
    await expect(waiting).resolves.toEqual(decision);
    expect(existsSync(pendingFile('job-a'))).toBe(false);
    expect(readdirSync(join(workDir, 'moderation', 'decisions'))).toEqual([]);
    expect(queue.pending()).toEqual([]);
  });

  test('a rejection needs a reason', () => {
    queue.enqueue(offer('job-a'));

    expect(codeOf(() => queue.decide('job-a', { approve: false, reason: '  ', by: 'alice' }))).toBe('REASON_REQUIRED');
    expect(queue.get('job-a')).toBeDefined();
    expect(queue.decide('job-a', { approve: false, reason: 'not our data', by: 'alice' }).approve).toBe(false);
  });

  test('an offer is decided once; the second decision is refused and names the first', () => {
    queue.enqueue(offer('job-a'));
    queue.decide('job-a', { approve: true, reason: '', by: 'alice' }, NOW);

    expect(() => queue.decide('job-a', { approve: false, reason: 'no', by: 'bob' }, NOW)).toThrow(`job job-a was already approved by alice at ${NOW.toISOString()}`);
    expect(queue.takeDecision('job-a')?.by).toBe('alice');
  });

  test('deciding a job that is not waiting is refused with the jobs that are', () => {
    queue.enqueue(offer('job-a'));

    expect(codeOf(() => queue.decide('job-z', { approve: true, reason: '', by: 'alice' }))).toBe('NOT_PENDING');
    expect(() => queue.decide('job-z', { approve: true, reason: '', by: 'alice' })).toThrow(/waiting: job-a$/);
  });

  test('an offer nobody decides expires: the agent hears "expired" and the entry is gone', async () => {
    queue.enqueue(offer('job-a', { expiresAt: new Date(Date.now() + 50) }));

    const outcome = await queue.waitForDecision('job-a', new Date(Date.now() + 50), undefined, FAST_POLL_MS);

    expect(outcome).toBe('expired');
    expect(existsSync(pendingFile('job-a'))).toBe(false);
    expect(readdirSync(join(workDir, 'moderation', 'decisions'))).toEqual([]);
    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice' }))).toBe('NOT_PENDING');
  });

  test('deciding after the expiry time is refused even before the agent has noticed', () => {
    queue.enqueue(offer('job-a', { expiresAt: NOW }));

    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice' }, new Date(NOW.getTime() + 1)))).toBe('OFFER_EXPIRED');
    expect(queue.takeDecision('job-a')).toBeUndefined();
  });

  test('a decision made before the agent (re)starts waiting is taken at once, even past the expiry time', async () => {
    queue.enqueue(offer('job-a', { expiresAt: new Date(Date.now() + 60_000) }));
    queue.decide('job-a', { approve: true, reason: '', by: 'alice' });

    await expect(queue.waitForDecision('job-a', new Date(Date.now() - 1), undefined, FAST_POLL_MS)).resolves.toMatchObject({ approve: true, by: 'alice' });
  });

  test('aborting the wait returns "aborted" promptly and keeps the entry for a restarted agent', async () => {
    queue.enqueue(offer('job-a'));
    const controller = new AbortController();

    const started = Date.now();
    const waiting = queue.waitForDecision('job-a', new Date(Date.now() + 60_000), controller.signal, 30_000);
    setTimeout(() => controller.abort(), 20);

    await expect(waiting).resolves.toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(queue.get('job-a')?.jobId).toBe('job-a');
  });

  test('a second queue on the same workDir, as the CLI process has, sees and changes the same state', async () => {
    const cli = new ModerationQueue(workDir);
    queue.enqueue(offer('job-a'));

    expect(cli.pending().map((o) => o.jobId)).toEqual(['job-a']);
    const waiting = queue.waitForDecision('job-a', new Date(Date.now() + 10_000), undefined, FAST_POLL_MS);
    cli.decide('job-a', { approve: false, reason: 'not this quarter', by: 'bob' });

    await expect(waiting).resolves.toMatchObject({ approve: false, reason: 'not this quarter', by: 'bob' });
    expect(cli.pending()).toEqual([]);
  });

  test('the list is oldest first, leaves out decided offers, and names files it cannot read', () => {
    queue.enqueue(offer('job-late', { receivedAt: new Date(NOW.getTime() + 1000) }));
    queue.enqueue(offer('job-early', { receivedAt: NOW }));
    queue.enqueue(offer('job-decided'));
    queue.decide('job-decided', { approve: true, reason: '', by: 'alice' });
    writeFileSync(pendingFile('job-broken'), '{ not json');

    const { offers, unreadable } = queue.scanPending();

    expect(offers.map((o) => o.jobId)).toEqual(['job-early', 'job-late']);
    expect(unreadable.map((u) => u.file)).toEqual([pendingFile('job-broken')]);
    expect(queue.pending().map((o) => o.jobId)).toEqual(['job-early', 'job-late']);
  });

  test('forgetJob removes the pending entry, the decision and the releases', () => {
    queue.enqueue(offer('job-a'));
    queue.decide('job-a', { approve: true, reason: '', by: 'alice' });
    queue.requestRelease(releaseRequest('job-a', 1));

    queue.forgetJob('job-a');

    expect(queue.get('job-a')).toBeUndefined();
    expect(queue.takeDecision('job-a')).toBeUndefined();
    expect(queue.pendingReleases()).toEqual([]);
    expect(existsSync(join(workDir, 'moderation', 'releases', 'job-a'))).toBe(false);
  });
});

describe('job ids', () => {
  test.each(['../x', '../../etc/passwd', 'a/b', 'UPPER', '.hidden', ''])('%j is refused before any path is built', (jobId) => {
    expect(codeOf(() => queue.enqueue({ ...offer('job-a'), jobId }))).toBe('INVALID_JOB_ID');
    expect(codeOf(() => queue.get(jobId))).toBe('INVALID_JOB_ID');
    expect(codeOf(() => queue.decide(jobId, { approve: true, reason: '', by: 'alice' }))).toBe('INVALID_JOB_ID');
    expect(codeOf(() => queue.release(jobId, 1, 'alice'))).toBe('INVALID_JOB_ID');
    expect(codeOf(() => queue.forgetJob(jobId))).toBe('INVALID_JOB_ID');
    expect(existsSync(join(workDir, 'moderation'))).toBe(false);
  });

  test('the refusal says what a job id looks like', () => {
    expect(() => queue.get('../x')).toThrow('"../x" is not a job id: expected a lower-case identifier');
  });
});

describe('round outputs waiting for release', () => {
  test('a released round reaches the waiting agent, and is released once', async () => {
    queue.requestRelease(releaseRequest('job-a', 2));
    expect(queue.pendingReleases('job-a').map((r) => [r.round, r.collectionId])).toEqual([[2, 'fit-2']]);

    const waiting = queue.waitForRelease('job-a', 2, new Date(Date.now() + 10_000), undefined, FAST_POLL_MS);
    const release = queue.release('job-a', 2, 'alice', 'norm looks normal', NOW);

    expect(release).toEqual({ jobId: 'job-a', round: 2, collectionId: 'fit-2', by: 'alice', at: NOW.toISOString(), reason: 'norm looks normal' });
    await expect(waiting).resolves.toEqual(release);
    expect(queue.pendingReleases()).toEqual([]);
    expect(codeOf(() => queue.release('job-a', 2, 'bob'))).toBe('ALREADY_RELEASED');
  });

  test('releasing a round that is not waiting is refused with the rounds that are', () => {
    queue.requestRelease(releaseRequest('job-a', 1));

    expect(codeOf(() => queue.release('job-a', 3, 'alice'))).toBe('NOT_PENDING');
    expect(() => queue.release('job-a', 3, 'alice')).toThrow('round 3 of job job-a is not waiting for release; rounds waiting: 1');
    expect(codeOf(() => queue.release('job-a', -1, 'alice'))).toBe('INVALID_ROUND');
  });

  test('a round nobody releases expires: the agent hears "expired" and the request is gone', async () => {
    queue.requestRelease(releaseRequest('job-a', 1, { deadline: new Date(Date.now() + 50) }));

    const outcome = await queue.waitForRelease('job-a', 1, new Date(Date.now() + 50), undefined, FAST_POLL_MS);

    expect(outcome).toBe('expired');
    expect(queue.pendingReleases('job-a')).toEqual([]);
    expect(codeOf(() => queue.release('job-a', 1, 'alice'))).toBe('NOT_PENDING');
  });

  test('releasing past the deadline is refused even before the agent has noticed', () => {
    queue.requestRelease(releaseRequest('job-a', 1, { deadline: NOW }));

    expect(codeOf(() => queue.release('job-a', 1, 'alice', '', new Date(NOW.getTime() + 1)))).toBe('RELEASE_EXPIRED');
  });

  test("a release answers only its own collection: the round's next output waits for its own release", async () => {
    queue.requestRelease(releaseRequest('job-a', 3, { collectionId: 'fit-3' }));
    queue.release('job-a', 3, 'alice');
    await expect(queue.waitForRelease('job-a', 3, new Date(Date.now() + 1000), undefined, FAST_POLL_MS)).resolves.toMatchObject({ collectionId: 'fit-3' });

    queue.requestRelease({ ...releaseRequest('job-a', 3, { collectionId: 'evaluate-3' }), kind: 'evaluate' });

    expect(queue.pendingReleases('job-a').map((r) => r.collectionId)).toEqual(['evaluate-3']);
    await expect(queue.waitForRelease('job-a', 3, new Date(Date.now() + 50), undefined, FAST_POLL_MS)).resolves.toBe('expired');
  });

  test('aborting the wait for a release returns "aborted" and keeps the request', async () => {
    queue.requestRelease(releaseRequest('job-a', 1));
    const controller = new AbortController();
    controller.abort();

    await expect(queue.waitForRelease('job-a', 1, new Date(Date.now() + 60_000), controller.signal)).resolves.toBe('aborted');
    expect(queue.pendingReleases('job-a')).toHaveLength(1);
  });

  test('pending releases of every job are listed by job, then round', () => {
    queue.requestRelease(releaseRequest('job-b', 1));
    queue.requestRelease(releaseRequest('job-a', 10));
    queue.requestRelease(releaseRequest('job-a', 2));

    expect(new ModerationQueue(workDir).pendingReleases().map((r) => `${r.jobId}/${r.round}`)).toEqual(['job-a/2', 'job-a/10', 'job-b/1']);
  });
});
