/**
 * Hostile input against a running federation: a real nats-server (TLS), three
 * bank agents and `shoal job submit`'s coordinator and aggregator run a
 * short secure-aggregation job while the test sends over a thousand
 * malformed, truncated, oversized and out-of-order messages to every gRPC
 * method of both services and to every NATS subject a process consumes.
 * It calls as a hostile insider (bank-4: invited, a valid participant
 * certificate, no agent) and as an outsider (bank-9: a certificate from the
 * federation's CA, not invited). No process may crash, every gRPC case must
 * get a status that says what was wrong, and the job must still complete.
 * Mutated job specs, agent configs, policies and trainer outputs are fuzzed
 * in-process: each must be refused with a coded error, never a crash.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { stringify } from 'yaml';
import { AggregatorClient } from '../aggregator';
import { issueJobCertificates } from '../cli/job-certificates';
import { NatsBus } from '../common/bus/nats-bus';
import { regulatorInboxPrefix } from '../common/bus/nats-permissions';
import { subjects } from '../common/bus/subjects';
import { MAX_CALLS_PER_PEER } from '../common/grpc/call-limits';
import { shoalProto } from '../common/grpc/proto';
import { settingsToWire } from '../common/grpc/secagg-codec';
import { channelCredentials } from '../common/grpc/tls-credentials';
import { compileJobSpec, loadJobSpec } from '../common/job-spec';
import { silentLogger } from '../common/logger';
import { loadTlsMaterial, type TlsFiles, type TlsMaterial } from '../common/pki';
import { createRng } from '../common/random';
import { encodedLength, generateIdentity } from '../common/secagg';
import type { JobEvent, JobReport } from '../coordinator';
import { loadAgentConfig } from '../participant-agent/agent-config';
import type { AgentAudit } from '../participant-agent/agent-audit';
import type { ModerationQueue } from '../participant-agent/moderation-queue';
import { declaredTensors } from '../participant-agent/output-check/declared-output';
import { OutputGate } from '../participant-agent/output-gate';
import { loadPolicy } from '../participant-agent/policy/policy-schema';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { mutatedDocuments, type FileCase } from './support/fuzz-files';
import { CLEAR_REFUSALS, mutate, rawClient, rawMethods, runPool, sendCase, type CaseOutcome, type FuzzCase, type RawMethod } from './support/fuzz-grpc';
import { hostilePayload, notJson, type NatsPayload } from './support/fuzz-nats';
import { jobDir, readJobReport } from './support/job-report';
import { exampleJobDocument, uniqueJobId, writeJobSpec } from './support/job-spec';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { shoalResult, startAgent, startShoal, type CliResult } from './support/shoal-processes';
import type { SpawnedProcess } from './support/spawned-process';
import { createTestPki, type TestPki } from './support/test-pki';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const SEED = 'fuzz-2024';
const BANKS = ['bank-1', 'bank-2', 'bank-3'];
/** Invited, holds a valid participant certificate, runs no agent: the hostile insider. */
const INSIDER = 'bank-4';
/** A certificate from the federation's CA, not invited to the job. */
const OUTSIDER = 'bank-9';
const ROUNDS = 3;
const CASES_PER_METHOD = 80;
const CALL_TIMEOUT_MS = 10_000;
const OTHER_JOB = 'fuzz-some-other-job';

interface GrpcResult {
  fuzz: FuzzCase;
  outcome: CaseOutcome;
}

interface NatsResult {
  subject: string;
  kind: string;
  /** 'reply' (with what it said), 'ignored' (no reply to a request), or 'published' (no reply expected). */
  answer: 'reply' | 'ignored' | 'published';
  reply?: string;
}

interface FileResult {
  fuzz: FileCase;
  /** null: accepted as valid. */
  error: { name: string; code: unknown; message: string } | null;
}

describe('fuzzing a running federation with hostile input', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let pki: TestPki;
  let jobId: string;
  let outRoot: string;
  let submit: CliResult;
  let report: JobReport | undefined;
  const agents: Record<string, SpawnedProcess> = {};
  let grpcResults: GrpcResult[] = [];
  let floodOutcomes: CaseOutcome[] = [];
  let natsResults: NatsResult[] = [];
  let fileResults: FileResult[] = [];
  let probes: Record<string, CaseOutcome | string> = {};
  let jobStillRunningAfterFuzz = false;
  const methods = [...rawMethods('Coordinator', shoalProto().coordinator.shoal.v1.Coordinator.service), ...rawMethods('Aggregator', shoalProto().aggregator.shoal.v1.Aggregator.service)];

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('fuzz');
    outRoot = join(dir, 'jobs');
    const data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 600, heldOutRows: 0, seed: SEED });
    const regulator = writeRegulatorKey(dir);
    pki = await createTestPki(dir, [...BANKS, INSIDER, OUTSIDER]);
    nats = await startNatsServer(pki);
    await Promise.all(
      data.banks.map(async (bank) => {
        const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId), sandbox: { type: 'process' } });
        agents[bank.orgId] = await startAgent(processes, bank.orgId, config, dir);
      }),
    );
    const job = writeJobSpec(dir, { jobId: uniqueJobId('fuzz'), invitedOrgs: [...BANKS, INSIDER], rounds: ROUNDS, localEpochs: 1, roundDeadlineSeconds: 60, minParticipants: 3, admissionSeconds: 10 });
    jobId = job.spec.jobId;
    const observer = await NatsBus.connect(nats.url, 'fuzz-observer', pki.observer);
    const events = observer.subscribe<JobEvent>(subjects.events(jobId));
    const cli = startShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], join(dir, 'submit.log'));
    let addresses = { coordinator: '', aggregator: '' };
    for await (const { data: event } of events) {
      if (event.type === 'job.started') {
        addresses = { coordinator: event.coordinator, aggregator: event.aggregator };
        break;
      }
    }
    events.unsubscribe();
    await observer.close();

    const [grpcDone, natsDone] = await Promise.all([fuzzGrpc(addresses), fuzzNats()]);
    grpcResults = grpcDone.results;
    floodOutcomes = grpcDone.flood;
    probes = grpcDone.probes;
    natsResults = natsDone;
    jobStillRunningAfterFuzz = cli.running;
    submit = await shoalResult(cli, 180_000);
    try {
      report = readJobReport(outRoot, jobId);
    } catch {
      report = undefined;
    }
    fileResults = await fuzzFiles();
    // FUZZ_DEBUG=<file>: every case's target, kind and answer (never payloads), for diagnosing a failure.
    if (process.env.FUZZ_DEBUG) writeFileSync(process.env.FUZZ_DEBUG, JSON.stringify({ grpc: grpcResults.map((r) => ({ t: r.fuzz.target, k: r.fuzz.kind, c: grpc.status[r.outcome.code], d: r.outcome.details })), nats: natsResults, files: fileResults.map((r) => ({ t: r.fuzz.target, k: r.fuzz.kind, f: r.fuzz.mustRefuseNaming, e: r.error })) }, null, 1));
    const count = (target: string): number => grpcResults.filter((r) => r.fuzz.target.startsWith(target)).length;
    const grpcTotal = grpcResults.length + floodOutcomes.length;
    console.log(
      `fuzz: ${grpcTotal + natsResults.length + fileResults.length} cases (grpc ${grpcTotal}: coordinator ${count('Coordinator.')}, aggregator ${count('Aggregator.') + floodOutcomes.length}; nats ${natsResults.length}; files ${fileResults.length})`,
    );
  }, 240_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  /** The gRPC cases, sent while the job runs; then a flood of held streams, then probes that the servers still answer. */
  async function fuzzGrpc(addresses: { coordinator: string; aggregator: string }): Promise<{ results: GrpcResult[]; flood: CaseOutcome[]; probes: Record<string, CaseOutcome | string> }> {
    const rng = createRng(`${SEED}-grpc`);
    const tls: Record<string, TlsMaterial> = {};
    for (const org of [INSIDER, OUTSIDER]) tls[org] = loadTlsMaterial(await pki.participant(org));
    const clientsOf = (org: string): Record<RawMethod['service'], ReturnType<typeof rawClient>> => ({
      Coordinator: rawClient(shoalProto().coordinator.shoal.v1.Coordinator.service, addresses.coordinator, channelCredentials(tls[org], { role: 'coordinator', orgId: jobId })),
      Aggregator: rawClient(shoalProto().aggregator.shoal.v1.Aggregator.service, addresses.aggregator, channelCredentials(tls[org], { role: 'aggregator', orgId: jobId })),
    });
    const clients: Record<string, ReturnType<typeof clientsOf>> = { [INSIDER]: clientsOf(INSIDER), [OUTSIDER]: clientsOf(OUTSIDER) };

    // Two collections of the test's own on the job's aggregator (opened with a coordinator certificate for the job),
    // where the insider and the outsider are expected: streams of the wrong shape and phase calls out of order reach the checks behind admission.
    const own = await issueJobCertificates(pki.dir, jobId, join(dir, 'test-coordinator'), '127.0.0.1');
    const asCoordinator = new AggregatorClient(addresses.aggregator, 'coordinator', channelCredentials(loadTlsMaterial(own.coordinator as TlsFiles), { role: 'aggregator', orgId: jobId }));
    const deadlineUnixMs = Date.now() + 120_000;
    const cohort = [INSIDER, OUTSIDER];
    await asCoordinator.openCollection({ jobId, collectionId: 'fuzz-plain', expectedOrgs: cohort, minContributors: 1, elementCount: 8, dtype: 'DTYPE_FLOAT64', deadlineUnixMs }, 10_000);
    const identities = new Map(cohort.map((org) => [org, generateIdentity(org).publicKey]));
    await asCoordinator.openCollection(
      {
        jobId,
        collectionId: 'fuzz-secure',
        expectedOrgs: cohort,
        minContributors: 2,
        elementCount: 8,
        dtype: 'DTYPE_FLOAT64',
        deadlineUnixMs,
        secure: settingsToWire({ threshold: 2, degree: 1, identityKeys: identities, encoding: { kind: 'exact' }, encodedElementCount: encodedLength({ kind: 'exact' }, 8), phaseTimeoutMs: 3000 }),
      },
      10_000,
    );

    const cases: Array<{ fuzz: FuzzCase; method: RawMethod; org: string }> = [];
    const byName = new Map(methods.map((m) => [`${m.service}.${m.name}`, m]));
    const add = (target: string, org: string, kind: string, messages: Buffer[], hold = false): void => {
      cases.push({ fuzz: { target, kind, messages, hold }, method: byName.get(target) as RawMethod, org });
    };
    const callerOf = (org: string, job: string, collectionId: string) => ({ jobId: job, collectionId, orgId: org });
    const key = Buffer.alloc(32, 7);
    /** Requests that must be refused as they are, and stay refusable under any mutation (wrong job, or another org's id). */
    const bases = (method: RawMethod, org: string): Array<{ request: object; mutable: boolean }> => {
      const other = org === INSIDER ? 'bank-1' : 'bank-2';
      const jobs = [OTHER_JOB, jobId];
      const out: Array<{ request: object; mutable: boolean }> = [];
      for (const job of jobs) {
        // With the right job, only requests naming another organisation are mutated: a mutation cannot make the certificate's organisation appear.
        const forOrg = job === jobId ? other : org;
        switch (method.name) {
          case 'Join':
            out.push({ request: { jobId: job, orgId: forOrg, agentVersion: '0.1.0', identityKey: key }, mutable: true });
            if (job === jobId) out.push({ request: { jobId: job, orgId: org, agentVersion: '0.1.0', identityKey: key.subarray(0, 5) }, mutable: org === OUTSIDER });
            break;
          case 'NextTask':
            out.push({ request: { jobId: job, orgId: forOrg }, mutable: true }, { request: { jobId: job, orgId: org }, mutable: true });
            break;
          case 'ReportStatus':
            out.push({ request: { jobId: job, orgId: forOrg, collectionId: 'fit-1', code: 'TRAINER_FAILED', message: 'x'.repeat(3000) }, mutable: true });
            break;
          case 'AdvertiseKeys':
            out.push({ request: { caller: callerOf(forOrg, job, 'fuzz-secure'), advertisement: { orgId: forOrg, encryptionKey: key, maskingKey: key, signature: Buffer.alloc(64, 1) } }, mutable: true });
            break;
          case 'ShareKeys':
            out.push({ request: { caller: callerOf(forOrg, job, 'fit-1'), shares: [{ from: forOrg, to: 'bank-2', ciphertext: Buffer.alloc(80, 3) }] }, mutable: true });
            break;
          case 'ConsistencyCheck':
            out.push({ request: { caller: callerOf(forOrg, job, 'statistics-0') }, mutable: true });
            break;
          case 'SignSurvivors':
            out.push({ request: { caller: callerOf(forOrg, job, 'fit-2'), signature: { orgId: forOrg, signature: Buffer.alloc(64, 2) } }, mutable: true });
            break;
          case 'Unmask':
            out.push({ request: { caller: callerOf(forOrg, job, 'fit-1'), shares: [{ owner: 'bank-3', kind: 'masking-key', x: 4, y: Buffer.alloc(32, 9) }] }, mutable: true });
            break;
          case 'OpenCollection':
            out.push({ request: { jobId: job, collectionId: 'forged', expectedOrgs: [org], minContributors: 1, elementCount: 4, dtype: 'DTYPE_FLOAT32', deadlineUnixMs: Date.now() + 60_000 }, mutable: true });
            break;
          case 'MarkDropped':
            out.push({ request: { jobId: job, collectionId: 'fit-1', orgId: 'bank-1', reason: 'forged' }, mutable: true });
            break;
          case 'CollectAggregate':
            out.push({ request: { jobId: job, collectionId: 'fuzz-plain' }, mutable: true });
            break;
          case 'EndJob':
            out.push({ request: { jobId: job }, mutable: true });
            break;
          case 'Submit':
            out.push({ request: { header: { jobId: job, orgId: forOrg, collectionId: 'fit-1', weight: 10, vector: { elementCount: 8, dtype: 'DTYPE_FLOAT64', tensors: [] } } }, mutable: true });
            break;
          default:
            throw new Error(`no fuzz cases for ${method.service}.${method.name}: add them`);
        }
      }
      return out;
    };
    const chunk = (method: RawMethod, offset: number, bytes: number): Buffer => method.encode({ chunk: { offset, data: Buffer.alloc(bytes, 1) } });
    for (const method of methods) {
      const target = `${method.service}.${method.name}`;
      // Streams carry a header and chunks: mutations hit one message of the stream.
      const wrap = (first: Buffer): Buffer[] => (method.requestStream ? [first, chunk(method, 0, 64)] : [first]);
      for (let i = 0; i < CASES_PER_METHOD; i++) {
        const org = i % 2 === 0 ? INSIDER : OUTSIDER;
        const all = bases(method, org);
        const base = all[Math.floor(rng() * all.length)];
        const valid = method.encode(base.request);
        const roll = rng();
        if (!base.mutable || roll < 0.15) add(target, org, 'refusable-as-is', wrap(valid));
        else if (roll < 0.4) add(target, org, 'random-bytes', wrap(mutate.random(rng)));
        else if (roll < 0.65) add(target, org, 'truncated', wrap(mutate.truncated(rng, valid)));
        else add(target, org, 'flipped', wrap(mutate.flipped(rng, valid)));
      }
      add(target, OUTSIDER, 'overlong-field', wrap(mutate.overlong()));
      // An unknown field (15) whose declared length runs past the end: no decoder can read it.
      add(target, INSIDER, 'length-past-end', wrap(Buffer.from([0x7a, 0x05, 0x01])));
      add(target, INSIDER, 'deep-nesting', wrap(mutate.deep()));
      add(target, OUTSIDER, 'oversized', [mutate.oversized()]);
    }
    // Streams in the wrong shape, to a collection the insider is expected in; sent one at a time, since
    // a second stream of the same organisation while the first is open is refused as a duplicate.
    const firstOrdered = cases.length;
    const submit = byName.get('Aggregator.Submit') as RawMethod;
    // Each shaped stream goes to a plain collection of its own: a stream that breaks off after some of its chunks were summed spoils its collection.
    const plainIds: string[] = [];
    const header = (org: string, changes: Record<string, unknown> = {}, vector: Record<string, unknown> = {}): Buffer => {
      const collectionId = `fuzz-plain-${plainIds.length}`;
      plainIds.push(collectionId);
      return submit.encode({ header: { jobId, orgId: org, collectionId, weight: 5, vector: { elementCount: 8, dtype: 'DTYPE_FLOAT64', tensors: [], ...vector }, ...changes } });
    };
    for (const org of cohort) {
      add('Aggregator.Submit', org, 'chunk-before-header', [chunk(submit, 0, 64), header(org)]);
      add('Aggregator.Submit', org, 'too-few-bytes', [header(org), chunk(submit, 0, 56)]);
      add('Aggregator.Submit', org, 'too-many-bytes', [header(org), chunk(submit, 0, 64), chunk(submit, 64, 8)]);
      add('Aggregator.Submit', org, 'ragged-bytes', [header(org), chunk(submit, 0, 61)]);
      add('Aggregator.Submit', org, 'wrong-offset', [header(org), chunk(submit, 8, 64)]);
      const twice = header(org);
      add('Aggregator.Submit', org, 'two-headers', [twice, twice, chunk(submit, 0, 64)]);
      add('Aggregator.Submit', org, 'header-only', [header(org)]);
      add('Aggregator.Submit', org, 'empty-stream', []);
      add('Aggregator.Submit', org, 'wrong-element-count', [header(org, {}, { elementCount: 9 }), chunk(submit, 0, 72)]);
      add('Aggregator.Submit', org, 'wrong-dtype', [header(org, {}, { dtype: 'DTYPE_UINT32' }), chunk(submit, 0, 32)]);
      add('Aggregator.Submit', org, 'negative-weight', [header(org, { weight: -1 }), chunk(submit, 0, 64)]);
      add('Aggregator.Submit', org, 'nan-weight', [header(org, { weight: Number.NaN }), chunk(submit, 0, 64)]);
      add('Aggregator.Submit', org, 'wrong-job', [header(org, { jobId: OTHER_JOB }), chunk(submit, 0, 64)]);
      add('Aggregator.Submit', org, 'other-org', [header(org === INSIDER ? 'bank-1' : 'bank-2'), chunk(submit, 0, 64)]);
      add('Aggregator.Submit', org, 'oversized-chunk', [header(org), submit.encode({ chunk: { offset: 0, data: Buffer.alloc(17 * 1024 * 1024) } })]);
      // Phase calls out of order on the secure collection: nothing was advertised yet.
      const caller = callerOf(org, jobId, 'fuzz-secure');
      const phase = (name: string, request: object): void => {
        const method = byName.get(`Aggregator.${name}`) as RawMethod;
        add(`Aggregator.${name}`, org, 'out-of-order', [method.encode(request)]);
      };
      phase('ShareKeys', { caller, shares: [{ from: org, to: cohort.find((o) => o !== org), ciphertext: Buffer.alloc(80, 3) }] });
      phase('SignSurvivors', { caller, signature: { orgId: org, signature: Buffer.alloc(64, 2) } });
      phase('Unmask', { caller, shares: [{ owner: org, kind: 'self-mask-seed', x: 1, y: Buffer.alloc(32, 9) }] });
      phase('AdvertiseKeys', { caller, advertisement: { orgId: org, encryptionKey: Buffer.alloc(3), maskingKey: Buffer.alloc(3), signature: Buffer.alloc(64) } });
      // A Submit to the secure collection with a plain header.
      add('Aggregator.Submit', org, 'plain-into-secure', [submit.encode({ header: { jobId, orgId: org, collectionId: 'fuzz-secure', weight: 1, vector: { elementCount: 8, dtype: 'DTYPE_FLOAT64', tensors: [] } } }), chunk(submit, 0, 64)]);
    }

    const ordered = cases.splice(firstOrdered);
    for (const collectionId of plainIds) await asCoordinator.openCollection({ jobId, collectionId, expectedOrgs: cohort, minContributors: 1, elementCount: 8, dtype: 'DTYPE_FLOAT64', deadlineUnixMs }, 10_000);
    const send = async ({ fuzz, method, org }: (typeof cases)[number]): Promise<GrpcResult> => ({ fuzz, outcome: await sendCase(clients[org][method.service], method, fuzz, CALL_TIMEOUT_MS) });
    const results = [...(await runPool(cases, 6, send)), ...(await runPool(ordered, 1, send))];

    // A flood: the outsider holds more Submit streams open than a peer may.
    const submitMethod = byName.get('Aggregator.Submit') as RawMethod;
    const flood = Array.from({ length: MAX_CALLS_PER_PEER + 6 }, (_, i) => sendCase(clients[OUTSIDER].Aggregator, submitMethod, { target: 'Aggregator.Submit', kind: `flood-${i}`, messages: [], hold: true }, 3000));
    const floodResults = await Promise.all(flood);

    // The servers still answer, with the right refusal.
    const probe = async (service: RawMethod['service'], name: string, request: object): Promise<CaseOutcome> => {
      const method = byName.get(`${service}.${name}`) as RawMethod;
      return sendCase(clients[OUTSIDER][service], method, { target: `${service}.${name}`, kind: 'probe', messages: [method.encode(request)] }, CALL_TIMEOUT_MS);
    };
    const finalProbes: Record<string, CaseOutcome | string> = {
      coordinator: await probe('Coordinator', 'Join', { jobId, orgId: OUTSIDER, agentVersion: '0.1.0', identityKey: key }),
      aggregator: await probe('Aggregator', 'EndJob', { jobId }),
    };
    for (const set of Object.values(clients)) for (const client of Object.values(set)) client.close();
    asCoordinator.close();
    return { results, flood: floodResults, probes: finalProbes };
  }

  /** Hostile payloads on every subject a Shoal process consumes. */
  async function fuzzNats(): Promise<NatsResult[]> {
    const rng = createRng(`${SEED}-nats`);
    const tlsOf = (files: TlsFiles) => ({ caFile: files.ca, certFile: files.cert, keyFile: files.key });
    // The regulator may read replies only under its own inbox prefix.
    const regulator = await connect({ servers: nats.url, name: 'fuzz-regulator', tls: tlsOf(pki.regulator), inboxPrefix: regulatorInboxPrefix('regulator'), timeout: 30_000 });
    const insider = await connect({ servers: nats.url, name: 'fuzz-insider', tls: tlsOf(await pki.participant(INSIDER)), timeout: 30_000 });
    const outsider = await connect({ servers: nats.url, name: 'fuzz-outsider', tls: tlsOf(await pki.participant(OUTSIDER)), timeout: 30_000 });
    const results: NatsResult[] = [];
    const request = async (connection: NatsConnection, subject: string, payload: NatsPayload): Promise<void> => {
      try {
        const reply = await connection.request(subject, payload.bytes, { timeout: 1500 });
        results.push({ subject, kind: payload.kind, answer: 'reply', reply: new TextDecoder().decode(reply.data) });
      } catch {
        results.push({ subject, kind: payload.kind, answer: 'ignored' });
      }
    };
    const publish = (connection: NatsConnection, subject: string, payload: NatsPayload): void => {
      connection.publish(subject, payload.bytes);
      results.push({ subject, kind: payload.kind, answer: 'published' });
    };
    const offerSample = { body: { jobId, requester: 'regulator', coordinator: '127.0.0.1:1', aggregator: '127.0.0.1:2', spec: exampleJobDocument() }, signature: 'AAAA', publicKey: 'BBBB' };
    const decisionSample = { body: { jobId, orgId: INSIDER, accepted: false, reason: 'x', offerSha256: '00', decidedBy: 'policy', seq: 1 }, signature: 'AAAA', publicKey: 'BBBB' };
    const tasks: Array<() => Promise<void>> = [];
    for (const org of BANKS) for (let i = 0; i < 30; i++) tasks.push(() => request(regulator, subjects.offers(org), hostilePayload(rng, offerSample)));
    for (let i = 0; i < 40; i++) tasks.push(() => request(regulator, subjects.status(jobId), hostilePayload(rng, { verbose: true })));
    for (let i = 0; i < 30; i++) tasks.push(() => request(regulator, subjects.cancel(jobId), notJson(rng, { reason: 'x' })));
    for (const [connection, org] of [[insider, INSIDER], [outsider, OUTSIDER]] as const) {
      for (let i = 0; i < 25; i++) {
        tasks.push(async () => publish(connection, subjects.decisions(jobId, org), hostilePayload(rng, { ...decisionSample, body: { ...decisionSample.body, orgId: org } })));
        tasks.push(async () => publish(connection, subjects.auditHeads(jobId, org), hostilePayload(rng, { body: { jobId, orgId: org, seq: 3, hash: 'ab', at: 'now' }, signature: 'AAAA', publicKey: 'BBBB' })));
      }
    }
    await runPool(tasks, 16, (task) => task());
    await Promise.all([regulator.flush(), insider.flush(), outsider.flush()]);
    // A well-formed status request is still answered after all that.
    await request(regulator, subjects.status(jobId), { kind: 'probe', bytes: new TextEncoder().encode('{}') });
    await Promise.all([regulator.close(), insider.close(), outsider.close()]);
    return results;
  }

  /** Mutated files through the loaders an operator's files go through, and trainer outputs through the output gate. */
  async function fuzzFiles(): Promise<FileResult[]> {
    const rng = createRng(`${SEED}-files`);
    const where = join(dir, 'fuzz-files');
    mkdirSync(where, { recursive: true });
    const regulator = writeRegulatorKey(where);
    const policyDocument = creditDefaultPolicy({ regulatorKey: regulator.publicKey });
    const policyPath = join(where, 'valid-policy.yaml');
    writeFileSync(policyPath, stringify(policyDocument));
    const agentDocument = { orgId: 'bank-1', nats: nats.url, policy: policyPath, datasets: { 'credit-default': { path: join(where, 'bank.csv') } }, workDir: join(where, 'work'), trainer: { timeoutSeconds: 300 }, tls: await pki.participant('bank-1') };
    const spec = compileJobSpec({ ...exampleJobDocument(), jobId: 'fuzz-output', invitedOrgs: ['bank-1'], minParticipants: 1 });
    const tensors = declaredTensors(spec, 'fit');
    const elements = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    const resultDocument = { kind: 'fit', weight: 1234, elementCount: elements, dtype: 'float32', backend: 'wasm', epochLosses: [0.7, 0.6], seconds: 0.25, tensors: tensors.map((t) => ({ ...t, shape: [...t.shape] })), metrics: { loss: 0.6 } };
    const cases = [
      ...mutatedDocuments(rng, 'job-spec', exampleJobDocument(), 120),
      ...mutatedDocuments(rng, 'agent-config', agentDocument as unknown as Record<string, unknown>, 100),
      ...mutatedDocuments(rng, 'policy', policyDocument, 100),
      ...mutatedDocuments(rng, 'trainer-output', resultDocument, 100, true),
    ];
    const gate = new OutputGate({
      spec,
      policy: { maxL2Norm: 10, onNormExceeded: 'reject', exampleCountGranularity: 100, maxViolations: 1_000_000, requireRelease: false },
      queue: {} as ModerationQueue,
      audit: { record: () => undefined } as unknown as AgentAudit,
      logger: silentLogger(),
    });
    const results: FileResult[] = [];
    cases.forEach((fuzz, i) => {
      const path = join(where, `${fuzz.target}-${i}.${fuzz.target === 'trainer-output' ? 'json' : 'yaml'}`);
      let error: FileResult['error'] = null;
      try {
        if (fuzz.target === 'trainer-output') {
          const outputDir = join(where, `output-${i}`);
          mkdirSync(outputDir);
          writeFileSync(join(outputDir, 'result.json'), fuzz.text);
          // Mostly a well-formed vector; sometimes bytes of the wrong length or not finite.
          const vector = rng() < 0.8 ? Buffer.from(new Float32Array(elements).fill(0.001).buffer) : Buffer.from(Array.from({ length: Math.floor(rng() * 64) }, () => Math.floor(rng() * 256)));
          writeFileSync(join(outputDir, 'contribution.bin'), vector);
          gate.inspect({ round: 1, collectionId: 'fit-1', kind: 'fit', deadlineUnixMs: Date.now() + 60_000 }, outputDir);
        } else {
          writeFileSync(path, fuzz.text);
          if (fuzz.target === 'job-spec') loadJobSpec(path);
          else if (fuzz.target === 'agent-config') loadAgentConfig(path);
          else loadPolicy(path);
        }
      } catch (err) {
        const e = err as { name?: unknown; code?: unknown; message?: unknown };
        error = { name: String(e?.name), code: e?.code, message: String(e?.message) };
      }
      results.push({ fuzz, error });
    });
    return results;
  }

  test('every gRPC method of both services got hostile cases', () => {
    const covered = new Set(grpcResults.map((r) => r.fuzz.target));
    expect([...covered].sort()).toEqual(methods.map((m) => `${m.service}.${m.name}`).sort());
    for (const method of methods) expect(grpcResults.filter((r) => r.fuzz.target === `${method.service}.${method.name}`).length).toBeGreaterThanOrEqual(CASES_PER_METHOD);
    expect(grpcResults.length + floodOutcomes.length).toBeGreaterThanOrEqual(1000);
  });

  test('every malformed gRPC case got a clear refusal: a status that is not OK, UNKNOWN, INTERNAL or a timeout, with a message', () => {
    const unclear = grpcResults
      .filter((r) => !CLEAR_REFUSALS.has(r.outcome.code) || r.outcome.details.trim().length < 10)
      .map((r) => `${r.fuzz.target} ${r.fuzz.kind}: ${grpc.status[r.outcome.code]} ${JSON.stringify(r.outcome.details)}`);
    expect(unclear).toEqual([]);
  });

  test('undecodable bytes are INVALID_ARGUMENT, oversized messages RESOURCE_EXHAUSTED, and streams of the wrong shape are refused as such', () => {
    const statuses = (kind: string): string[] => [...new Set(grpcResults.filter((r) => r.fuzz.kind === kind).map((r) => grpc.status[r.outcome.code]))].sort();
    expect(statuses('oversized')).toEqual(['RESOURCE_EXHAUSTED']);
    expect(statuses('oversized-chunk')).toEqual(['RESOURCE_EXHAUSTED']);
    expect(statuses('length-past-end')).toEqual(['INVALID_ARGUMENT']);
    for (const r of grpcResults.filter((c) => c.fuzz.kind === 'length-past-end')) expect(r.outcome.details).toMatch(/^the request to \/shoal\.v1\.\w+\/\w+ is not a valid message: /);
    for (const kind of ['chunk-before-header', 'too-few-bytes', 'too-many-bytes', 'ragged-bytes', 'wrong-offset', 'two-headers', 'header-only', 'empty-stream', 'wrong-element-count', 'wrong-dtype', 'negative-weight', 'nan-weight']) {
      expect({ kind, statuses: statuses(kind) }).toEqual({ kind, statuses: ['INVALID_ARGUMENT'] });
    }
    expect(statuses('wrong-job')).toEqual(['NOT_FOUND']);
    expect(statuses('other-org')).toEqual(['PERMISSION_DENIED']);
    const outOfOrder = grpcResults.filter((r) => r.fuzz.kind === 'out-of-order').map((r) => grpc.status[r.outcome.code]);
    expect(outOfOrder).toEqual(Array(8).fill('FAILED_PRECONDITION'));
  });

  test('a peer holding more calls than the limit is refused with RESOURCE_EXHAUSTED naming it and the limit', () => {
    const refused = floodOutcomes.filter((o) => o.code === grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(refused[0].details).toBe(`participant ${OUTSIDER} already has ${MAX_CALLS_PER_PEER} calls in flight to the shoal.v1.Aggregator; the limit per peer is ${MAX_CALLS_PER_PEER}`);
  });

  test('after the fuzzing, the coordinator and aggregator still answer with the right refusal', () => {
    expect(probes.coordinator).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect(probes.aggregator).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect(jobStillRunningAfterFuzz).toBe(true);
  });

  test('every consumed NATS subject got hostile payloads; status requests are answered or ignored, never a cancel', () => {
    const covered = new Set(natsResults.map((r) => r.subject.replace(jobId, '<job>')));
    expect([...covered].sort()).toEqual(
      [...BANKS.map((org) => subjects.offers(org)), subjects.status('<job>'), subjects.cancel('<job>'), subjects.decisions('<job>', INSIDER), subjects.decisions('<job>', OUTSIDER), subjects.auditHeads('<job>', INSIDER), subjects.auditHeads('<job>', OUTSIDER)].sort(),
    );
    // Cancel requests that are not JSON are not requests at all: no reply, and the job was not cancelled (it completed, below).
    expect(natsResults.filter((r) => r.subject === subjects.cancel(jobId)).map((r) => r.answer)).toEqual(Array(30).fill('ignored'));
    // A status request that parses is answered with the job's status; the last one was well-formed.
    const statusReplies = natsResults.filter((r) => r.subject === subjects.status(jobId) && r.answer === 'reply');
    expect(statusReplies.length).toBeGreaterThan(0);
    for (const reply of statusReplies) expect(JSON.parse(reply.reply as string)).toMatchObject({ jobId, state: expect.any(String) });
    expect(natsResults.at(-1)).toMatchObject({ subject: subjects.status(jobId), answer: 'reply' });
    // Agents answer a malformed offer with a refusal receipt or not at all.
    for (const reply of natsResults.filter((r) => r.subject.startsWith('shoal.offers.') && r.answer === 'reply')) {
      expect(JSON.parse(reply.reply as string)).toMatchObject({ status: 'declined', refusal: expect.any(String) });
    }
  });

  test('no process crashed: nats-server and every agent are running, and shoal job submit exited 0', () => {
    expect(nats.process.running).toBe(true);
    for (const org of BANKS) expect({ org, running: agents[org].running }).toEqual({ org, running: true });
    expect({ code: submit.code, signal: submit.signal }).toEqual({ code: 0, signal: null });
  });

  test('the job completed every round with the three agents, despite the fuzzing', () => {
    if (!report) throw new Error(`no report.json in ${jobDir(outRoot, jobId)}; shoal job submit said:\n${submit.stderr.slice(-3000)}`);
    expect(report.status).toBe('completed');
    expect(report.error).toBeNull();
    expect(report.roundsCompleted).toBe(ROUNDS);
    expect(report.participants.admitted).toEqual(BANKS);
    for (const round of report.perRound) expect([...round.contributors].sort()).toEqual(BANKS);
  });

  test('every mutated file is refused with a coded error naming the problem, or accepted; never a raw TypeError', () => {
    expect(fileResults.length).toBeGreaterThanOrEqual(400);
    const crashes = fileResults
      .filter((r) => r.error && (['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'].includes(r.error.name) || typeof r.error.code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(r.error.code as string) || r.error.message.length < 10))
      .map((r) => `${r.fuzz.target} ${r.fuzz.kind}: ${r.error?.name} ${String(r.error?.code)} ${r.error?.message.slice(0, 300)}`);
    expect(crashes).toEqual([]);
    const wrongTypeAccepted = fileResults.filter((r) => r.fuzz.mustRefuseNaming && !r.error).map((r) => `${r.fuzz.target}: ${r.fuzz.mustRefuseNaming}`);
    expect(wrongTypeAccepted).toEqual([]);
    const unnamed = fileResults
      .filter((r) => r.fuzz.mustRefuseNaming && r.fuzz.target !== 'trainer-output' && r.error && !r.error.message.includes(r.fuzz.mustRefuseNaming as string))
      .map((r) => `${r.fuzz.target} ${r.fuzz.mustRefuseNaming}: ${r.error?.message.slice(0, 300)}`);
    expect(unnamed).toEqual([]);
    for (const target of ['job-spec', 'agent-config', 'policy', 'trainer-output']) {
      expect({ target, refused: fileResults.filter((r) => r.fuzz.target === target && r.error).length > 50 }).toEqual({ target, refused: true });
    }
  });
});
