/**
 * The organisation console's decision route over real HTTP, against the
 * real moderation queue files: the page sends back the SHA-256 of the offer
 * it showed, and a decision for any other offer of the job is refused.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { compileJobSpec } from '../../common/job-spec';
import { addConsoleUser, ConsoleUsers, type ConsoleServer } from '../../console';
import { compileAgentConfig, type AgentConfig } from '../agent-config';
import { ModerationQueue, type PendingOffer } from '../moderation-queue';
import { startOrganisationConsole } from './organisation-console';

const example = parse(readFileSync(join(__dirname, '..', '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
const PASSWORD = 'moderator-password-1';

let dir: string;
let server: ConsoleServer;
let queue: ModerationQueue;
let cookie: string;

const hashOf = (jobId: string, version: string): string => createHash('sha256').update(`${jobId}/${version}`).digest('hex');

function offer(jobId: string, version: string): PendingOffer {
  return {
    jobId,
    offerSha256: hashOf(jobId, version),
    requester: 'regulator',
    receivedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    spec: compileJobSpec({ ...example, jobId }),
    coordinator: '127.0.0.1:1',
    aggregator: '127.0.0.1:2',
    dataPath: join(dir, 'bank-1.csv'),
    reasons: [{ rule: 'requesters', outcome: 'ask', reason: 'requester "regulator" needs a person\'s approval' }],
    modelParameters: 1345,
  };
}

const url = (path: string): string => new URL(path, server.url).toString();

function post(path: string, body: unknown): Promise<Response> {
  return fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-organisation-console-'));
  const webDir = join(dir, 'web');
  mkdirSync(webDir);
  writeFileSync(join(webDir, 'organisation.html'), '<p>organisation</p>');
  writeFileSync(join(dir, 'policy.yaml'), '{}\n');
  addConsoleUser(join(dir, 'users.yaml'), 'alice', PASSWORD);
  const config = compileAgentConfig({
    orgId: 'bank-1', policy: 'policy.yaml', datasets: { 'credit-default': { path: 'bank-1.csv' } }, workDir: 'work',
    tls: { ca: 'ca.pem', cert: 'bank-1.pem', key: 'bank-1.key.pem' }, console: { port: 0, users: 'users.yaml' },
  }, dir);
  queue = new ModerationQueue(config.workDir);
  server = await startOrganisationConsole({
    config: config as AgentConfig & { console: NonNullable<AgentConfig['console']> },
    activeJobs: () => [],
    users: ConsoleUsers.load(join(dir, 'users.yaml')),
    logger: pino({ level: 'silent' }),
    webDir,
  });
  const login = await fetch(url('/api/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'alice', password: PASSWORD }) });
  cookie = login.headers.getSetCookie()[0].split(';')[0];
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  queue.forgetJob('job-a');
});

test('the queue view names each waiting offer by its SHA-256', async () => {
  queue.enqueue(offer('job-a', 'a'));

  const view = (await (await fetch(url('/api/queue'), { headers: { cookie } })).json()) as { offers: Array<{ jobId: string; offerSha256: string; description: string }> };

  expect(view.offers.map((o) => [o.jobId, o.offerSha256])).toEqual([['job-a', hashOf('job-a', 'a')]]);
  expect(view.offers[0].description).toContain(`offer sha256 ${hashOf('job-a', 'a')}`);
});

test('an approval sent for the offer the page showed, after the requester replaced it, is 409 OFFER_CHANGED and records nothing', async () => {
  // The page showed offer A; the requester has since sent B under the same job id.
  queue.enqueue(offer('job-a', 'b'));

  const response = await post('/api/queue/offers/job-a/decision', { offerSha256: hashOf('job-a', 'a'), approve: true, reason: '' });

  expect(response.status).toBe(409);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe('OFFER_CHANGED');
  expect(queue.takeDecision('job-a', hashOf('job-a', 'b'))).toBeUndefined();
  expect(queue.pending().map((o) => o.offerSha256)).toEqual([hashOf('job-a', 'b')]);
});

test('a decision that names no offer, or only a prefix of one, is refused with 400', async () => {
  queue.enqueue(offer('job-a', 'a'));

  const missing = await post('/api/queue/offers/job-a/decision', { approve: true, reason: '' });
  const prefix = await post('/api/queue/offers/job-a/decision', { offerSha256: hashOf('job-a', 'a').slice(0, 16), approve: true, reason: '' });

  expect([missing.status, prefix.status]).toEqual([400, 400]);
  expect([((await missing.json()) as { error: { code: string } }).error.code, ((await prefix.json()) as { error: { code: string } }).error.code]).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
  expect(queue.takeDecision('job-a', hashOf('job-a', 'a'))).toBeUndefined();
});

test('a decision naming the offer waiting is recorded under the logged-in user, bound to that offer', async () => {
  queue.enqueue(offer('job-a', 'a'));

  const response = await post('/api/queue/offers/job-a/decision', { offerSha256: hashOf('job-a', 'a'), approve: true, reason: 'committee agreed' });

  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ jobId: 'job-a', approved: true });
  expect(queue.takeDecision('job-a', hashOf('job-a', 'a'))).toMatchObject({ offerSha256: hashOf('job-a', 'a'), approve: true, reason: 'committee agreed', by: 'alice' });
});
