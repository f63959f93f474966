/**
 * Moderation at every organisation, end to end with a real nats-server and
 * every component as its own process. In the first job bank-1's policy asks
 * a person, who approves it with `shoal agent approve` and releases each
 * round's output with `shoal agent release`; bank-2's policy approves on its
 * own; bank-3's person rejects with `shoal agent reject` and keeps the reason
 * private. The job runs with bank-1 and bank-2, and both sides' records
 * agree. In the second job bank-3's output policy withholds every update (an
 * L2 bound no update meets), so bank-3 withdraws after two violations.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry } from '../common/audit';
import type { JobReport } from '../coordinator';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { offerHash, openDecision, signOffer, type DecisionBody, type OfferReceipt, type SignedOffer } from '../common/offer-protocol';
import type { IdentityKeyPair } from '../common/secagg';
import { loadSigningKey } from '../common/signing';
import { ModerationQueue } from '../participant-agent';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData, type BankData } from './support/bank-data';
import { readJobReport } from './support/job-report';
import { uniqueJobId, writeJobSpec } from './support/job-spec';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey, type RegulatorKey } from './support/regulator-key';
import { createTestPki, type TestPki } from './support/test-pki';
import { assertBuilt } from './support/repo-paths';
import { runShoal, shoalResult, startAgent, startShoal, type CliResult } from './support/shoal-processes';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const BANKS = ['bank-1', 'bank-2', 'bank-3'];
const JOB_TIMEOUT_MS = 150_000;

function auditEntries(path: string): AuditEntry[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AuditEntry);
}

function ofJob(entries: AuditEntry[], jobId: string, type: string): AuditEntry[] {
  return entries.filter((e) => e.type === type && e.data.jobId === jobId);
}

/** Polls until `check` returns something, or fails after `timeoutMs`. */
async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = await check();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('moderation by each organisation, with audit trails on both sides', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let data: BankData;
  let regulator: RegulatorKey;
  let pki: TestPki;

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('moderation');
    data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 800, heldOutRows: 0, seed: 'moderation' });
    regulator = writeRegulatorKey(dir);
    pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
  });

  afterEach(async () => {
    await processes.stopAll();
  });

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  /** Starts the three banks under `where`, each with its own policy; returns their config paths. */
  async function startBanks(where: string, policies: Record<string, Record<string, unknown>>): Promise<Record<string, string>> {
    const configs: Record<string, string> = {};
    await Promise.all(
      data.banks.map(async (bank) => {
        configs[bank.orgId] = writeAgentConfig(where, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: policies[bank.orgId], tls: await pki.participant(bank.orgId) });
        return startAgent(processes, bank.orgId, configs[bank.orgId], where);
      }),
    );
    return configs;
  }

  describe('one bank approves through the CLI, one by policy, one rejects', () => {
    let where: string;
    let configs: Record<string, string>;
    let jobId: string;
    let submit: CliResult;
    let report: JobReport;
    let show: CliResult;
    const releases: CliResult[] = [];

    beforeAll(async () => {
      where = join(dir, 'three-ways');
      const key = regulator.publicKey;
      configs = await startBanks(where, {
        'bank-1': creditDefaultPolicy({ regulatorKey: key, approval: 'ask', overrides: { output: { requireRelease: true, exampleCountGranularity: 50 } } }),
        'bank-2': creditDefaultPolicy({ regulatorKey: key, approval: 'auto' }),
        'bank-3': { ...creditDefaultPolicy({ regulatorKey: key, approval: 'ask' }), shareDecisionReasons: false },
      });
      const job = writeJobSpec(where, { jobId: uniqueJobId('moderated'), invitedOrgs: BANKS, rounds: 2, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 2, admissionSeconds: 60 });
      jobId = job.spec.jobId;
      const outRoot = join(where, 'jobs');
      const cli = startShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], join(where, 'submit.log'));
      const started = Date.now();

      // bank-1's moderator sees the offer waiting, reads it, approves it.
      await eventually('the offer in bank-1\'s queue', async () => {
        const pending = await runShoal(processes, ['agent', 'pending', '--config', configs['bank-1']], 30_000);
        return pending.stdout.includes(jobId) ? pending : undefined;
      });
      show = await runShoal(processes, ['agent', 'show', jobId, '--config', configs['bank-1']], 30_000);
      // The approval names the offer alice read, as the text she was shown tells her to.
      const command = /Decide: shoal agent approve \S+ --offer ([0-9a-f]{64}) /.exec(show.stdout);
      if (!command) throw new Error(`shoal agent show named no offer hash: ${show.stdout}`);
      const approved = await runShoal(processes, ['agent', 'approve', jobId, '--offer', command[1], '--config', configs['bank-1'], '--by', 'alice', '--reason', 'risk committee agreed'], 30_000);
      if (approved.code !== 0) throw new Error(`shoal agent approve exited ${approved.code}: ${approved.stderr}`);
      // bank-3's moderator rejects it.
      await eventually('the offer in bank-3\'s queue', () => (new ModerationQueue(join(where, 'agents', 'bank-3', 'work')).get(jobId) ? true : undefined));
      const rejected = await runShoal(processes, ['agent', 'reject', jobId, '--config', configs['bank-3'], '--by', 'bob', '--reason', 'not this quarter'], 30_000);
      if (rejected.code !== 0) throw new Error(`shoal agent reject exited ${rejected.code}: ${rejected.stderr}`);

      // Each round's output at bank-1 waits until a person releases it.
      const queue = new ModerationQueue(join(where, 'agents', 'bank-1', 'work'));
      let finished = false;
      const releasing = (async () => {
        while (!finished) {
          for (const pending of queue.pendingReleases(jobId)) {
            releases.push(await runShoal(processes, ['agent', 'release', jobId, String(pending.round), '--config', configs['bank-1'], '--by', 'alice'], 30_000));
          }
          await new Promise((r) => setTimeout(r, 300));
        }
      })();
      submit = await shoalResult(cli, JOB_TIMEOUT_MS, started);
      finished = true;
      await releasing;
      report = readJobReport(outRoot, jobId);
    }, JOB_TIMEOUT_MS + 60_000);

    test('the job runs with the two organisations that approved', () => {
      expect({ code: submit.code, status: report.status }).toEqual({ code: 0, status: 'completed' });
      expect(report.participants.admitted).toEqual(['bank-1', 'bank-2']);
      for (const round of report.perRound) expect([...round.contributors].sort()).toEqual(['bank-1', 'bank-2']);
      expect(report.participants.declined).toEqual([{ orgId: 'bank-3', reason: 'declined (the organisation keeps its reason to itself)' }]);
      expect(submit.stderr).toContain('bank-1: the offer waits for a person\'s approval there');
      expect(submit.stderr).toContain('bank-1 joined (decided by a person): risk committee agreed');
      expect(submit.stderr).toContain('bank-2 joined (decided by its policy)');
      expect(submit.stderr).toContain('bank-3 declined (decided by a person): the organisation keeps its reason to itself');
    });

    test('the regulator sees who decided; the reason only where the organisation shares it', () => {
      const byOrg = Object.fromEntries(report.participants.decisions.map((d) => [d.orgId, d]));
      expect(byOrg['bank-1']).toMatchObject({ accepted: true, decidedBy: 'person', decider: 'alice', reason: 'risk committee agreed' });
      expect(byOrg['bank-2']).toMatchObject({ accepted: true, decidedBy: 'policy', decider: 'policy' });
      expect(byOrg['bank-3']).toMatchObject({ accepted: false, decidedBy: 'person', decider: null, reason: '' });
      expect(JSON.stringify(report)).not.toContain('not this quarter');
    });

    test('shoal agent show says what would run, on which columns, and what leaves each round', () => {
      expect(show.code).toBe(0);
      const received = ofJob(auditEntries(join(where, 'agents', 'bank-1', 'work', 'audit.jsonl')), jobId, 'offer.received')[0];
      expect(show.stdout).toContain(`offer sha256 ${String(received.data.offerSha256)}: a decision applies to this exact offer only`);
      for (const fact of [jobId, 'regulator', 'X1', 'X23', 'Y', '1,313']) expect(show.stdout).toContain(fact);
      expect(show.stdout.toLowerCase()).toContain('secure aggregation');
    });

    test('every output at bank-1 was released by a person before it left, and the releases are audited', () => {
      // Statistics (round 0), then fit and evaluation in each of 2 rounds; one release covers a whole round.
      expect(releases.length).toBeGreaterThanOrEqual(3);
      for (const release of releases) expect(release.code).toBe(0);
      const entries = auditEntries(join(where, 'agents', 'bank-1', 'work', 'audit.jsonl'));
      const released = ofJob(entries, jobId, 'output.release');
      const sent = ofJob(entries, jobId, 'output.sent');
      expect(sent.length).toBe(5);
      expect(released.filter((e) => e.data.released === true && e.actor === 'alice').length).toBe(sent.length);
      // Example counts leave coarsened to the policy's 50.
      const fits = ofJob(entries, jobId, 'output.sending').filter((e) => e.data.kind === 'fit');
      expect(fits).toHaveLength(2);
      for (const entry of fits) expect((entry.data.weight as number) % 50).toBe(0);
    });

    test("each organisation's audit log records offer, decision, runs, checks and what was sent, and verifies against the report", async () => {
      const bank1 = auditEntries(join(where, 'agents', 'bank-1', 'work', 'audit.jsonl'));
      expect(ofJob(bank1, jobId, 'offer.received')).toHaveLength(1);
      expect(ofJob(bank1, jobId, 'offer.queued')).toHaveLength(1);
      expect(ofJob(bank1, jobId, 'offer.decision')).toEqual([expect.objectContaining({ actor: 'alice', data: expect.objectContaining({ accepted: true, decidedBy: 'person', reason: 'risk committee agreed' }) })]);
      // The decision names the offer it was for: the one received.
      const offerSha256 = ofJob(bank1, jobId, 'offer.received')[0].data.offerSha256;
      expect(offerSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(ofJob(bank1, jobId, 'offer.decision')[0].data.offerSha256).toBe(offerSha256);
      expect(ofJob(bank1, jobId, 'offer.decision-refused')).toEqual([]);
      const runs = ofJob(bank1, jobId, 'sandbox.run');
      expect(runs).toHaveLength(5);
      for (const run of runs) expect(run.data).toEqual(expect.objectContaining({ exitCode: 0, timedOut: false, oomKilled: false, seconds: expect.any(Number) }));
      expect(ofJob(bank1, jobId, 'output.check').every((e) => e.data.passed === true)).toBe(true);
      for (const sent of ofJob(bank1, jobId, 'output.sent')) expect(sent.data.sha256).toMatch(/^[0-9a-f]{64}$/);
      const bank2 = auditEntries(join(where, 'agents', 'bank-2', 'work', 'audit.jsonl'));
      expect(ofJob(bank2, jobId, 'offer.decision')).toEqual([expect.objectContaining({ data: expect.objectContaining({ accepted: true, decidedBy: 'policy' }) })]);
      const bank3 = auditEntries(join(where, 'agents', 'bank-3', 'work', 'audit.jsonl'));
      // The reason stays in bank-3's own record.
      expect(ofJob(bank3, jobId, 'offer.decision')).toEqual([expect.objectContaining({ actor: 'bob', data: expect.objectContaining({ accepted: false, reason: 'not this quarter' }) })]);
      expect(ofJob(bank3, jobId, 'sandbox.run')).toEqual([]);

      const reportPath = join(where, 'jobs', jobId, 'report.json');
      for (const org of ['bank-1', 'bank-2']) {
        expect(report.audit.participantHeads.find((h) => h.orgId === org)).toBeDefined();
        const verified = await runShoal(processes, ['agent', 'audit', 'verify', '--config', configs[org], '--report', reportPath, '--org', org], 30_000);
        expect({ org, code: verified.code, out: verified.stdout }).toEqual({ org, code: 0, out: expect.stringContaining('intact') });
      }
      const transcript = await runShoal(processes, ['agent', 'audit', 'verify', report.audit.transcript.path, '--key', report.audit.transcript.publicKey], 30_000);
      expect(transcript.code).toBe(0);
      const shown = await runShoal(processes, ['agent', 'audit', 'show', '--config', configs['bank-1'], '--job', jobId, '--type', 'offer.'], 30_000);
      expect(shown.stdout).toContain('offer.decision');
    });

    test('a deleted line in a copy of an audit log is detected and named', async () => {
      const original = join(where, 'agents', 'bank-2', 'work', 'audit.jsonl');
      const copy = join(where, 'tampered-audit.jsonl');
      copyFileSync(original, copy);
      const lines = readFileSync(copy, 'utf8').trim().split('\n');
      writeFileSync(copy, `${[...lines.slice(0, 3), ...lines.slice(4)].join('\n')}\n`);
      const verified = await runShoal(processes, ['agent', 'audit', 'verify', copy], 30_000);
      expect(verified.code).toBe(5);
      expect(verified.stdout).toContain('line 4');
      expect(verified.stdout.toLowerCase()).toContain('missing');
    });
  });

  test('an organisation whose output checks keep failing withholds its updates and withdraws', async () => {
    const where = join(dir, 'withdraws');
    const key = regulator.publicKey;
    const strict = creditDefaultPolicy({ regulatorKey: key, overrides: { output: { maxL2Norm: 1e-9, onNormExceeded: 'reject', maxViolations: 2 } } });
    await startBanks(where, { 'bank-1': creditDefaultPolicy({ regulatorKey: key }), 'bank-2': creditDefaultPolicy({ regulatorKey: key }), 'bank-3': strict });
    const job = writeJobSpec(where, { jobId: uniqueJobId('withdraws'), invitedOrgs: BANKS, rounds: 3, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 2, maxMissedRounds: 5, secureAggregation: { threshold: 2 } });
    const outRoot = join(where, 'jobs');

    const result = await runShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], JOB_TIMEOUT_MS, join(where, 'submit.log'));

    expect(result.code).toBe(0);
    const report = readJobReport(outRoot, job.spec.jobId);
    expect(report.participants.dropped).toEqual([{ orgId: 'bank-3', reason: 'PARTICIPANT_WITHDRAWN: withdrew after 2 output violation(s) (the organisation\'s limit is 2)' }]);
    expect(report.perRound.map((r) => [...r.contributors].sort())).toEqual([['bank-1', 'bank-2'], ['bank-1', 'bank-2'], ['bank-1', 'bank-2']]);
    const entries = auditEntries(join(where, 'agents', 'bank-3', 'work', 'audit.jsonl'));
    const failed = ofJob(entries, job.spec.jobId, 'output.check').filter((e) => e.data.passed === false);
    expect(failed.map((e) => e.data.violation)).toEqual(['OUTPUT_NORM_EXCEEDED', 'OUTPUT_NORM_EXCEEDED']);
    expect(ofJob(entries, job.spec.jobId, 'output.sent').map((e) => e.data.kind)).not.toContain('fit');
    expect(ofJob(entries, job.spec.jobId, 'job.withdrawn')).toHaveLength(1);
  }, JOB_TIMEOUT_MS + 30_000);

  describe('a person\'s approval applies only to the offer they read', () => {
    const ORG = 'bank-1';
    let regulatorBus: NatsBus;
    let signingKey: IdentityKeyPair;

    beforeAll(async () => {
      regulatorBus = await NatsBus.connect(nats.url, 'moderation-test-regulator', pki.regulator);
      signingKey = loadSigningKey(regulator.keyPath, 'regulator');
    });

    afterAll(async () => {
      await regulatorBus?.close();
    });

    /** bank-1 alone, whose policy asks a person about every offer; its config and its audit log. */
    function bankOne(where: string): Promise<{ config: string; audit: string }> {
      return pki.participant(ORG).then((tls) => ({
        config: writeAgentConfig(where, { orgId: ORG, natsUrl: nats.url, datasets: { 'credit-default': data.banks[0].path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey, approval: 'ask' }), tls }),
        audit: join(where, 'agents', ORG, 'work', 'audit.jsonl'),
      }));
    }

    /** A real signed offer of `jobId` as the regulator sends it; `rounds` makes two offers of one job differ. */
    function signedOffer(where: string, jobId: string, rounds: number): { offer: SignedOffer; sha256: string } {
      const { spec } = writeJobSpec(where, { jobId, invitedOrgs: BANKS, rounds, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 2, admissionSeconds: 600 });
      // Nothing listens there: the test is about what the agent agrees to, not a job.
      const offer = signOffer({ spec, coordinator: '127.0.0.1:9', aggregator: '127.0.0.1:9', issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 600_000).toISOString() }, signingKey);
      return { offer, sha256: offerHash(offer) };
    }

    function send(offer: SignedOffer): Promise<OfferReceipt> {
      return regulatorBus.request<OfferReceipt>(subjects.offers(ORG), offer, 10_000);
    }

    /** Every signed decision bank-1 publishes on the job, opened. */
    function watchDecisions(jobId: string): { seen: DecisionBody[]; stop(): void } {
      const subscription = regulatorBus.subscribe(subjects.decisions(jobId, ORG));
      const seen: DecisionBody[] = [];
      void (async () => {
        for await (const message of subscription) seen.push(openDecision(message.data).body);
      })();
      return { seen, stop: () => subscription.unsubscribe() };
    }

    test('an approval made on offer A while the agent was down is discarded, not applied, when offer B arrives under the same job id; B waits for its own decision', async () => {
      const where = join(dir, 'offer-replaced-while-down');
      const bank = await bankOne(where);
      const jobId = uniqueJobId('replaced');
      const a = signedOffer(where, jobId, 2);
      const b = signedOffer(where, jobId, 50);
      const decisions = watchDecisions(jobId);

      let agent = await startAgent(processes, ORG, bank.config, where);
      expect(await send(a.offer)).toEqual({ orgId: ORG, jobId, status: 'pending' });
      const shownA = await runShoal(processes, ['agent', 'show', jobId, '--config', bank.config], 30_000);
      expect(shownA.stdout).toContain(`offer sha256 ${a.sha256}`);
      // The agent dies with offer A waiting; alice approves A from the queue it left.
      agent.signal('SIGKILL');
      await agent.waitForExit(10_000);
      const approvedA = await runShoal(processes, ['agent', 'approve', jobId, '--offer', a.sha256.slice(0, 32), '--by', 'alice', '--reason', 'read offer A', '--config', bank.config], 30_000);
      expect(approvedA.code).toBe(0);

      // Restarted, the agent is sent offer B: same job id, 50 rounds instead of 2.
      agent = await startAgent(processes, ORG, bank.config, where);
      expect(await send(b.offer)).toEqual({ orgId: ORG, jobId, status: 'pending' });
      const refused = await eventually('the discarded decision in the audit log', () => ofJob(auditEntries(bank.audit), jobId, 'offer.decision-refused')[0]);
      expect(refused).toEqual(expect.objectContaining({
        actor: 'alice',
        data: { jobId, code: 'OFFER_CHANGED', offerSha256: b.sha256, decidedOfferSha256: a.sha256, approve: true, by: 'alice', reason: `alice approved offer ${a.sha256}, not offer ${b.sha256} now waiting; it waits for its own decision` },
      }));

      // B waits, named by its own hash; an approval naming A is refused, and B is decided on its own.
      const pending = await runShoal(processes, ['agent', 'pending', '--config', bank.config], 30_000);
      expect(pending.stdout).toMatch(new RegExp(`^${jobId} +${b.sha256.slice(0, 16)} +regulator `, 'm'));
      const approveA = await runShoal(processes, ['agent', 'approve', jobId, '--offer', a.sha256.slice(0, 32), '--by', 'alice', '--config', bank.config], 30_000);
      expect({ code: approveA.code, stderr: approveA.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/^shoal: OFFER_CHANGED: the offer of job \S+ waiting now is [0-9a-f]{16}…, not the [0-9a-f]{16}… you named/) });
      const rejectB = await runShoal(processes, ['agent', 'reject', jobId, '--offer', b.sha256, '--by', 'alice', '--reason', '50 rounds is not what we agreed', '--config', bank.config], 30_000);
      expect(rejectB.code).toBe(0);
      const decision = await eventually('the decision on offer B', () => ofJob(auditEntries(bank.audit), jobId, 'offer.decision')[0]);
      expect(decision).toEqual(expect.objectContaining({ actor: 'alice', data: expect.objectContaining({ offerSha256: b.sha256, accepted: false, decidedBy: 'person', reason: '50 rounds is not what we agreed' }) }));
      await eventually('the signed decline of offer B', () => decisions.seen.find((d) => d.offerSha256 === b.sha256));
      decisions.stop();
      expect(decisions.seen.map((d) => [d.offerSha256, d.accepted])).toEqual([[b.sha256, false]]);
      const entries = auditEntries(bank.audit);
      expect(ofJob(entries, jobId, 'offer.decision')).toHaveLength(1);
      expect(ofJob(entries, jobId, 'job.joined')).toEqual([]);
    }, 120_000);

    test('after a restart, offer B under the job id of approved offer A is declined with OFFER_CHANGED; A itself keeps its answer', async () => {
      const where = join(dir, 'offer-replaced-after-approval');
      const bank = await bankOne(where);
      const jobId = uniqueJobId('approved');
      const a = signedOffer(where, jobId, 2);
      const b = signedOffer(where, jobId, 50);
      const decisions = watchDecisions(jobId);

      let agent = await startAgent(processes, ORG, bank.config, where);
      expect(await send(a.offer)).toEqual({ orgId: ORG, jobId, status: 'pending' });
      const approved = await runShoal(processes, ['agent', 'approve', jobId, '--offer', a.sha256.slice(0, 32), '--by', 'alice', '--reason', 'read offer A', '--config', bank.config], 30_000);
      expect(approved.code).toBe(0);
      await eventually('the approval of offer A', () => ofJob(auditEntries(bank.audit), jobId, 'offer.decision')[0]);
      await agent.stop();

      agent = await startAgent(processes, ORG, bank.config, where);
      const receiptB = await send(b.offer);
      expect(receiptB).toEqual({ orgId: ORG, jobId, status: 'declined', refusal: `OFFER_CHANGED: job ${jobId} was already offered here as offer ${a.sha256}; this is offer ${b.sha256}, and an answer applies only to the offer it was given for` });
      // The same offer A again gets the answer it was given; nothing new is moderated or started.
      expect(await send(a.offer)).toEqual({ orgId: ORG, jobId, status: 'accepted' });
      await eventually('the signed decline of offer B', () => decisions.seen.find((d) => d.offerSha256 === b.sha256));
      decisions.stop();

      const entries = auditEntries(bank.audit);
      expect(ofJob(entries, jobId, 'offer.decision')).toEqual([expect.objectContaining({ actor: 'alice', data: expect.objectContaining({ offerSha256: a.sha256, accepted: true, decidedBy: 'person' }) })]);
      expect(ofJob(entries, jobId, 'offer.refused')).toEqual([expect.objectContaining({ data: { jobId, code: 'OFFER_CHANGED', reason: receiptB.refusal?.slice('OFFER_CHANGED: '.length), authentic: true, offerSha256: b.sha256, knownOfferSha256: a.sha256 } })]);
      expect(ofJob(entries, jobId, 'offer.received').map((e) => e.data.offerSha256)).toEqual([a.sha256]);
      expect(ofJob(entries, jobId, 'offer.queued')).toHaveLength(1);
      const declineB = decisions.seen.filter((d) => d.offerSha256 === b.sha256);
      expect(declineB.map((d) => [d.accepted, d.decidedBy, d.reason.startsWith('OFFER_CHANGED: ')])).toEqual([[false, 'policy', true]]);
      expect(decisions.seen.filter((d) => d.offerSha256 === a.sha256).map((d) => d.accepted)).toEqual([true]);
    }, 120_000);
  });
});
