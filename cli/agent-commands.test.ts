import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { compileJobSpec } from '../common/job-spec';
import { EXIT_CODES } from '../common/process-lifecycle';
import { runCliInProcess, type CliOutcome } from '../common/testing/in-process-cli';
import { ModerationQueue, type PendingOffer } from '../participant-agent';
import { registerAgentCommands } from './agent-commands';

const example = parse(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;

let dir: string;
let configPath: string;
let queue: ModerationQueue;
const loginName = process.env.USER;

/** The one place that knows the agent config's shape, which is still changing. */
function writeAgentConfig(folder: string): string {
  writeFileSync(join(folder, 'policy.yaml'), '{}\n');
  const document = { orgId: 'bank-1', policy: 'policy.yaml', datasets: { 'credit-default': { path: 'bank-1.csv' } }, workDir: 'work', tls: { ca: 'ca.pem', cert: 'bank-1.pem', key: 'bank-1.key.pem' } };
  const path = join(folder, 'agent.yaml');
  writeFileSync(path, stringify(document));
  return path;
}

/** A stand-in for the SHA-256 of the signed offer of `jobId`; `version` tells two offers of the same job apart. */
function hashOf(jobId: string, version = 'a'): string {
  return createHash('sha256').update(`${jobId}/${version}`).digest('hex');
}

function offer(jobId: string, version = 'a'): PendingOffer {
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

/** Runs `shoal …` in-process, with shoal.ts's error-to-exit-code mapping and without exiting. */
function shoal(...args: string[]): Promise<CliOutcome> {
  return runCliInProcess(registerAgentCommands, ['CONFIG_INVALID', 'UNKNOWN_JOB'], args);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-agent-cli-'));
  configPath = writeAgentConfig(dir);
  queue = new ModerationQueue(join(dir, 'work'));
  process.env.USER = 'operator';
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (loginName === undefined) delete process.env.USER;
  else process.env.USER = loginName;
});

describe('shoal agent pending', () => {
  test('says when nothing is waiting', async () => {
    await expect(shoal('agent', 'pending', '--config', configPath)).resolves.toEqual({ exitCode: 0, stdout: 'no offers are waiting for a decision\n', stderr: '' });
  });

  test('lists the waiting offers and points at round outputs waiting for release', async () => {
    queue.enqueue(offer('job-a'));
    queue.requestRelease({ jobId: 'job-b', round: 1, collectionId: 'fit-1', kind: 'fit', requestedAt: new Date().toISOString(), deadline: new Date(Date.now() + 60_000).toISOString(), summary: { elements: 3, weight: 1, l2Norm: 1, sha256: '00'.repeat(32) } });

    const { exitCode, stdout } = await shoal('agent', 'pending', '--config', configPath);

    expect(exitCode).toBe(0);
    expect(stdout).toMatch(new RegExp(`^job-a +${hashOf('job-a').slice(0, 16)} +regulator +credit-default +(9 min 5\\d s|10 min) +requesters$`, 'm'));
    expect(stdout).toContain('1 round output(s) wait for release: shoal agent release job-b');
  });

  test('refuses an invalid config with exit 2', async () => {
    writeFileSync(configPath, 'orgId: Not An Id\n');

    const { exitCode, stderr } = await shoal('agent', 'pending', '--config', configPath);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toMatch(/^shoal: agent config is invalid/);
    expect(stderr).toContain('orgId: expected a lower-case identifier');
  });
});

describe('shoal agent show', () => {
  test('describes the offer', async () => {
    queue.enqueue(offer('job-a'));

    const { exitCode, stdout } = await shoal('agent', 'show', 'job-a', '--config', configPath);

    expect(exitCode).toBe(0);
    expect(stdout).toContain('Job job-a, requested by regulator');
    expect(stdout).toContain(`  offer sha256 ${hashOf('job-a')}: a decision applies to this exact offer only`);
    expect(stdout).toContain(`shoal agent approve job-a --offer ${hashOf('job-a')}`);
    expect(stdout).toContain('a masked model update of 1,345 values');
  });

  test('an unknown job exits 2 and lists the jobs that are waiting', async () => {
    queue.enqueue(offer('job-a'));
    queue.enqueue(offer('job-b'));

    await expect(shoal('agent', 'show', 'job-z', '--config', configPath)).resolves.toEqual({
      exitCode: EXIT_CODES.config,
      stdout: '',
      stderr: 'shoal: no offer of job job-z is waiting for a decision; waiting: job-a, job-b\n',
    });
  });

  test('a job id that is a path exits 2', async () => {
    const { exitCode, stderr } = await shoal('agent', 'show', '../x', '--config', configPath);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toContain('"../x" is not a job id');
  });

  test.each([
    ['is not JSON', '{"jobId": "job-a", "spe', /^shoal: the pending entry of job job-a is not JSON: /],
    ['is JSON but not an offer', '{"jobId": "job-b"}\n', /^shoal: the pending entry of job job-a is not an offer the agent wrote\n$/],
  ])('a pending entry that %s exits 2 and says so', async (_name, text, message) => {
    queue.enqueue(offer('job-a'));
    writeFileSync(join(dir, 'work', 'moderation', 'pending', 'job-a.json'), text);

    const { exitCode, stderr } = await shoal('agent', 'show', 'job-a', '--config', configPath);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toMatch(message);
  });
});

describe('shoal agent approve and reject', () => {
  test('approve records the decision under the login name', async () => {
    queue.enqueue(offer('job-a'));

    const outcome = await shoal('agent', 'approve', 'job-a', '--offer', hashOf('job-a').slice(0, 32), '--reason', 'reviewed', '--config', configPath);

    expect(outcome).toEqual({ exitCode: 0, stdout: `approved job-a (offer ${hashOf('job-a')}); the agent will join\n`, stderr: '' });
    expect(queue.takeDecision('job-a', hashOf('job-a'))).toMatchObject({ approve: true, reason: 'reviewed', by: 'operator' });
  });

  test('approving twice exits 2 and says who decided', async () => {
    queue.enqueue(offer('job-a'));
    await shoal('agent', 'approve', 'job-a', '--offer', hashOf('job-a'), '--by', 'alice', '--config', configPath);

    const { exitCode, stderr } = await shoal('agent', 'approve', 'job-a', '--offer', hashOf('job-a'), '--config', configPath);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toMatch(/^shoal: job job-a was already approved by alice at /);
  });

  test('reject records the reason and who rejected', async () => {
    queue.enqueue(offer('job-a'));

    const outcome = await shoal('agent', 'reject', 'job-a', '--reason', 'not our data', '--by', 'bob', '--config', configPath);

    expect(outcome).toEqual({ exitCode: 0, stdout: `rejected job-a (offer ${hashOf('job-a')}); the agent will decline\n`, stderr: '' });
    expect(queue.takeDecision('job-a', hashOf('job-a'))).toMatchObject({ approve: false, reason: 'not our data', by: 'bob' });
  });

  test('reject without a reason is refused', async () => {
    queue.enqueue(offer('job-a'));

    const missing = await shoal('agent', 'reject', 'job-a', '--config', configPath);
    const blank = await shoal('agent', 'reject', 'job-a', '--reason', ' ', '--config', configPath);

    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain("required option '--reason <text>' not specified");
    expect(blank.exitCode).toBe(EXIT_CODES.config);
    expect(blank.stderr).toContain('rejecting job job-a needs a reason');
    expect(queue.takeDecision('job-a', hashOf('job-a'))).toBeUndefined();
  });

  test('deciding a job that is not waiting exits 2', async () => {
    const { exitCode, stderr } = await shoal('agent', 'approve', 'job-z', '--offer', hashOf('job-z'), '--config', configPath);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toContain('no offer of job job-z is waiting for a decision');
  });
});

describe('approve and reject name the offer the person read', () => {
  test('approve without --offer is refused and records nothing', async () => {
    queue.enqueue(offer('job-a'));

    const { exitCode, stderr } = await shoal('agent', 'approve', 'job-a', '--config', configPath);

    expect(exitCode).not.toBe(0);
    expect(stderr).toContain("required option '--offer <sha256>' not specified");
    expect(queue.takeDecision('job-a', hashOf('job-a'))).toBeUndefined();
  });

  test('approving with the hash of an offer that is no longer the one waiting exits 2 naming OFFER_CHANGED, and approves nothing', async () => {
    // The person read offer A; the requester replaced it with B under the same job id.
    queue.enqueue(offer('job-a', 'b'));
    const read = hashOf('job-a', 'a');
    const waiting = hashOf('job-a', 'b');

    const outcome = await shoal('agent', 'approve', 'job-a', '--offer', read.slice(0, 32), '--by', 'alice', '--config', configPath);

    expect(outcome).toEqual({
      exitCode: EXIT_CODES.config,
      stdout: '',
      stderr: `shoal: OFFER_CHANGED: the offer of job job-a waiting now is ${waiting.slice(0, 16)}…, not the ${read.slice(0, 16)}… you named: the requester sent a different offer under the same job id; read it with shoal agent show job-a and decide on it\n`,
    });
    expect(queue.takeDecision('job-a', waiting)).toBeUndefined();
    expect(queue.pending().map((o) => o.offerSha256)).toEqual([waiting]);
  });

  test('rejecting with a mismatched hash is refused the same way; a prefix too short to bind is refused', async () => {
    queue.enqueue(offer('job-a', 'b'));

    const mismatched = await shoal('agent', 'reject', 'job-a', '--offer', hashOf('job-a', 'a'), '--reason', 'no', '--config', configPath);
    const short = await shoal('agent', 'approve', 'job-a', '--offer', hashOf('job-a', 'b').slice(0, 8), '--config', configPath);

    expect(mismatched.exitCode).toBe(EXIT_CODES.config);
    expect(mismatched.stderr).toMatch(/^shoal: OFFER_CHANGED: the offer of job job-a waiting now is /);
    expect(short.exitCode).toBe(EXIT_CODES.config);
    expect(short.stderr).toMatch(/^shoal: INVALID_OFFER_HASH: "[0-9a-f]{8}" does not name an offer: expected the offer's SHA-256 or its first 32 or more hex digits/);
  });
});

describe('shoal agent release', () => {
  beforeEach(() => {
    queue.requestRelease({ jobId: 'job-a', round: 2, collectionId: 'fit-2', kind: 'fit', requestedAt: new Date().toISOString(), deadline: new Date(Date.now() + 60_000).toISOString(), summary: { elements: 1345, weight: 240, l2Norm: 0.75, sha256: 'ab'.repeat(32) } });
  });

  test('without a round lists the rounds waiting', async () => {
    const { exitCode, stdout } = await shoal('agent', 'release', 'job-a', '--config', configPath);

    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^2 +fit +1,345 +240 +0\.750000 +abababababababab +(\d+ s|1 min)$/m);
  });

  test('with a round releases it', async () => {
    const { exitCode, stdout } = await shoal('agent', 'release', 'job-a', '2', '--reason', 'norm fine', '--config', configPath);

    expect(exitCode).toBe(0);
    expect(stdout).toBe('released round 2 of job-a; the agent will send it\n');
    await expect(queue.waitForRelease('job-a', 2, new Date(Date.now() + 1000))).resolves.toMatchObject({ by: 'operator', reason: 'norm fine', collectionId: 'fit-2' });
  });

  test('a round that is not waiting exits 2; a round that is not a number is refused', async () => {
    const absent = await shoal('agent', 'release', 'job-a', '5', '--config', configPath);
    const word = await shoal('agent', 'release', 'job-a', 'five', '--config', configPath);

    expect(absent.exitCode).toBe(EXIT_CODES.config);
    expect(absent.stderr).toBe('shoal: round 5 of job job-a is not waiting for release; rounds waiting: 2\n');
    expect(word.exitCode).not.toBe(0);
    expect(word.stderr).toContain('expected a whole number');
  });
});
