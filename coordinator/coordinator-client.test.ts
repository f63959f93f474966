/**
 * The agent's side of NextTask against a real gRPC server over mutual TLS
 * that sends whatever header the test scripts: a header naming anything
 * other than identifiers is refused as INVALID_IDENTIFIER as it arrives,
 * before its model is read, with what the agent may safely audit.
 */
import type * as grpc from '@grpc/grpc-js';
import { startServer } from '../common/grpc/calls';
import { shoalProto } from '../common/grpc/proto';
import { channelCredentials, serverCredentials } from '../common/grpc/tls-credentials';
import { CertificateAuthority, tlsMaterialFrom, type TlsMaterial } from '../common/pki';
import { ShoalError } from '../common/errors';
import { vectorChunks } from '../common/vector-codec';
import type { CoordinatorHandlers } from '../proto/generated/shoal/v1/Coordinator';
import type { TaskHeader } from '../proto/generated/shoal/v1/TaskHeader';
import { CoordinatorClient } from './coordinator-client';

const JOB = 'credit-1';
const ORG = 'bank-1';

let coordinatorTls: TlsMaterial;
let participantTls: TlsMaterial;
let server: grpc.Server;
let client: CoordinatorClient;
/** What the scripted coordinator sends on the next NextTask. */
let next: { header: TaskHeader; model?: Float32Array };

beforeAll(async () => {
  const ca = await CertificateAuthority.create('Coordinator client test CA');
  coordinatorTls = tlsMaterialFrom(ca, await ca.issue({ orgId: JOB, role: 'coordinator' }), await ca.revocationList([]));
  participantTls = tlsMaterialFrom(ca, await ca.issue({ orgId: ORG, role: 'participant' }), await ca.revocationList([]));
  const handlers: Partial<CoordinatorHandlers> = {
    NextTask(call) {
      call.write({ header: next.header });
      if (next.model) for (const chunk of vectorChunks(next.model)) call.write({ modelChunk: chunk });
      call.end();
    },
  };
  const started = await startServer((s) => s.addService(shoalProto().coordinator.shoal.v1.Coordinator.service, handlers as CoordinatorHandlers), '127.0.0.1', 0, serverCredentials(coordinatorTls));
  server = started.server;
  client = new CoordinatorClient(`127.0.0.1:${started.port}`, channelCredentials(participantTls, { role: 'coordinator', orgId: JOB }));
});

afterAll(() => {
  client?.close();
  server?.forceShutdown();
});

const fitHeader = (changes: Partial<TaskHeader>): TaskHeader => ({ kind: 'TASK_KIND_FIT', round: 3, collectionId: 'fit-3', deadlineUnixMs: Date.now() + 60_000, ...changes });

async function refusal(header: TaskHeader): Promise<ShoalError> {
  next = { header, model: new Float32Array(8).fill(1) };
  const error = await client.nextTask(JOB, ORG, 10_000).then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(ShoalError);
  expect((error as ShoalError).code).toBe('INVALID_IDENTIFIER');
  return error as ShoalError;
}

describe('CoordinatorClient.nextTask', () => {
  it('takes a well-named task with its model, including a retried collection\'s id', async () => {
    next = { header: { ...fitHeader({ collectionId: 'fit-3-s2-a1' }), model: { elementCount: 8, dtype: 'DTYPE_FLOAT32', tensors: [] } }, model: new Float32Array(8).fill(2) };
    const task = await client.nextTask(JOB, ORG, 10_000);
    expect(task?.header).toMatchObject({ kind: 'TASK_KIND_FIT', round: 3, collectionId: 'fit-3-s2-a1' });
    expect(Array.from(task?.model ?? [])).toEqual(Array(8).fill(2));
  });

  it.each(['../../x', 'audit.jsonl', 'privacy-ledger.json', '..', '/etc/shadow', 'fit-3.1.2', ''])('refuses the collection id %j, with the facts the agent audits', async (collectionId) => {
    const error = await refusal(fitHeader({ collectionId }));
    expect(error.message).toBe(`the coordinator sent a task whose collectionId is invalid: ${JSON.stringify(collectionId)} is not a valid collection id: expected a lower-case identifier (letters, digits, "_", "-"; no dots or slashes; at most 63 characters)`);
    expect(error.details).toEqual({
      kind: 'TASK_KIND_FIT',
      round: 3,
      collectionId: JSON.stringify(collectionId),
      collectionIdValid: false,
      field: 'collectionId',
      reason: `${JSON.stringify(collectionId)} is not a valid collection id: expected a lower-case identifier (letters, digits, "_", "-"; no dots or slashes; at most 63 characters)`,
    });
  });

  it('refuses a round beyond 1,000,000 and keeps the valid collection id to report with', async () => {
    const error = await refusal(fitHeader({ round: 4_000_000_000 }));
    expect(error.details).toMatchObject({ field: 'round', collectionId: 'fit-3', collectionIdValid: true, round: 4_000_000_000 });
    expect(error.message).toBe('the coordinator sent a task whose round is invalid: 4000000000 is not a valid round number: expected a whole number from 0 to 1000000');
  });

  it('refuses a secure-aggregation roster with an org id that is not an identifier', async () => {
    const key = Buffer.alloc(32, 7);
    const secure = { threshold: 2, degree: 2, identityKeys: { 'bank-1': key, '../bank-2': key }, encoding: 'quantized', clippingRange: 4, maxWeight: 1000, encodedElementCount: 8, phaseTimeoutMs: 1000 };
    const error = await refusal(fitHeader({ secure }));
    expect(error.details).toMatchObject({ field: 'secure.identityKeys', collectionId: 'fit-3' });
    expect(error.message).toContain('"../bank-2" is not a valid organisation id');
  });

  it('refuses on the header, whatever model follows it', async () => {
    next = { header: { ...fitHeader({ collectionId: '../x' }), model: { elementCount: 300_000, dtype: 'DTYPE_FLOAT32', tensors: [] } }, model: new Float32Array(300_000) };
    await expect(client.nextTask(JOB, ORG, 10_000)).rejects.toMatchObject({ code: 'INVALID_IDENTIFIER' });
  });

  it('takes the end of the job, which names no collection', async () => {
    next = { header: { kind: 'TASK_KIND_FINISHED', jobOutcome: 'completed' } };
    const task = await client.nextTask(JOB, ORG, 10_000);
    expect(task?.header).toMatchObject({ kind: 'TASK_KIND_FINISHED', jobOutcome: 'completed', collectionId: '' });
  });
});
