/**
 * The certificates against the TLS stacks that will carry them: Node's `tls`
 * (OpenSSL underneath) and grpc-js. Each check here is one a peer makes in
 * production: chain to the federation CA, client certificates required, the
 * revocation list honoured, and the identity readable from what the server sees.
 */
import * as grpc from '@grpc/grpc-js';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { CertificateAuthority, type IssuedCertificate } from './certificate-authority';
import { identityOfCertificate } from './certificate-identity';

let ca: CertificateAuthority;
let server: IssuedCertificate;
let bank1: IssuedCertificate;
let foreign: IssuedCertificate;

beforeAll(async () => {
  ca = await CertificateAuthority.create();
  server = await ca.issue({ orgId: 'job-1', role: 'aggregator' });
  bank1 = await ca.issue({ orgId: 'bank-1', role: 'participant' });
  // Same subject, same CA name: only the signature tells it apart.
  foreign = await (await CertificateAuthority.create()).issue({ orgId: 'bank-1', role: 'participant' });
});

interface Outcome {
  /** What the server saw of the client, when the handshake completed there. */
  peer: tls.PeerCertificate | null;
  /** OpenSSL's verdict on the client certificate, when the server let the connection through to ask. */
  authorizationError: string | null;
  serverError: Error | null;
  /** Whether the client read the server's reply, i.e. the connection really worked end to end. */
  replied: boolean;
}

async function connect(clientIdentity: IssuedCertificate | null, serverExtra: tls.TlsOptions = {}): Promise<Outcome> {
  const listener = tls.createServer({ ca: ca.certPem, cert: server.certPem, key: server.keyPem, requestCert: true, rejectUnauthorized: true, ...serverExtra });
  const serverSide = new Promise<Omit<Outcome, 'replied'>>((resolve) => {
    listener.once('secureConnection', (socket: tls.TLSSocket) => {
      const peer = socket.getPeerCertificate();
      const authorizationError = socket.authorized ? null : String(socket.authorizationError);
      socket.end(socket.authorized ? 'ok' : 'refused');
      resolve({ peer, authorizationError, serverError: null });
    });
    listener.once('tlsClientError', (err: Error) => resolve({ peer: null, authorizationError: null, serverError: err }));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  try {
    const clientSide = new Promise<boolean>((resolve) => {
      let replied = false;
      // No servername: the client checks the server's certificate against the IP it dialled.
      const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.certPem, ...(clientIdentity ? { cert: clientIdentity.certPem, key: clientIdentity.keyPem } : {}) });
      socket.on('data', (data) => {
        replied ||= data.toString() === 'ok';
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(replied));
    });
    const [seen, replied] = await Promise.all([serverSide, clientSide]);
    return { ...seen, replied };
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
}

/** The same handshake with a server that lets every client through, so OpenSSL's reason for refusing can be read. */
function verdictOn(clientIdentity: IssuedCertificate, serverExtra: tls.TlsOptions = {}): Promise<string | null> {
  return connect(clientIdentity, { ...serverExtra, rejectUnauthorized: false }).then((outcome) => outcome.authorizationError);
}

describe('Node tls with mutual authentication', () => {
  it('accepts a client of the same CA and shows the server who it is', async () => {
    const outcome = await connect(bank1);

    expect(outcome.serverError).toBeNull();
    expect(outcome.replied).toBe(true);
    const peer = outcome.peer as tls.PeerCertificate;
    const identity = identityOfCertificate(peer.raw);
    expect(identity).toEqual({ orgId: 'bank-1', role: 'participant', serial: bank1.identity.serial });
    expect(peer.serialNumber.toLowerCase()).toBe(identity.serial);
  });

  it('rejects a client whose certificate another CA signed', async () => {
    const outcome = await connect(foreign);

    expect(outcome.peer).toBeNull();
    expect(outcome.replied).toBe(false);
    expect(outcome.serverError).not.toBeNull();
    // Its authority key id names a key our CA does not have, so OpenSSL finds no issuer at all.
    expect(await verdictOn(foreign)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('rejects a client with no certificate', async () => {
    const outcome = await connect(null);

    expect(outcome.peer).toBeNull();
    expect(outcome.replied).toBe(false);
    expect(outcome.serverError?.message).toMatch(/peer did not return a certificate|certificate required/i);
  });

  it('rejects a revoked client when the server loads the revocation list, and accepts the others', async () => {
    const crl = await ca.revocationList([bank1.identity.serial]);
    const bank2 = await ca.issue({ orgId: 'bank-2', role: 'participant' });

    const revoked = await connect(bank1, { crl });
    const unrevoked = await connect(bank2, { crl });

    expect(revoked.peer).toBeNull();
    expect(revoked.replied).toBe(false);
    expect(await verdictOn(bank1, { crl })).toBe('CERT_REVOKED');
    expect(unrevoked.replied).toBe(true);
  });
});

describe('grpc-js with mutual authentication', () => {
  // A one-method service on raw bytes: no .proto needed to see what the server learns of its caller.
  const identity = (value: Buffer): Buffer => value;
  const probeService: grpc.ServiceDefinition = {
    whoAmI: { path: '/shoal.test.Probe/WhoAmI', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  };
  const ProbeClient = grpc.makeGenericClientConstructor(probeService, 'Probe');
  // grpc-js does not export the type by name.
  type AuthContext = NonNullable<ReturnType<grpc.ServerUnaryCall<Buffer, Buffer>['getAuthContext']>>;
  type Probe = grpc.Client & { whoAmI(request: Buffer, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, reply?: Buffer) => void): void };

  let grpcServer: grpc.Server;
  let port: number;
  let seen: AuthContext | null = null;

  beforeAll(async () => {
    grpcServer = new grpc.Server();
    grpcServer.addService(probeService, {
      whoAmI: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        seen = call.getAuthContext();
        const peer = seen?.sslPeerCertificate;
        callback(null, Buffer.from(peer?.raw ? JSON.stringify(identityOfCertificate(peer.raw)) : 'anonymous'));
      },
    });
    const credentials = grpc.ServerCredentials.createSsl(Buffer.from(ca.certPem), [{ cert_chain: Buffer.from(server.certPem), private_key: Buffer.from(server.keyPem) }], true);
    port = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))));
  });
  afterAll(() => {
    grpcServer.forceShutdown();
  });

  async function call(client: IssuedCertificate | null): Promise<{ reply?: string; code?: grpc.status }> {
    const credentials = grpc.credentials.createSsl(Buffer.from(ca.certPem), client ? Buffer.from(client.keyPem) : null, client ? Buffer.from(client.certPem) : null);
    // SNI may not carry an IP address (RFC 6066; Node warns), so name the server as its certificate does.
    const stub = new ProbeClient(`127.0.0.1:${port}`, credentials, { 'grpc.ssl_target_name_override': 'localhost' }) as unknown as Probe;
    try {
      return await new Promise((resolve) => {
        stub.whoAmI(Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err, reply) => resolve(err ? { code: err.code } : { reply: reply?.toString() }));
      });
    } finally {
      stub.close();
    }
  }

  it('gives the servicer the client certificate through call.getAuthContext()', async () => {
    seen = null;

    const result = await call(bank1);

    expect(result.reply).toBe(JSON.stringify(bank1.identity));
    const context = seen as AuthContext | null;
    expect(context?.transportSecurityType).toBe('ssl');
    expect(Buffer.isBuffer(context?.sslPeerCertificate?.raw)).toBe(true);
    expect(context?.sslPeerCertificate?.serialNumber.toLowerCase()).toBe(bank1.identity.serial);
  });

  it('refuses a client from another CA and a client without a certificate before any servicer runs', async () => {
    seen = null;

    const fromForeign = await call(foreign);
    const anonymous = await call(null);

    expect(fromForeign.code).toBe(grpc.status.UNAVAILABLE);
    expect(anonymous.code).toBe(grpc.status.UNAVAILABLE);
    expect(seen).toBeNull();
  });
});
