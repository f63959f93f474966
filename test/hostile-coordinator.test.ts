/**
 * The organisation stays in control when the regulator's side is hostile.
 * Real agents (each its own process, with the process sandbox opted into)
 * accept real offers signed by the regulator that point at a hostile
 * coordinator: a real process speaking the project's Coordinator service
 * over mutual TLS with a genuine coordinator certificate for the job, which
 * then hands out tasks that break what the organisations agreed to. Each
 * attack is its own job. Every one must be refused with its stable code,
 * recorded as `task.refused` in the organisation's audit log and reported
 * to the coordinator, before the trainer runs, and must leave every file
 * the organisation keeps as it was (SHA-256 of each, the audit log held to
 * its earlier prefix). Honest tasks built the same way pass every check,
 * so each refusal is down to the one thing the attack changed.
 *
 * The last block attacks a person's approval: offer A is approved with
 * `shoal agent approve`, the agent restarts, and offer B for the same job id
 * must not ride on A's approval.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AggregatorClient } from '../aggregator';
import { issueJobCertificates } from '../cli/job-certificates';
import { evaluationVectorLength } from '../common/evaluation-metrics';
import { channelCredentials } from '../common/grpc/tls-credentials';
import type { AuditEntry } from '../common/audit';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { shownValue } from '../common/ids';
import { compileJobSpec, type JobSpec } from '../common/job-spec';
import { offerHash, openDecision, signOffer, type DecisionBody, type OfferReceipt } from '../common/offer-protocol';
import { loadTlsMaterial, proveIdentityKey, type TlsFiles } from '../common/pki';
import { generateIdentity, type IdentityKeyPair } from '../common/secagg';
import { loadSigningKey, sha256Hex } from '../common/signing';
import type { FitInstructions } from '../coordinator';
import { contributionLedgerPath } from '../participant-agent/contribution-ledger';
import { AUDIT_HEAD_FILE, IDENTITY_FILE } from '../participant-agent/identity-store';
import { RUNS_FOLDER } from '../participant-agent/run-folders';
import { MAX_DELIVERIES_PER_ROUND } from '../participant-agent/task-check';
import { sendOffers } from '../cli/send-offers';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { startAggregator } from './support/aggregator-process';
import { writeBankData, type BankData } from './support/bank-data';
import { HostileCoordinator, type HostileJoin, type HostileReport } from './support/hostile-coordinator';
import type { ProofJson, RosterSubstitute, ScriptedTask } from './support/hostile-script';
import { honestEvaluateTask, honestFit, honestFitTask, honestStatisticsTask, initialModel } from './support/hostile-tasks';
import { exampleJobDocument, uniqueJobId } from './support/job-spec';
import { linesWithMessage } from './support/log-lines';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { prefixesNow, snapshotRecords, type RecordsSnapshot } from './support/record-hashes';
import { writeRegulatorKey, type RegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { runShoal, startAgent } from './support/shoal-processes';
import type { SpawnedProcess } from './support/spawned-process';
import { createTestPki, type TestPki } from './support/test-pki';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const BANKS = ['bank-1', 'bank-2', 'bank-3'];
/** The bank whose person approves offers (the approval attack); it takes part in no other job. */
const ASKING_BANK = 'bank-4';
/** Nothing listens here: a task that got past the agent's checks fails when it reaches for the aggregator, and says so. */
const NO_AGGREGATOR = '127.0.0.1:1';
const ROUNDS = 2;
const STEP_MS = 60_000;

type Model = Awaited<ReturnType<typeof initialModel>>;

function auditEntries(path: string): AuditEntry[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AuditEntry);
}

function ofJob(entries: AuditEntry[], jobId: string, type: string): AuditEntry[] {
  return entries.filter((e) => e.type === type && e.data.jobId === jobId);
}

async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = STEP_MS): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A job spec from the credit-default example, small and fast, with `changes` on top. */
function attackSpec(prefix: string, invitedOrgs: string[], changes: Record<string, unknown> = {}): JobSpec {
  const base = exampleJobDocument();
  return compileJobSpec({
    ...base,
    jobId: uniqueJobId(prefix),
    invitedOrgs,
    minParticipants: Math.min(2, invitedOrgs.length),
    admissionSeconds: 60,
    roundDeadlineSeconds: 60,
    training: { ...base.training, rounds: ROUNDS, localEpochs: 1 },
    secureAggregation: { enabled: false },
    ...changes,
  });
}

const SECURE = { secureAggregation: { enabled: true } };
const DISTRIBUTED_DP = { secureAggregation: { enabled: true }, differentialPrivacy: { mode: 'distributed', epsilon: 8 } };
const CENTRAL_DP = { differentialPrivacy: { mode: 'central', epsilon: 8 } };

function proofJson(proof: { certificate: Uint8Array; signature: Uint8Array }): ProofJson {
  return { certificateHex: Buffer.from(proof.certificate).toString('hex'), signatureHex: Buffer.from(proof.signature).toString('hex') };
}

describe('a hostile coordinator cannot make an organisation do what it did not agree to', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let data: BankData;
  let regulator: RegulatorKey;
  let regulatorKey: IdentityKeyPair;
  let pki: TestPki;
  let bus: NatsBus;
  let model: Model;
  const configs: Record<string, string> = {};
  const agents: Record<string, SpawnedProcess> = {};
  const tls: Record<string, TlsFiles> = {};

  const agentDir = (org: string): string => join(dir, 'agents', org);
  const workDir = (org: string): string => join(agentDir(org), 'work');
  const auditLog = (org: string): string => join(workDir(org), 'audit.jsonl');
  const datasetOf = (org: string): string => data.banks.find((b) => b.orgId === org)?.path ?? '';

  async function startBank(org: string, policy: Record<string, unknown>): Promise<void> {
    tls[org] = await pki.participant(org);
    configs[org] = writeAgentConfig(dir, {
      orgId: org,
      natsUrl: nats.url,
      datasets: { 'credit-default': datasetOf(org) },
      policy,
      tls: tls[org],
      sandbox: { type: 'process', allowProcessSandbox: true },
    });
    agents[org] = await startAgent(processes, org, configs[org], join(dir, 'logs'));
  }

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('hostile-coordinator');
    data = writeBankData(dir, { orgIds: [...BANKS, ASKING_BANK], rowsPerBank: 300, heldOutRows: 0, seed: 'hostile-coordinator' });
    regulator = writeRegulatorKey(dir);
    regulatorKey = loadSigningKey(regulator.keyPath, 'regulator');
    pki = await createTestPki(dir, [...BANKS, ASKING_BANK]);
    nats = await startNatsServer(pki);
    mkdirSync(join(dir, 'logs'));
    mkdirSync(join(dir, 'jobs'));
    await Promise.all(BANKS.map((org) => startBank(org, creditDefaultPolicy({ regulatorKey: regulator.publicKey }))));
    bus = await NatsBus.connect(nats.url, 'test-regulator', pki.regulator);
    model = await initialModel(attackSpec('model', BANKS));
    // Files a path attack would aim at, just outside the work dir and just inside it.
    for (const org of BANKS) {
      writeFileSync(join(agentDir(org), 'x'), `${org}'s file beside its work dir\n`);
      writeFileSync(join(workDir(org), 'x'), `${org}'s file in its work dir\n`);
    }
  }, 120_000);

  afterAll(async () => {
    await bus?.close();
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  /** Everything the organisation keeps, outside the run folders its agent creates and removes. */
  function records(org: string): RecordsSnapshot {
    return snapshotRecords({
      roots: [agentDir(org), datasetOf(org), tls[org].ca, tls[org].cert, tls[org].key],
      // The head file follows the log (the agent checks the two against each other when it starts).
      skip: [join(workDir(org), RUNS_FOLDER), join(workDir(org), AUDIT_HEAD_FILE)],
      // The head file is rewritten atomically after every append: its temporary may be caught mid-write.
      skipPattern: new RegExp(`/\\.${AUDIT_HEAD_FILE.replace('.', '\\.')}\\.[^/]*\\.tmp$`),
      growing: [auditLog(org)],
    });
  }

  interface AttackOutcome {
    jobId: string;
    reports: HostileReport[];
    /** Each organisation's audit entries about the job. */
    entries: Record<string, AuditEntry[]>;
    before: Record<string, RecordsSnapshot>;
    after: Record<string, RecordsSnapshot>;
  }

  /**
   * One attack: a fresh job offered to every bank and accepted, the hostile
   * coordinator admits them, the records are hashed, then it hands out
   * `tasks` (per bank) and waits for a report on each; the job then ends at
   * every bank, and the records are hashed again.
   */
  /** For attacks that need a real aggregator: its address, and what to do with the joins before the tasks go out (open collections). */
  interface AttackOptions {
    aggregator?: string;
    beforeRelease?: (joins: HostileJoin[]) => Promise<void>;
    finishAfterTasks?: boolean;
  }

  async function attack(spec: JobSpec, tasks: Record<string, ScriptedTask[]>, expectedReports: Record<string, number> = {}, options: AttackOptions = {}): Promise<AttackOutcome> {
    const hostile = await HostileCoordinator.start(processes, pki, join(dir, 'jobs'), { jobId: spec.jobId, tasks, finishAfterTasks: options.finishAfterTasks });
    try {
      const answers = await sendOffers(bus, { spec, addresses: { coordinator: hostile.address, aggregator: options.aggregator ?? NO_AGGREGATOR }, key: regulatorKey, onDecision: () => undefined });
      const declined = answers.filter((a) => !a.accepted);
      if (declined.length > 0) throw new Error(`the offer was declined: ${JSON.stringify(declined)}`);
      await hostile.joined(BANKS, STEP_MS);
      await options.beforeRelease?.(hostile.joins);
      const before = Object.fromEntries(BANKS.map((org) => [org, records(org)]));
      hostile.release();
      const targets = BANKS.filter((org) => (tasks[org] ?? []).length > 0);
      for (const org of targets) await hostile.reported([org], expectedReports[org] ?? tasks[org].length, STEP_MS);
      for (const org of BANKS) await eventually(`the job's end at ${org}`, () => (ofJob(auditEntries(auditLog(org)), spec.jobId, 'job.ended').length > 0 ? true : undefined));
      const after = Object.fromEntries(BANKS.map((org) => [org, records(org)]));
      const entries = Object.fromEntries(BANKS.map((org) => [org, auditEntries(auditLog(org)).filter((e) => e.data.jobId === spec.jobId)]));
      return { jobId: spec.jobId, reports: hostile.reports, entries, before, after };
    } finally {
      await hostile.stop();
    }
  }

  /** What a bank's `task.refused` entry says. */
  interface Refusal {
    code: string;
    field: string;
    kind: 'statistics' | 'fit' | 'evaluate';
    round: number;
    collectionId: string;
  }

  /**
   * Every bank in `orgs` refused the job's one task as `refusal` says, in its
   * audit log and in its report to the coordinator (under `reportedAs`, the
   * collection id it may repeat), ran nothing, sent nothing and changed no file.
   */
  function expectRefused(outcome: AttackOutcome, orgs: string[], refusal: Refusal, reportedAs = refusal.collectionId): void {
    for (const org of orgs) {
      const refused = outcome.entries[org].filter((e) => e.type === 'task.refused').map((e) => ({ org, code: e.data.code, field: e.data.field, kind: e.data.kind, round: e.data.round, collectionId: e.data.collectionId }));
      expect(refused).toEqual([{ org, ...refusal }]);
      expect(outcome.reports.filter((r) => r.orgId === org).map((r) => ({ org, code: r.code, collectionId: r.collectionId }))).toEqual([{ org, code: refusal.code, collectionId: reportedAs }]);
      expect({ org, ran: outcome.entries[org].filter((e) => e.type === 'sandbox.run' || e.type === 'output.sending') }).toEqual({ org, ran: [] });
    }
    expectRecordsKept(outcome);
  }

  const fitRefusal = (code: string, field: string, round = 1): Refusal => ({ code, field, kind: 'fit', round, collectionId: `fit-${round}` });

  function expectRecordsKept(outcome: AttackOutcome): void {
    for (const org of BANKS) {
      // What is hashed includes the records an attack would most like to reach.
      const hashed = Object.keys(outcome.before[org].files);
      expect(hashed).toEqual(expect.arrayContaining([join(workDir(org), IDENTITY_FILE), datasetOf(org), configs[org], tls[org].key, join(agentDir(org), 'x'), join(workDir(org), 'x')]));
      expect(Object.keys(outcome.before[org].growing)).toEqual([auditLog(org)]);
      expect({ org, files: outcome.after[org].files }).toEqual({ org, files: outcome.before[org].files });
      expect({ org, auditPrefix: prefixesNow(outcome.before[org]) }).toEqual({ org, auditPrefix: outcome.before[org].growing });
    }
  }

  const everyone = (task: (org: string) => ScriptedTask): Record<string, ScriptedTask[]> => Object.fromEntries(BANKS.map((org) => [org, [task(org)]]));

  describe('honest tasks built the same way pass every check', () => {
    test('a plain fit task is trained on; only the missing aggregator stops it', async () => {
      const spec = attackSpec('honest-plain', BANKS);
      const outcome = await attack(spec, { 'bank-1': [honestFitTask(spec, model, 1, 'fit-1', BANKS)] });
      expect(outcome.entries['bank-1'].filter((e) => e.type === 'task.refused')).toEqual([]);
      expect(ofJob(outcome.entries['bank-1'], spec.jobId, 'sandbox.run').map((e) => e.data.exitCode)).toEqual([0]);
      expect(outcome.reports.map((r) => ({ org: r.orgId, code: r.code }))).toEqual([{ org: 'bank-1', code: 'GRPC_UNAVAILABLE' }]);
    });

    test.each([
      ['secure aggregation', SECURE],
      ['secure aggregation and distributed noise', DISTRIBUTED_DP],
    ])('a fit task with %s goes on to the key exchange', async (_what, changes) => {
      const spec = attackSpec('honest-secure', BANKS, changes);
      const outcome = await attack(spec, everyone(() => honestFitTask(spec, model, 1, 'fit-1', BANKS)));
      for (const org of BANKS) expect({ org, refused: outcome.entries[org].filter((e) => e.type === 'task.refused') }).toEqual({ org, refused: [] });
      // Keys are exchanged before training: the aggregator is the first thing the agent reaches for.
      expect(outcome.reports.map((r) => ({ org: r.orgId, code: r.code })).sort((x, y) => x.org.localeCompare(y.org))).toEqual(BANKS.map((org) => ({ org, code: 'GRPC_UNAVAILABLE' })));
    });
  });

  describe('ids that would name files are refused (INVALID_IDENTIFIER)', () => {
    test.each([
      ['a path out of the run folder', '../../x'],
      ['the audit log\'s name', 'audit.jsonl'],
      ['the parent folder', '..'],
      ['a nested path', 'a/b'],
      ['a 300-character id', 'c'.repeat(300)],
    ])('collection id: %s', async (_what, collectionId) => {
      const spec = attackSpec('bad-id', BANKS);
      const outcome = await attack(spec, everyone(() => honestStatisticsTask(spec, collectionId, BANKS)));
      // The id is recorded only in its quoted, bounded form, and not repeated to the coordinator.
      expectRefused(outcome, BANKS, { code: 'INVALID_IDENTIFIER', field: 'collectionId', kind: 'statistics', round: 0, collectionId: shownValue(collectionId) }, '');
      for (const org of BANKS) {
        expect(readFileSync(join(agentDir(org), 'x'), 'utf8')).toBe(`${org}'s file beside its work dir\n`);
        expect(readFileSync(join(workDir(org), 'x'), 'utf8')).toBe(`${org}'s file in its work dir\n`);
      }
    });

    test('a roster member named by a path', async () => {
      const spec = attackSpec('bad-roster-id', BANKS, SECURE);
      const task = honestFitTask(spec, model, 1, 'fit-1', [...BANKS, '../../x']);
      const substitutes: Record<string, RosterSubstitute> = { '../../x': { identityKeyHex: Buffer.from(generateIdentity('bank-x').publicKey).toString('hex') } };
      const outcome = await attack(spec, everyone(() => ({ ...task, secure: { ...task.secure!, substitutes } })));
      expectRefused(outcome, BANKS, fitRefusal('INVALID_IDENTIFIER', 'secure.identityKeys'));
    });
  });

  describe('fit settings other than the accepted spec\'s are refused (TASK_NOT_APPROVED, naming the field)', () => {
    // Every row has all three values: jest would take a missing one for a `done` callback.
    const changed: Array<[keyof FitInstructions, unknown, Record<string, unknown>]> = [
      ['localEpochs', 2, {}],
      ['batchSize', 32, {}],
      ['learningRate', 0.1, {}],
      ['optimizer', 'sgd', {}],
      ['mode', 'gradient', {}],
      ['proximalMu', 0.01, {}],
      ['weighting', 'uniform', {}],
      // Tighter than the spec's 1, so only a check of the exact value refuses it.
      ['clipNorm', 0.5, CENTRAL_DP],
    ];
    test.each(changed)('%s changed to %p', async (field, value, changes) => {
      const spec = attackSpec(`fit-${field.toLowerCase()}`, BANKS, changes);
      const fit = { ...honestFit(spec, 1, BANKS.length), [field]: value };
      const outcome = await attack(spec, everyone(() => honestFitTask(spec, model, 1, 'fit-1', BANKS, fit)));
      expectRefused(outcome, BANKS, fitRefusal('TASK_NOT_APPROVED', field));
    });
  });

  describe('more tasks than the job has rounds', () => {
    test('a fit task for a round beyond spec.training.rounds is refused (TASK_NOT_APPROVED, round)', async () => {
      const spec = attackSpec('extra-round', BANKS);
      const outcome = await attack(spec, everyone(() => honestFitTask(spec, model, ROUNDS + 1, `fit-${ROUNDS + 1}`, BANKS)));
      expectRefused(outcome, BANKS, fitRefusal('TASK_NOT_APPROVED', 'round', ROUNDS + 1));
    });

    test('an evaluation for a round beyond spec.training.rounds is refused (TASK_NOT_APPROVED, round)', async () => {
      const spec = attackSpec('extra-evaluation', BANKS);
      const collectionId = `evaluate-${ROUNDS + 1}`;
      const outcome = await attack(spec, everyone(() => honestEvaluateTask(spec, model, ROUNDS + 1, collectionId, BANKS)));
      expectRefused(outcome, BANKS, { code: 'TASK_NOT_APPROVED', field: 'round', kind: 'evaluate', round: ROUNDS + 1, collectionId });
    });
  });

  describe('distributed noise the coordinator lowered is refused (TASK_NOT_APPROVED, noiseStd)', () => {
    test.each([
      ['no noise', 0],
      ['half the noise', 0.5],
    ])('%s', async (_what, factor) => {
      const spec = attackSpec('low-noise', BANKS, DISTRIBUTED_DP);
      const honest = honestFit(spec, 1, BANKS.length);
      expect(honest.noiseStd).toBeGreaterThan(0);
      const outcome = await attack(spec, everyone(() => honestFitTask(spec, model, 1, 'fit-1', BANKS, { ...honest, noiseStd: honest.noiseStd * factor })));
      expectRefused(outcome, BANKS, fitRefusal('TASK_NOT_APPROVED', 'noiseStd'));
    });
  });

  describe('a secure-aggregation roster the organisation did not agree to is refused (ROSTER_NOT_APPROVED)', () => {
    test('a member that was not invited (bank-9, with a genuine certificate and proof)', async () => {
      const spec = attackSpec('foreign-member', BANKS, SECURE);
      const stranger = generateIdentity('bank-9');
      const strangerTls = loadTlsMaterial(await pki.participant('bank-9'));
      const substitutes: Record<string, RosterSubstitute> = {
        'bank-9': { identityKeyHex: Buffer.from(stranger.publicKey).toString('hex'), proof: proofJson(proveIdentityKey('bank-9', stranger.publicKey, strangerTls)) },
      };
      const task = honestFitTask(spec, model, 1, 'fit-1', [...BANKS, 'bank-9']);
      const outcome = await attack(spec, everyone(() => ({ ...task, secure: { ...task.secure!, substitutes } })));
      expectRefused(outcome, BANKS, fitRefusal('ROSTER_NOT_APPROVED', 'secure.identityKeys'));
    });

    test('a member no certificate names (an invented organisation with the coordinator\'s key)', async () => {
      const spec = attackSpec('invented-member', BANKS, SECURE);
      const substitutes: Record<string, RosterSubstitute> = { 'bank-x': { identityKeyHex: Buffer.from(generateIdentity('bank-x').publicKey).toString('hex') } };
      const task = honestFitTask(spec, model, 1, 'fit-1', [...BANKS, 'bank-x']);
      const outcome = await attack(spec, everyone(() => ({ ...task, secure: { ...task.secure!, substitutes } })));
      expectRefused(outcome, BANKS, fitRefusal('ROSTER_NOT_APPROVED', 'secure.identityKeys'));
    });

    test('a roster without the organisation itself', async () => {
      const spec = attackSpec('roster-without-me', BANKS, SECURE);
      const outcome = await attack(spec, { 'bank-1': [honestFitTask(spec, model, 1, 'fit-1', ['bank-2', 'bank-3'])] });
      expectRefused(outcome, ['bank-1'], fitRefusal('ROSTER_NOT_APPROVED', 'secure.identityKeys'));
    });

    test('a roster of one: the "secure sum" would be the organisation\'s own update', async () => {
      const spec = attackSpec('roster-of-one', BANKS, SECURE);
      const outcome = await attack(spec, everyone((org) => honestFitTask(spec, model, 1, 'fit-1', [org])));
      expectRefused(outcome, BANKS, fitRefusal('ROSTER_NOT_APPROVED', 'secure.identityKeys'));
    });
  });

  describe('a peer identity key that is not the peer\'s is refused (PEER_KEY_UNVERIFIED)', () => {
    /** bank-2's entry in the roster replaced by what `substitute` says. */
    async function replacedBank2(prefix: string, substitute: () => Promise<RosterSubstitute> | RosterSubstitute): Promise<AttackOutcome> {
      const spec = attackSpec(prefix, BANKS, SECURE);
      const task = honestFitTask(spec, model, 1, 'fit-1', BANKS);
      const secure = { ...task.secure!, substitutes: { 'bank-2': await substitute() } };
      return attack(spec, everyone(() => ({ ...task, secure })));
    }
    const coordinatorsKey = (): string => Buffer.from(generateIdentity('bank-2').publicKey).toString('hex');

    test('the coordinator\'s own key under bank-2\'s name, with no proof', async () => {
      expectRefused(await replacedBank2('fake-key-no-proof', () => ({ identityKeyHex: coordinatorsKey(), proof: 'omit' })), BANKS, fitRefusal('PEER_KEY_UNVERIFIED', 'secure.identityKeys.bank-2'));
    });

    test('the coordinator\'s own key under bank-2\'s name, with bank-2\'s genuine proof (of its real key)', async () => {
      expectRefused(await replacedBank2('fake-key-real-proof', () => ({ identityKeyHex: coordinatorsKey() })), BANKS, fitRefusal('PEER_KEY_UNVERIFIED', 'secure.identityKeys.bank-2'));
    });

    test('the coordinator\'s own key, with a proof signed by a bank-2 certificate from another CA', async () => {
      const forged = generateIdentity('bank-2');
      const otherCa = await createTestPki(join(dir, 'other-ca'), []);
      const otherBank2 = loadTlsMaterial(await otherCa.participant('bank-2'));
      const proof = proofJson(proveIdentityKey('bank-2', forged.publicKey, otherBank2));
      expectRefused(await replacedBank2('forged-proof', () => ({ identityKeyHex: Buffer.from(forged.publicKey).toString('hex'), proof })), BANKS, fitRefusal('PEER_KEY_UNVERIFIED', 'secure.identityKeys.bank-2'));
    });

    test('bank-3\'s key and genuine proof copied onto bank-2', async () => {
      expectRefused(await replacedBank2('copied-proof', () => ({ copiedFrom: 'bank-3' })), BANKS, fitRefusal('PEER_KEY_UNVERIFIED', 'secure.identityKeys.bank-2'));
    });
  });

  describe('retries of one round beyond the bound', () => {
    test('are refused (TASK_RETRIES_EXCEEDED) once the bound is reached; the ones within it are honest retries', async () => {
      const spec = attackSpec('retries', BANKS);
      const bound = MAX_DELIVERIES_PER_ROUND;
      const tasks = Array.from({ length: bound + 1 }, (_, i) => honestFitTask(spec, model, 1, `fit-1-s1-a${i + 1}`, BANKS));
      const outcome = await attack(spec, { 'bank-1': tasks });
      const last = `fit-1-s1-a${bound + 1}`;
      const entries = outcome.entries['bank-1'];
      expect(entries.filter((e) => e.type === 'task.refused').map((e) => ({ code: e.data.code, field: e.data.field, round: e.data.round, collectionId: e.data.collectionId }))).toEqual([{ code: 'TASK_RETRIES_EXCEEDED', field: 'round', round: 1, collectionId: last }]);
      // Each retry within the bound was trained on (and failed only at the missing aggregator); the one beyond it never was.
      expect(outcome.reports.map((r) => r.code)).toEqual([...Array<string>(bound).fill('GRPC_UNAVAILABLE'), 'TASK_RETRIES_EXCEEDED']);
      expect(entries.filter((e) => e.type === 'sandbox.run').map((e) => e.data.collectionId)).toEqual(tasks.slice(0, bound).map((t) => t.header.collectionId));
      expectRecordsKept(outcome);
    });
  });

  describe('a coordinator that keeps sending tasks the organisation did not accept', () => {
    test('is left after 3 refusals, so it cannot fill the audit log', async () => {
      const spec = attackSpec('flood', BANKS);
      const fit = { ...honestFit(spec, 1, BANKS.length), localEpochs: 7 };
      const tasks = Array.from({ length: 6 }, (_, i) => honestFitTask(spec, model, 1, `fit-1-s1-a${i + 1}`, BANKS, fit));
      const outcome = await attack(spec, { 'bank-1': tasks }, { 'bank-1': 3 });
      const entries = outcome.entries['bank-1'];
      expect(entries.filter((e) => e.type === 'task.refused').map((e) => e.data.collectionId)).toEqual(['fit-1-s1-a1', 'fit-1-s1-a2', 'fit-1-s1-a3']);
      expect(outcome.reports.filter((r) => r.orgId === 'bank-1').map((r) => r.code)).toEqual(['TASK_NOT_APPROVED', 'TASK_NOT_APPROVED', 'TASK_NOT_APPROVED']);
      expect(entries.filter((e) => e.type === 'job.ended').map((e) => e.data.outcome)).toEqual(['left the job after 3 tasks that were not what the organisation accepted (last: TASK_NOT_APPROVED)']);
      expect(entries.filter((e) => e.type === 'sandbox.run')).toEqual([]);
      expectRecordsKept(outcome);
    });
  });

  describe('the same global model sent again in a later round, with a roster that leaves bank-3 out (SECAGG_MODEL_REPEATED)', () => {
    /**
     * Round 1 is a real secure fit and evaluation of the model at a real
     * aggregator; round 2 sends the same model bytes for both, to bank-1
     * and bank-2 only. Had they taken part, the two exact evaluation sums
     * (and the two fit sums) would differ by bank-3's. Round 2's collections
     * are open at the aggregator too, so an input that left would be seen.
     */
    test('each bank refuses the second fit and the second evaluation before training, and no second masked input leaves', async () => {
      const spec = attackSpec('model-repeated', BANKS, SECURE);
      const servers = await issueJobCertificates(pki.dir, spec.jobId, join(dir, 'jobs', `${spec.jobId}-servers`), '127.0.0.1');
      const aggregator = await startAggregator(processes, spec.jobId, { tls: servers.aggregator, logFile: join(dir, 'logs', `aggregator-${spec.jobId}.log`) });
      const client = new AggregatorClient(aggregator.address, 'coordinator', channelCredentials(loadTlsMaterial(servers.coordinator), { role: 'aggregator', orgId: spec.jobId }));
      const without3 = ['bank-1', 'bank-2'];
      const round1 = [honestFitTask(spec, model, 1, 'fit-1', BANKS), honestEvaluateTask(spec, model, 1, 'evaluate-1', BANKS)];
      const round2 = [honestFitTask(spec, model, 2, 'fit-2', without3), honestEvaluateTask(spec, model, 2, 'evaluate-2', without3)];
      const tasks = { 'bank-1': [...round1, ...round2], 'bank-2': [...round1, ...round2], 'bank-3': round1 };
      const sums: Array<Promise<string[]>> = [];
      /** Opens each task's collection as the coordinator would, with the keys the banks joined with. */
      const open = async (joins: HostileJoin[]): Promise<void> => {
        const keyOf = (org: string): Buffer => Buffer.from(joins.find((j) => j.orgId === org)?.identityKeyHex ?? '', 'hex');
        for (const task of [...round1, ...round2]) {
          const collectionId = String(task.header.collectionId);
          const fit = task.header.kind === 'TASK_KIND_FIT';
          const roster = task.secure?.roster ?? [];
          const request = {
            jobId: spec.jobId,
            collectionId,
            expectedOrgs: roster,
            minContributors: spec.minParticipants,
            elementCount: fit ? model.elementCount : evaluationVectorLength(spec.dataset.labelType),
            dtype: fit ? 'DTYPE_FLOAT32' : 'DTYPE_FLOAT64',
            deadlineUnixMs: Date.now() + 2 * STEP_MS,
            secure: { ...task.secure?.settings, identityKeys: Object.fromEntries(roster.map((org) => [org, keyOf(org)])) },
          } as Parameters<AggregatorClient['openCollection']>[0];
          await client.openCollection(request, 10_000);
          if (roster.length === BANKS.length) sums.push(client.collect(spec.jobId, collectionId, 3 * STEP_MS).then((sum) => [...sum.contributors].sort()));
        }
      };
      try {
        const outcome = await attack(spec, tasks, { 'bank-1': 2, 'bank-2': 2, 'bank-3': 0 }, { aggregator: aggregator.address, beforeRelease: open, finishAfterTasks: true });
        // Round 1 was summed over all three: the first masked inputs did leave.
        expect(await Promise.all(sums)).toEqual([BANKS, BANKS]);
        const modelSha256 = sha256Hex(Buffer.from(model.hex, 'hex'));
        for (const org of without3) {
          const entries = outcome.entries[org];
          const refused = entries.filter((e) => e.type === 'task.refused').map((e) => ({ org, code: e.data.code, field: e.data.field, kind: e.data.kind, round: e.data.round, collectionId: e.data.collectionId }));
          expect(refused).toEqual([
            { org, code: 'SECAGG_MODEL_REPEATED', field: 'model', kind: 'fit', round: 2, collectionId: 'fit-2' },
            { org, code: 'SECAGG_MODEL_REPEATED', field: 'model', kind: 'evaluate', round: 2, collectionId: 'evaluate-2' },
          ]);
          expect(outcome.reports.filter((r) => r.orgId === org).map((r) => ({ org, code: r.code, collectionId: r.collectionId }))).toEqual([
            { org, code: 'SECAGG_MODEL_REPEATED', collectionId: 'fit-2' },
            { org, code: 'SECAGG_MODEL_REPEATED', collectionId: 'evaluate-2' },
          ]);
          // Refused before the trainer ran: round 2 was neither trained nor sent.
          expect({ org, ran: entries.filter((e) => e.type === 'sandbox.run').map((e) => e.data.collectionId) }).toEqual({ org, ran: ['fit-1', 'evaluate-1'] });
          expect({ org, sent: entries.filter((e) => e.type === 'output.sending').map((e) => e.data.collectionId) }).toEqual({ org, sent: ['fit-1', 'evaluate-1'] });
          // The ledger holds the hash of the bytes the bank received, one entry per kind.
          const ledger = JSON.parse(readFileSync(contributionLedgerPath(workDir(org), spec.jobId), 'utf8')) as { version: number; entries: Array<Record<string, unknown>> };
          expect({ org, version: ledger.version, entries: ledger.entries.map(({ round, kind, collectionId, modelSha256: sha }) => ({ round, kind, collectionId, sha })) }).toEqual({
            org,
            version: 2,
            entries: [
              { round: 1, kind: 'fit', collectionId: 'fit-1', sha: modelSha256 },
              { round: 1, kind: 'evaluate', collectionId: 'evaluate-1', sha: modelSha256 },
            ],
          });
          // The agent stays in the job: refusing its own second contribution says nothing about the coordinator's other tasks.
          expect(entries.filter((e) => e.type === 'job.ended').map((e) => e.data.outcome)).toEqual(['completed']);
        }
        // What the aggregator received: three inputs for each round-1 collection, none for round 2's.
        const accepted = linesWithMessage(`${aggregator.process.stdout}\n${aggregator.process.stderr}`, 'contribution accepted').map((line) => String(line.collection));
        expect(accepted.sort()).toEqual(['evaluate-1', 'evaluate-1', 'evaluate-1', 'fit-1', 'fit-1', 'fit-1']);
      } finally {
        client.close();
        await aggregator.process.stop();
      }
    }, 240_000);
  });

  describe('a person\'s approval applies to the offer the person read', () => {
    /** Sends a signed offer to the asking bank and returns its receipt and the offer's hash. */
    async function offer(spec: JobSpec, coordinator: string): Promise<{ sha256: string; receipt: OfferReceipt }> {
      const signed = signOffer({ spec, coordinator, aggregator: NO_AGGREGATOR, issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 120_000).toISOString() }, regulatorKey);
      const receipt = await bus.request<OfferReceipt>(subjects.offers(ASKING_BANK), signed, 10_000);
      return { sha256: offerHash(signed), receipt };
    }

    test('offer B for the job id of an approved offer A is not accepted on A\'s approval after a restart', async () => {
      await startBank(ASKING_BANK, creditDefaultPolicy({ regulatorKey: regulator.publicKey, approval: 'ask', overrides: { privacy: { requireSecureAggregation: false, minParticipantsPerRound: 1 } } }));
      const a = attackSpec('approved', [ASKING_BANK]);
      const { jobId } = a;
      // The same job id, more rounds: what the person never read.
      const b = compileJobSpec({ ...a, training: { ...a.training, rounds: ROUNDS + 3 } });
      const decisions: DecisionBody[] = [];
      const listening = bus.subscribe(subjects.decisions(jobId, '*'));
      const collecting = (async () => {
        for await (const message of listening) {
          try {
            decisions.push(openDecision(message.data).body);
          } catch {
            // Not a well-formed decision: the assertions below count only those.
          }
        }
      })();
      const hostileA = await HostileCoordinator.start(processes, pki, join(dir, 'jobs'), { jobId, tasks: {}, releaseAtOnce: true });
      const sentA = await offer(a, hostileA.address);
      expect(['received', 'pending']).toContain(sentA.receipt.status);
      await eventually('offer A in the queue', () => (ofJob(auditEntries(auditLog(ASKING_BANK)), jobId, 'offer.queued').length > 0 ? true : undefined));
      const approved = await runShoal(processes, ['agent', 'approve', jobId, '--offer', sentA.sha256, '--config', configs[ASKING_BANK], '--by', 'alice', '--reason', 'read offer A'], 30_000);
      expect({ code: approved.code, stderr: approved.stderr }).toEqual({ code: 0, stderr: '' });
      await hostileA.joined([ASKING_BANK], STEP_MS);
      await eventually('the end of job A', () => (ofJob(auditEntries(auditLog(ASKING_BANK)), jobId, 'job.ended').length > 0 ? true : undefined));
      await hostileA.stop();

      await agents[ASKING_BANK].stop();
      agents[ASKING_BANK] = await startAgent(processes, ASKING_BANK, configs[ASKING_BANK], join(dir, 'logs'));
      const seen = auditEntries(auditLog(ASKING_BANK)).length;
      const before = records(ASKING_BANK);
      const hostileB = await HostileCoordinator.start(processes, pki, join(dir, 'jobs'), { jobId, tasks: {}, releaseAtOnce: true });
      const sentB = await offer(b, hostileB.address);
      await eventually('the decision on offer B', () => (decisions.some((d) => d.offerSha256 === sentB.sha256) ? true : undefined));

      expect(sentB.sha256).not.toBe(sentA.sha256);
      expect(sentB.receipt.status).toBe('declined');
      // Refused before moderation: no decision of a person (or the policy) was applied to B, and no session started.
      const afterRestart = auditEntries(auditLog(ASKING_BANK)).slice(seen).filter((e) => e.data.jobId === jobId);
      expect(afterRestart.map((e) => ({ type: e.type, code: e.data.code, offerSha256: e.data.offerSha256, knownOfferSha256: e.data.knownOfferSha256 }))).toEqual([
        { type: 'offer.refused', code: 'OFFER_CHANGED', offerSha256: sentB.sha256, knownOfferSha256: sentA.sha256 },
      ]);
      expect(decisions.map((d) => ({ offerSha256: d.offerSha256, accepted: d.accepted }))).toEqual([
        { offerSha256: sentA.sha256, accepted: true },
        { offerSha256: sentB.sha256, accepted: false },
      ]);
      expect(hostileB.joins).toEqual([]);
      // Nothing was queued for a person, nothing charged, nothing else written.
      const after = records(ASKING_BANK);
      expect(after.files).toEqual(before.files);
      expect(prefixesNow(before)).toEqual(before.growing);
      listening.unsubscribe();
      await collecting;
      await hostileB.stop();
    }, 180_000);
  });
});
