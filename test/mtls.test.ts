/**
 * Mutual TLS between participants and a job's servers, against a real
 * coordinator and aggregator started by `shoal job submit` with the
 * federation's certificate authority: only a certificate from that CA, not
 * revoked, naming the organisation it acts for, gets in. The job is left
 * without agents; the test calls the servers itself while admission is open.
 */
import { join } from 'node:path';
import { AggregatorClient } from '../aggregator';
import type { Bus } from '../common/bus/bus';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { channelCredentials } from '../common/grpc/tls-credentials';
import { CertificateAuthority, loadTlsMaterial, proveIdentityKey, revokeInDir, type IdentityProof, type TlsMaterial } from '../common/pki';
import { CoordinatorClient, type JobEvent } from '../coordinator';
import * as grpc from '@grpc/grpc-js';
import { connect } from 'nats';
import { uniqueJobId, writeJobSpec } from './support/job-spec';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { startShoal } from './support/shoal-processes';
import { createTestPki, type TestPki } from './support/test-pki';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const INVITED = ['bank-1', 'bank-2', 'bank-3'];
const IDENTITY_KEY = new Uint8Array(32).fill(5);

/** `IDENTITY_KEY` bound to `tls`'s certificate for `orgId`, signed with its key, as an agent proves its key when it joins. */
function proofBy(orgId: string, tls: TlsMaterial, identityKey: Uint8Array = IDENTITY_KEY): IdentityProof {
  return proveIdentityKey(orgId, identityKey, tls);
}

/** The code of a failed call: Shoal's own when the server sent one, else the gRPC status. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'ACCEPTED';
}

describe('mutual TLS: who may talk to a job', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let bus: Bus;
  let pki: TestPki;
  let jobId: string;
  let addresses: { coordinator: string; aggregator: string };
  const material: Record<string, TlsMaterial> = {};
  const clients: Array<{ close(): void }> = [];

  function coordinatorAs(tls: TlsMaterial | grpc.ChannelCredentials): CoordinatorClient {
    const credentials = tls instanceof grpc.ChannelCredentials ? tls : channelCredentials(tls, { role: 'coordinator', orgId: jobId });
    const client = new CoordinatorClient(addresses.coordinator, credentials);
    clients.push(client);
    return client;
  }

  function aggregatorAs(tls: TlsMaterial): AggregatorClient {
    const client = new AggregatorClient(addresses.aggregator, 'participant-agent', channelCredentials(tls, { role: 'aggregator', orgId: jobId }));
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('mtls');
    pki = await createTestPki(dir, [...INVITED, 'bank-9']);
    nats = await startNatsServer(pki);
    bus = await NatsBus.connect(nats.url, 'mtls-test', pki.observer);
    for (const org of [...INVITED, 'bank-9']) material[org] = loadTlsMaterial(await pki.participant(org));
    // bank-3's certificate is revoked before the job starts: the job's servers read the list then.
    await revokeInDir(pki.dir, { orgId: 'bank-3', role: 'participant' });
    const regulator = writeRegulatorKey(dir);
    const job = writeJobSpec(dir, { jobId: uniqueJobId('mtls'), invitedOrgs: INVITED, rounds: 1, localEpochs: 1, roundDeadlineSeconds: 30, minParticipants: 2, admissionSeconds: 60 });
    jobId = job.spec.jobId;
    const events = bus.subscribe<JobEvent>(subjects.events(jobId));
    startShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', join(dir, 'jobs'), '--key', regulator.keyPath, '--pki', pki.dir], join(dir, 'submit.log'));
    for await (const { data } of events) {
      if (data.type === 'job.started') {
        addresses = { coordinator: data.coordinator, aggregator: data.aggregator };
        break;
      }
    }
    events.unsubscribe();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await processes.stopAll();
    await bus?.close();
    await nats?.stop();
    removeTempDir(dir);
  });

  test('an invited organisation with its own certificate joins', async () => {
    expect(await refusal(coordinatorAs(material['bank-1']).join(jobId, 'bank-1', IDENTITY_KEY, proofBy('bank-1', material['bank-1']), 10_000))).toBe('ACCEPTED');
  });

  test('a participant without a certificate is refused at the handshake', async () => {
    const noCertificate = grpc.credentials.createSsl(material['bank-1'].ca);
    expect(await refusal(coordinatorAs(noCertificate).join(jobId, 'bank-2', IDENTITY_KEY, proofBy('bank-2', material['bank-2']), 10_000))).toBe('GRPC_UNAVAILABLE');
  });

  test('a certificate from another CA is refused at the handshake', async () => {
    const otherCa = await CertificateAuthority.create('Some other CA');
    const issued = await otherCa.issue({ orgId: 'bank-2', role: 'participant' });
    // Trusts the federation's CA (so the server is believed) but presents another CA's certificate.
    const forged: TlsMaterial = { ca: material['bank-2'].ca, cert: Buffer.from(issued.certPem), key: Buffer.from(issued.keyPem), crlPem: null, identity: issued.identity };
    expect(await refusal(coordinatorAs(forged).join(jobId, 'bank-2', IDENTITY_KEY, proofBy('bank-2', forged), 10_000))).toBe('GRPC_UNAVAILABLE');
  });

  test("another organisation's certificate cannot act for it, at the coordinator or the aggregator", async () => {
    expect(await refusal(coordinatorAs(material['bank-1']).join(jobId, 'bank-2', IDENTITY_KEY, proofBy('bank-2', material['bank-1']), 10_000))).toBe('PEER_NOT_ALLOWED');
    const update = { jobId, orgId: 'bank-2', collectionId: 'statistics-0', weight: 1, vector: new Float64Array(4) };
    expect(await refusal(aggregatorAs(material['bank-1']).submit(update, 10_000))).toBe('PEER_NOT_ALLOWED');
  });

  test('a revoked certificate is refused', async () => {
    expect(await refusal(coordinatorAs(material['bank-3']).join(jobId, 'bank-3', IDENTITY_KEY, proofBy('bank-3', material['bank-3']), 10_000))).toBe('PEER_REVOKED');
  });

  test("a Join whose identity key is not bound to the caller's own certificate is refused, and admits nothing", async () => {
    const bank2 = coordinatorAs(material['bank-2']);
    const refusedWith = async (proof: IdentityProof): Promise<{ code?: string; grpcStatus?: unknown; message?: string }> => {
      try {
        await bank2.join(jobId, 'bank-2', IDENTITY_KEY, proof, 10_000);
        return {};
      } catch (err) {
        const { code, details, message } = err as { code?: string; details?: { grpcStatus?: unknown }; message?: string };
        return { code, grpcStatus: details?.grpcStatus, message };
      }
    };
    const refusal = { code: 'IDENTITY_PROOF_INVALID', grpcStatus: grpc.status.PERMISSION_DENIED };

    // Proof for another key: the key sent is not the one bank-2's certificate vouched for.
    expect(await refusedWith(proofBy('bank-2', material['bank-2'], new Uint8Array(32).fill(6)))).toEqual({
      ...refusal,
      message: `joining job ${jobId}: the identity proof of bank-2 is not its certificate key's signature over this identity key`,
    });
    // Signed with bank-1's certificate: someone else's word for bank-2's key.
    expect(await refusedWith(proofBy('bank-2', material['bank-1']))).toEqual({
      ...refusal,
      message: `joining job ${jobId}: the identity proof of bank-2 carries another certificate than the one bank-2 connected with`,
    });
    // bank-2's certificate, with a signature bank-2's key did not make.
    const honest = proofBy('bank-2', material['bank-2']);
    expect(await refusedWith({ certificate: honest.certificate, signature: proofBy('bank-1', material['bank-1']).signature })).toMatchObject(refusal);
    // No proof at all.
    expect(await refusedWith({ certificate: new Uint8Array(0), signature: new Uint8Array(0) })).toEqual({
      ...refusal,
      message: `joining job ${jobId}: bank-2 sent an identity key without a proof that its certificate's key vouches for it`,
    });

    // None of those admitted bank-2 under any key: its own proof still gets it in.
    expect(await refusedWith(honest)).toEqual({});
  });

  test('a valid certificate of an organisation the job did not invite is refused', async () => {
    expect(await refusal(coordinatorAs(material['bank-9']).join(jobId, 'bank-9', IDENTITY_KEY, proofBy('bank-9', material['bank-9']), 10_000))).toBe('NOT_INVITED');
  });

  test("a participant cannot drive the aggregator as if it were the job's coordinator", async () => {
    const request = { jobId, collectionId: 'forged', expectedOrgs: ['bank-1'], minContributors: 1, elementCount: 4, dtype: 'DTYPE_FLOAT32' as const, deadlineUnixMs: Date.now() + 60_000 };
    expect(await refusal(aggregatorAs(material['bank-1']).openCollection(request, 10_000))).toBe('PEER_NOT_ALLOWED');
  });

  test("a client refuses a server whose certificate is not this job's coordinator", async () => {
    // The aggregator's address answers with the aggregator's certificate, not the coordinator's.
    const client = new CoordinatorClient(addresses.aggregator, channelCredentials(material['bank-2'], { role: 'coordinator', orgId: jobId }));
    clients.push(client);
    expect(await refusal(client.join(jobId, 'bank-2', IDENTITY_KEY, proofBy('bank-2', material['bank-2']), 10_000))).toBe('GRPC_UNAVAILABLE');
  });

  test("NATS refuses an organisation subscribing to another organisation's offers, and lets it read its own", async () => {
    const tlsOf = (files: { ca: string; cert: string; key: string }): { caFile: string; certFile: string; keyFile: string } => ({ caFile: files.ca, certFile: files.cert, keyFile: files.key });
    const bank2 = await connect({ servers: nats.url, name: 'bank-2', tls: tlsOf(await pki.participant('bank-2')) });
    const regulator = await connect({ servers: nats.url, name: 'regulator', tls: tlsOf(pki.regulator) });
    try {
      // Its own offers reach it.
      const own = bank2.subscribe(subjects.offers('bank-2'), { max: 1 });
      await bank2.flush();
      regulator.publish(subjects.offers('bank-2'), new TextEncoder().encode('{}'));
      const received: string[] = [];
      for await (const message of own) received.push(message.subject);
      expect(received).toEqual([subjects.offers('bank-2')]);
      // Another organisation's offers do not.
      const snooping = bank2.subscribe(subjects.offers('bank-1'));
      const refusal = await (async () => {
        for await (const _ of snooping) return 'delivered';
        return 'closed without an error';
      })().catch((err: Error) => err.message);
      expect(refusal).toContain('Permissions Violation for Subscription to "shoal.offers.bank-1"');
    } finally {
      await bank2.close();
      await regulator.close();
    }
  });

  test("NATS refuses an organisation publishing a decision in another's name, and reading others' replies", async () => {
    const bank2 = await pki.participant('bank-2');
    const connection = await connect({ servers: nats.url, name: 'bank-2-forging', tls: { caFile: bank2.ca, certFile: bank2.cert, keyFile: bank2.key } });
    const errors: string[] = [];
    void (async () => {
      for await (const status of connection.status()) if (status.type === 'error') errors.push(String(status.data));
    })();
    try {
      const forged = subjects.decisions(jobId, 'bank-1');
      connection.publish(forged, new TextEncoder().encode('{}'));
      await connection.flush();
      const inbox = connection.subscribe('_INBOX.>');
      const snooping = await (async () => {
        for await (const _ of inbox) return 'delivered';
        return 'closed without an error';
      })().catch((err: Error) => err.message);
      expect(snooping).toContain('Permissions Violation for Subscription to "_INBOX.>"');
      expect(errors).toContain('PERMISSIONS_VIOLATION');
      // The server names the refused publication and who tried it.
      expect(nats.process.stderr).toContain(`Publish Violation - User "CN=bank-2,OU=participant,O=Shoal", Subject "${forged}"`);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  test('NATS refuses a client without a certificate from the federation', async () => {
    const bank1 = await pki.participant('bank-1');
    const refusedWithout = await connect({ servers: nats.url, name: 'no-certificate', tls: { caFile: bank1.ca }, maxReconnectAttempts: 0, timeout: 3000 }).then(
      async (c) => {
        await c.close();
        return 'connected';
      },
      (err: Error) => err.message,
    );
    expect(refusedWithout).not.toBe('connected');
  });
});
