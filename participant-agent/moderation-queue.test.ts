import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileJobSpec } from '../common/job-spec';
import { ModerationQueue, type PendingOffer, type PendingRelease } from './moderation-queue';

const example = parse(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
// The real clock, since the agent's waits run on it; offers expire a minute after this.
const NOW = new Date();
const FAST_POLL_MS = 5;
const fast = { pollMs: FAST_POLL_MS };

/** A stand-in for the SHA-256 of the signed offer of `jobId`; `version` tells two offers of the same job apart. */
function hashOf(jobId: string, version = 'a'): string {
  return createHash('sha256').update(`${jobId}/${version}`).digest('hex');
}

let workDir: string;
let queue: ModerationQueue;

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'shoal-moderation-'));
  queue = new ModerationQueue(workDir);
});

afterEach(() => rmSync(workDir, { recursive: true, force: true }));

function offer(jobId: string, settings: { receivedAt?: Date; expiresAt?: Date; version?: string } = {}): PendingOffer {
  return {
    jobId,
    offerSha256: hashOf(jobId, settings.version),
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

    const waiting = queue.waitForDecision('job-a', hashOf('job-a'), new Date(Date.now() + 10_000), fast);
    const decision = queue.decide('job-a', { approve: true, reason: 'looked fine', by: 'alice', offer: hashOf('job-a') }, NOW);

    expect(decision).toEqual({ jobId: 'job-a', offerSha256: hashOf('job-a'), approve: true, reason: 'looked fine', by: 'alice', at: NOW.toISOString() });
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
    queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: hashOf('job-a') }, NOW);

    expect(() => queue.decide('job-a', { approve: false, reason: 'no', by: 'bob' }, NOW)).toThrow(`job job-a was already approved by alice at ${NOW.toISOString()}`);
    expect(queue.takeDecision('job-a', hashOf('job-a'))?.by).toBe('alice');
  });

  test('deciding a job that is not waiting is refused with the jobs that are', () => {
    queue.enqueue(offer('job-a'));

    expect(codeOf(() => queue.decide('job-z', { approve: true, reason: '', by: 'alice', offer: hashOf('job-z') }))).toBe('NOT_PENDING');
    expect(() => queue.decide('job-z', { approve: true, reason: '', by: 'alice', offer: hashOf('job-z') })).toThrow(/waiting: job-a$/);
  });

  test('an offer nobody decides expires: the agent hears "expired" and the entry is gone', async () => {
    queue.enqueue(offer('job-a', { expiresAt: new Date(Date.now() + 50) }));

    const outcome = await queue.waitForDecision('job-a', hashOf('job-a'), new Date(Date.now() + 50), fast);

    expect(outcome).toBe('expired');
    expect(existsSync(pendingFile('job-a'))).toBe(false);
    expect(readdirSync(join(workDir, 'moderation', 'decisions'))).toEqual([]);
    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: hashOf('job-a') }))).toBe('NOT_PENDING');
  });

  test('deciding after the expiry time is refused even before the agent has noticed', () => {
    queue.enqueue(offer('job-a', { expiresAt: NOW }));

    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: hashOf('job-a') }, new Date(NOW.getTime() + 1)))).toBe('OFFER_EXPIRED');
    expect(queue.takeDecision('job-a', hashOf('job-a'))).toBeUndefined();
  });

  test('a decision made before the agent (re)starts waiting is taken at once, even past the expiry time', async () => {
    queue.enqueue(offer('job-a', { expiresAt: new Date(Date.now() + 60_000) }));
    queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: hashOf('job-a') });

    await expect(queue.waitForDecision('job-a', hashOf('job-a'), new Date(Date.now() - 1), fast)).resolves.toMatchObject({ approve: true, by: 'alice' });
  });

  test('aborting the wait returns "aborted" promptly and keeps the entry for a restarted agent', async () => {
    queue.enqueue(offer('job-a'));
    const controller = new AbortController();

    const started = Date.now();
    const waiting = queue.waitForDecision('job-a', hashOf('job-a'), new Date(Date.now() + 60_000), { signal: controller.signal, pollMs: 30_000 });
    setTimeout(() => controller.abort(), 20);

    await expect(waiting).resolves.toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(queue.get('job-a')?.jobId).toBe('job-a');
  });

  test('a second queue on the same workDir, as the CLI process has, sees and changes the same state', async () => {
    const cli = new ModerationQueue(workDir);
    queue.enqueue(offer('job-a'));

    expect(cli.pending().map((o) => o.jobId)).toEqual(['job-a']);
    const waiting = queue.waitForDecision('job-a', hashOf('job-a'), new Date(Date.now() + 10_000), fast);
    cli.decide('job-a', { approve: false, reason: 'not this quarter', by: 'bob' });

    await expect(waiting).resolves.toMatchObject({ approve: false, reason: 'not this quarter', by: 'bob' });
    expect(cli.pending()).toEqual([]);
  });

  test('the list is oldest first, leaves out decided offers, and names files it cannot read', () => {
    queue.enqueue(offer('job-late', { receivedAt: new Date(NOW.getTime() + 1000) }));
    queue.enqueue(offer('job-early', { receivedAt: NOW }));
    queue.enqueue(offer('job-decided'));
    queue.decide('job-decided', { approve: true, reason: '', by: 'alice', offer: hashOf('job-decided') });
    writeFileSync(pendingFile('job-broken'), '{ not json');

    const { offers, unreadable } = queue.scanPending();

    expect(offers.map((o) => o.jobId)).toEqual(['job-early', 'job-late']);
    expect(unreadable.map((u) => u.file)).toEqual([pendingFile('job-broken')]);
    expect(queue.pending().map((o) => o.jobId)).toEqual(['job-early', 'job-late']);
  });

  test('forgetJob removes the pending entry, the decision and the releases', () => {
    queue.enqueue(offer('job-a'));
    queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: hashOf('job-a') });
    queue.requestRelease(releaseRequest('job-a', 1));

    queue.forgetJob('job-a');

    expect(queue.get('job-a')).toBeUndefined();
    expect(queue.takeDecision('job-a', hashOf('job-a'))).toBeUndefined();
    expect(queue.pendingReleases()).toEqual([]);
    expect(existsSync(join(workDir, 'moderation', 'releases', 'job-a'))).toBe(false);
  });
});

describe('a decision binds to the offer the person read', () => {
  const A = hashOf('job-a', 'a');
  const B = hashOf('job-a', 'b');

  test('an approval must name the offer, by its hash or a prefix of at least 32 hex digits (the requester picks both offers: a birthday search)', () => {
    queue.enqueue(offer('job-a'));

    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice' }))).toBe('OFFER_HASH_REQUIRED');
    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: A.slice(0, 31) }))).toBe('INVALID_OFFER_HASH');
    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: 'not-a-hash-at-all' }))).toBe('INVALID_OFFER_HASH');
    expect(readdirSync(join(workDir, 'moderation'))).toEqual(['pending']);

    expect(queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: A.slice(0, 32).toUpperCase() }, NOW)).toEqual({ jobId: 'job-a', offerSha256: A, approve: true, reason: '', by: 'alice', at: NOW.toISOString() });
  });

  test('a decision naming another offer than the one waiting is refused with OFFER_CHANGED and nothing is recorded', () => {
    queue.enqueue(offer('job-a', { version: 'b' }));

    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: A.slice(0, 32) }))).toBe('OFFER_CHANGED');
    expect(() => queue.decide('job-a', { approve: false, reason: 'no', by: 'alice', offer: A })).toThrow(
      `the offer of job job-a waiting now is ${B.slice(0, 16)}…, not the ${A.slice(0, 16)}… you named: the requester sent a different offer under the same job id; read it with shoal agent show job-a and decide on it`,
    );
    expect(existsSync(join(workDir, 'moderation', 'decisions'))).toBe(false);
    expect(queue.pending().map((o) => o.offerSha256)).toEqual([B]);
  });

  test('a rejection without a hash applies to the offer waiting now', () => {
    queue.enqueue(offer('job-a', { version: 'b' }));

    expect(queue.decide('job-a', { approve: false, reason: 'not this quarter', by: 'bob' }).offerSha256).toBe(B);
  });

  test('the agent discards a decision made on another offer of the job, and the new offer waits for its own', async () => {
    // The person approved offer A; the requester then replaced it with B under the same job id (after an agent restart, say).
    queue.enqueue(offer('job-a', { version: 'a' }));
    queue.decide('job-a', { approve: true, reason: 'read A', by: 'alice', offer: A }, NOW);
    queue.enqueue(offer('job-a', { version: 'b' }));
    const stale: unknown[] = [];

    expect(queue.takeDecision('job-a', B, (d) => stale.push(d))).toBeUndefined();

    expect(stale).toEqual([{ jobId: 'job-a', offerSha256: A, approve: true, reason: 'read A', by: 'alice', at: NOW.toISOString() }]);
    expect(readdirSync(join(workDir, 'moderation', 'decisions'))).toEqual([]);
    expect(queue.pending().map((o) => o.offerSha256)).toEqual([B]);
    const waiting = queue.waitForDecision('job-a', B, new Date(Date.now() + 10_000), { ...fast, onStale: (d) => stale.push(d) });
    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: A }))).toBe('OFFER_CHANGED');
    queue.decide('job-a', { approve: true, reason: 'read B', by: 'alice', offer: B.slice(0, 32) });
    await expect(waiting).resolves.toMatchObject({ offerSha256: B, reason: 'read B' });
    expect(stale).toHaveLength(1);
  });

  test('a decision file that names no offer (written before decisions did) is never applied', async () => {
    queue.enqueue(offer('job-a'));
    mkdirSync(join(workDir, 'moderation', 'decisions'));
    writeFileSync(join(workDir, 'moderation', 'decisions', 'job-a.json'), JSON.stringify({ jobId: 'job-a', approve: true, reason: '', by: 'mallory', at: NOW.toISOString() }));
    const stale: Array<{ by: string }> = [];

    const outcome = await queue.waitForDecision('job-a', A, new Date(Date.now() + 50), { ...fast, onStale: (d) => stale.push(d) });

    expect(outcome).toBe('expired');
    expect(stale.map((d) => d.by)).toEqual(['mallory']);
  });

  test('a decision on an earlier offer not yet discarded blocks a decision on the new one until the agent discards it', () => {
    queue.enqueue(offer('job-a', { version: 'a' }));
    queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: A });
    queue.enqueue(offer('job-a', { version: 'b' }));

    expect(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: B })).toThrow(`a decision on an earlier offer of job job-a (${A.slice(0, 16)}) waits for the agent to discard it; try again in a moment`);
    expect(queue.takeDecision('job-a', B)).toBeUndefined();
    expect(queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: B }).offerSha256).toBe(B);
    expect(queue.takeDecision('job-a', B)?.offerSha256).toBe(B);
  });

  test('a pending entry without its offer hash is not one the agent wrote', () => {
    queue.enqueue(offer('job-a'));
    const { offerSha256: _dropped, ...unbound } = offer('job-a');
    writeFileSync(pendingFile('job-a'), JSON.stringify(unbound));

    expect(codeOf(() => queue.get('job-a'))).toBe('PENDING_UNREADABLE');
    expect(codeOf(() => queue.decide('job-a', { approve: true, reason: '', by: 'alice', offer: A }))).toBe('PENDING_UNREADABLE');
  });
});

describe('job ids', () => {
  test.each(['../x', '../../etc/passwd', 'a/b', 'UPPER', '.hidden', ''])('%j is refused before any path is built', (jobId) => {
    expect(codeOf(() => queue.enqueue({ ...offer('job-a'), jobId }))).toBe('INVALID_JOB_ID');
    expect(codeOf(() => queue.get(jobId))).toBe('INVALID_JOB_ID');
    expect(codeOf(() => queue.decide(jobId, { approve: true, reason: '', by: 'alice', offer: hashOf('job-a') }))).toBe('INVALID_JOB_ID');
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
