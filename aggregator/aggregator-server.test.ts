import * as grpc from '@grpc/grpc-js';
import { ShoalError } from '../common/errors';
import { grpcStatusOf } from '../common/grpc/status-codes';
import { channelCredentials } from '../common/grpc/tls-credentials';
import { silentLogger } from '../common/logger';
import { CertificateAuthority, tlsMaterialFrom, type TlsMaterial } from '../common/pki';
import { createRng } from '../common/random';
import { AggregatorClient, AggregatorServer } from './index';

const JOB = 'credit-default-mlp';
const TIMEOUT_MS = 30_000;
/** Every organisation the tests submit for; each has its own participant certificate. */
const ORGS = ['org-a', 'org-b', 'org-c', 'org-z'];

/** Mutual TLS from one in-memory CA: the job's aggregator and coordinator, and one participant per org. */
let aggregatorTls: TlsMaterial;
let coordinatorTls: TlsMaterial;
const participantTls = new Map<string, TlsMaterial>();

let server: AggregatorServer;
let address: string;
let coordinator: AggregatorClient;
/** One client per org, created on first use in a test: its certificate names that org. */
const participants = new Map<string, AggregatorClient>();

beforeAll(async () => {
  const ca = await CertificateAuthority.create('Aggregator server test CA');
  aggregatorTls = tlsMaterialFrom(ca, await ca.issue({ orgId: JOB, role: 'aggregator' }), await ca.revocationList([]));
  coordinatorTls = tlsMaterialFrom(ca, await ca.issue({ orgId: JOB, role: 'coordinator' }));
  for (const org of ORGS) participantTls.set(org, tlsMaterialFrom(ca, await ca.issue({ orgId: org, role: 'participant' })));
});

/** A client that presents `tls` and accepts only this job's aggregator as the server. */
function clientAs(tls: TlsMaterial, component: 'coordinator' | 'participant-agent'): AggregatorClient {
  return new AggregatorClient(address, component, channelCredentials(tls, { role: 'aggregator', orgId: JOB }));
}

/** The client holding `orgId`'s participant certificate. */
function participantOf(orgId: string): AggregatorClient {
  let client = participants.get(orgId);
  if (!client) {
    const tls = participantTls.get(orgId);
    if (!tls) throw new Error(`no participant certificate for ${orgId}; add it to ORGS`);
    client = clientAs(tls, 'participant-agent');
    participants.set(orgId, client);
  }
  return client;
}

beforeEach(async () => {
  server = new AggregatorServer({ jobId: JOB, host: '127.0.0.1', port: 0, maskWorkers: 0, logger: silentLogger(), tls: aggregatorTls });
  const port = await server.start();
  expect(port).toBeGreaterThan(0);
  address = `127.0.0.1:${port}`;
  coordinator = clientAs(coordinatorTls, 'coordinator');
});

afterEach(async () => {
  coordinator.close();
  for (const client of participants.values()) client.close();
  participants.clear();
  await server.stop();
});

async function openCollection(collectionId: string, options: { expectedOrgs: string[]; minContributors: number; elementCount: number; deadlineMs?: number }): Promise<void> {
  await coordinator.openCollection(
    {
      jobId: JOB,
      collectionId,
      expectedOrgs: options.expectedOrgs,
      minContributors: options.minContributors,
      elementCount: options.elementCount,
      dtype: 'DTYPE_FLOAT32',
      deadlineUnixMs: Date.now() + (options.deadlineMs ?? 60_000),
    },
    TIMEOUT_MS,
  );
}

/** Submits as `orgId`, with `orgId`'s own certificate. */
function submit(collectionId: string, orgId: string, weight: number, vector: Float32Array): Promise<number> {
  return participantOf(orgId).submit({ jobId: JOB, orgId, collectionId, weight, vector }, TIMEOUT_MS);
}

async function failureOf(promise: Promise<unknown>): Promise<ShoalError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(ShoalError);
  return outcome as ShoalError;
}

function bytesOf(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

describe('aggregating over gRPC', () => {
  it('returns a 10,000,000-parameter float32 model bit for bit', async () => {
    const rng = createRng('ten-million');
    const model = new Float32Array(10_000_000);
    // Random mantissas across 41 binary exponents, so the values use all of float32's bits.
    for (let i = 0; i < model.length; i++) model[i] = (rng() - 0.5) * 2 ** ((i % 41) - 20);
    await openCollection('round-1-update', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: model.length });

    const contributors = await submit('round-1-update', 'org-a', 1, model);
    const collected = await coordinator.collect(JOB, 'round-1-update', TIMEOUT_MS);

    expect(contributors).toBe(1);
    expect(collected.contributors).toEqual(['org-a']);
    expect(collected.missing).toEqual([]);
    expect(collected.totalWeight).toBe(1);
    expect(collected.weightedSum).toBeInstanceOf(Float64Array);
    expect(collected.weightedSum.length).toBe(10_000_000);
    expect(bytesOf(Float32Array.from(collected.weightedSum)).equals(bytesOf(model))).toBe(true);
  });

  it('sums three weighted contributions exactly, giving their weighted mean', async () => {
    await openCollection('round-2-update', { expectedOrgs: ['org-a', 'org-b', 'org-c'], minContributors: 3, elementCount: 3 });

    const acks = await Promise.all([
      submit('round-2-update', 'org-a', 1, new Float32Array([8, 0, -4])),
      submit('round-2-update', 'org-b', 2, new Float32Array([0, 4, 4])),
      submit('round-2-update', 'org-c', 5, new Float32Array([0.5, 0.25, 1])),
    ]);
    const collected = await coordinator.collect(JOB, 'round-2-update', TIMEOUT_MS);

    expect([...acks].sort()).toEqual([1, 2, 3]);
    expect([...collected.contributors].sort()).toEqual(['org-a', 'org-b', 'org-c']);
    expect(collected.totalWeight).toBe(8);
    expect(Array.from(collected.weightedSum)).toEqual([10.5, 9.25, 9]);
    expect(Array.from(collected.weightedSum, (sum) => sum / collected.totalWeight)).toEqual([1.3125, 1.15625, 1.125]);
  });

  it('settles early when the coordinator marks the last participant dropped', async () => {
    await openCollection('round-3-update', { expectedOrgs: ['org-a', 'org-b'], minContributors: 1, elementCount: 2 });

    await submit('round-3-update', 'org-a', 4, new Float32Array([0.5, -1]));
    await coordinator.markDropped({ jobId: JOB, collectionId: 'round-3-update', orgId: 'org-b', reason: 'trainer exited with code 1' }, TIMEOUT_MS);
    const collected = await coordinator.collect(JOB, 'round-3-update', TIMEOUT_MS);

    expect(collected.contributors).toEqual(['org-a']);
    expect(collected.missing).toEqual(['org-b: trainer exited with code 1']);
    expect(Array.from(collected.weightedSum)).toEqual([2, -4]);
  });
});

describe('status codes', () => {
  it('answers NOT_FOUND for a submission to a collection that is not open', async () => {
    const error = await failureOf(submit('no-such-collection', 'org-a', 1, new Float32Array(3)));

    expect(error.details.grpcStatus).toBe(grpc.status.NOT_FOUND);
    expect(grpcStatusOf(error)).toBe(grpc.status.NOT_FOUND);
    expect(error.code).toBe('UNKNOWN_COLLECTION');
    expect(error.message).toBe('submitting to collection no-such-collection: collection no-such-collection is not open');
  });

  it('answers NOT_FOUND for a submission to another job', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: 3 });

    const error = await failureOf(participantOf('org-a').submit({ jobId: 'other-job', orgId: 'org-a', collectionId: 'c1', weight: 1, vector: new Float32Array(3) }, TIMEOUT_MS));

    expect(error.details.grpcStatus).toBe(grpc.status.NOT_FOUND);
    expect(error.code).toBe('UNKNOWN_JOB');
  });

  it('answers INVALID_ARGUMENT for a job or collection id that is not an identifier, from a participant or the coordinator', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: 3 });

    for (const [jobId, collectionId] of [[JOB, '../c1'], [JOB, 'c1.x'], ['credit.default', 'c1']]) {
      const error = await failureOf(participantOf('org-a').submit({ jobId, orgId: 'org-a', collectionId, weight: 1, vector: new Float32Array(3) }, TIMEOUT_MS));
      expect(error.details.grpcStatus).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.code).toBe('INVALID_IDENTIFIER');
    }
    const opened = await failureOf(openCollection('fit-1.2.1', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: 3 }));
    expect(opened.code).toBe('INVALID_IDENTIFIER');
    expect(opened.message).toContain('"fit-1.2.1" is not a valid collection id');
    const cohort = await failureOf(openCollection('c2', { expectedOrgs: ['org-a', 'org.b'], minContributors: 1, elementCount: 3 }));
    expect(cohort.details.grpcStatus).toBe(grpc.status.INVALID_ARGUMENT);
    expect(cohort.message).toContain('"org.b" is not a valid organisation id');
  });

  it('answers PERMISSION_DENIED for an organisation outside the cohort', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a', 'org-b'], minContributors: 1, elementCount: 3 });

    const error = await failureOf(submit('c1', 'org-z', 1, new Float32Array(3)));

    expect(error.details.grpcStatus).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.code).toBe('NOT_EXPECTED');
  });

  it('answers ALREADY_EXISTS for a second contribution from the same organisation', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a', 'org-b'], minContributors: 1, elementCount: 3 });
    await submit('c1', 'org-a', 1, new Float32Array([1, 2, 3]));

    const error = await failureOf(submit('c1', 'org-a', 1, new Float32Array([1, 2, 3])));

    expect(error.details.grpcStatus).toBe(grpc.status.ALREADY_EXISTS);
    expect(error.code).toBe('DUPLICATE_CONTRIBUTION');
  });

  it('answers INVALID_ARGUMENT for a vector of the wrong length', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: 3 });

    const error = await failureOf(submit('c1', 'org-a', 1, new Float32Array(4)));

    expect(error.details.grpcStatus).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.code).toBe('INVALID_CONTRIBUTION');
  });

  it('answers INVALID_ARGUMENT for a non-finite value and still accepts a clean retry', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: 2 });

    const error = await failureOf(submit('c1', 'org-a', 1, new Float32Array([1, Number.NaN])));
    const retried = await submit('c1', 'org-a', 1, new Float32Array([1, 2]));

    expect(error.details.grpcStatus).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.code).toBe('INVALID_CONTRIBUTION');
    expect(retried).toBe(1);
  });

  it('answers FAILED_PRECONDITION with QUORUM_NOT_MET when too few contributed by the deadline', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a', 'org-b', 'org-c'], minContributors: 2, elementCount: 3, deadlineMs: 200 });
    await submit('c1', 'org-b', 1, new Float32Array(3));

    const error = await failureOf(coordinator.collect(JOB, 'c1', TIMEOUT_MS));

    expect(error.details.grpcStatus).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.code).toBe('QUORUM_NOT_MET');
    expect(error.message).toBe('collecting c1: collection c1: 1 of 3 participants contributed, fewer than the minimum 2 (deadline passed)');
  });

  it('answers NOT_FOUND when collecting a collection that is not open', async () => {
    const error = await failureOf(coordinator.collect(JOB, 'never-opened', TIMEOUT_MS));

    expect(error.details.grpcStatus).toBe(grpc.status.NOT_FOUND);
    expect(error.code).toBe('UNKNOWN_COLLECTION');
  });

  it('answers ALREADY_EXISTS when a collection is opened twice', async () => {
    await openCollection('c1', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: 3 });

    const error = await failureOf(openCollection('c1', { expectedOrgs: ['org-a'], minContributors: 1, elementCount: 3 }));

    expect(error.details.grpcStatus).toBe(grpc.status.ALREADY_EXISTS);
    expect(error.code).toBe('COLLECTION_EXISTS');
  });

  it('answers INVALID_ARGUMENT when the minimum exceeds the cohort', async () => {
    const error = await failureOf(openCollection('c1', { expectedOrgs: ['org-a', 'org-b'], minContributors: 3, elementCount: 3 }));

    expect(error.details.grpcStatus).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.message).toBe('opening collection c1: min_contributors 3 must be between 1 and the 2 expected participants');
  });
});

describe('who may call, by certificate', () => {
  it("answers PERMISSION_DENIED with PEER_NOT_ALLOWED for a submission on another organisation's behalf", async () => {
    await openCollection('c1', { expectedOrgs: ['org-a', 'org-b'], minContributors: 1, elementCount: 3 });

    const error = await failureOf(participantOf('org-a').submit({ jobId: JOB, orgId: 'org-b', collectionId: 'c1', weight: 1, vector: new Float32Array(3) }, TIMEOUT_MS));
    const own = await submit('c1', 'org-b', 1, new Float32Array(3));

    expect(error.details.grpcStatus).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.code).toBe('PEER_NOT_ALLOWED');
    expect(error.message).toBe('submitting to collection c1: the certificate of org-a cannot act for org-b');
    expect(own).toBe(1);
  });

  it('answers PERMISSION_DENIED with PEER_NOT_ALLOWED when a participant opens a collection', async () => {
    const error = await failureOf(
      participantOf('org-a').openCollection(
        { jobId: JOB, collectionId: 'c1', expectedOrgs: ['org-a'], minContributors: 1, elementCount: 3, dtype: 'DTYPE_FLOAT32', deadlineUnixMs: Date.now() + 60_000 },
        TIMEOUT_MS,
      ),
    );
    const notOpened = await failureOf(submit('c1', 'org-a', 1, new Float32Array(3)));

    expect(error.details.grpcStatus).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.code).toBe('PEER_NOT_ALLOWED');
    expect(error.message).toBe(`opening collection c1: only the coordinator of job ${JOB} may do this; the caller is participant org-a`);
    expect(notOpened.code).toBe('UNKNOWN_COLLECTION');
  });
});

describe('ending the job', () => {
  it('resolves jobEnded when the coordinator ends the job', async () => {
    let ended = false;
    void server.jobEnded().then(() => (ended = true));

    await coordinator.endJob(JOB, TIMEOUT_MS);
    await server.jobEnded();

    expect(ended).toBe(true);
  });

  it('refuses to end another job and keeps running', async () => {
    let ended = false;
    void server.jobEnded().then(() => (ended = true));

    const error = await failureOf(coordinator.endJob('other-job', TIMEOUT_MS));
    await new Promise((resolve) => setImmediate(resolve));

    expect(error.details.grpcStatus).toBe(grpc.status.NOT_FOUND);
    expect(error.code).toBe('UNKNOWN_JOB');
    expect(ended).toBe(false);
  });
});
