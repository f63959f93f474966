import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority, tlsMaterialFrom, type TlsMaterial } from '../pki';
import { addLimitedService, type CallLimits } from './call-limits';
import { startServer, stopServer } from './calls';
import { channelOptionsFor, MAX_CONCURRENT_STREAMS, MAX_MESSAGE_BYTES, SERVER_OPTIONS } from './proto';
import { channelCredentials, serverCredentials } from './tls-credentials';

/** Bytes in, bytes out; a request starting with 0xff does not decode (as protobuf bytes with a bad wire type would not). */
const bytes = (b: Buffer): Buffer => b;
function decode(b: Buffer): Buffer {
  if (b[0] === 0xff) throw new Error('invalid wire type 7 at offset 0');
  return b;
}
function method(name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return { path: `/test.Limits/${name}`, requestStream, responseStream, requestSerialize: bytes, requestDeserialize: decode, responseSerialize: bytes, responseDeserialize: bytes };
}
const SERVICE: grpc.ServiceDefinition = {
  Hold: method('Hold', false, false),
  Park: method('Park', false, false),
  Watch: method('Watch', false, true),
  Upload: method('Upload', true, false),
};
const LIMIT_MS = 300;
const LIMITS: CallLimits = {
  maxCallMs: { Hold: LIMIT_MS, Watch: () => LIMIT_MS, Upload: LIMIT_MS, Park: 10_000 },
  defaultMaxCallMs: 1000,
  maxConcurrentPerPeer: 3,
};
const JOB = 'limits-test';

type GenericClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
const Client = grpc.makeGenericClientConstructor(SERVICE, 'Limits') as unknown as new (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => GenericClient;

let serverTls: TlsMaterial;
const peerTls = new Map<string, TlsMaterial>();
let server: grpc.Server;
let address: string;
const clients: grpc.Client[] = [];
/** What the handlers saw. */
let cancelledCalls: string[];
let parked: Array<() => void>;

function clientAs(org: string): GenericClient {
  const client = new Client(address, channelCredentials(peerTls.get(org) as TlsMaterial, { role: 'aggregator', orgId: JOB }), channelOptionsFor(address));
  clients.push(client);
  return client;
}

function unaryCall(client: GenericClient, name: string, request: Buffer, options: grpc.CallOptions = {}): Promise<{ code: grpc.status; details: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    client[name](request, options, (err: grpc.ServiceError | null) => resolve({ code: err ? err.code : grpc.status.OK, details: err ? err.details : '', ms: Date.now() - started }));
  });
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  const ca = await CertificateAuthority.create('Call limits test CA');
  serverTls = tlsMaterialFrom(ca, await ca.issue({ orgId: JOB, role: 'aggregator' }));
  for (const org of ['org-a', 'org-b']) peerTls.set(org, tlsMaterialFrom(ca, await ca.issue({ orgId: org, role: 'participant' })));
});

beforeEach(async () => {
  cancelledCalls = [];
  parked = [];
  const handlers = {
    Hold(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      if (call.request.toString() === 'quick') return callback(null, Buffer.from('done'));
      call.on('cancelled', () => cancelledCalls.push('Hold'));
    },
    Park(_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      parked.push(() => callback(null, Buffer.from('released')));
    },
    Watch(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      call.write(Buffer.from('first'));
      call.on('cancelled', () => cancelledCalls.push('Watch'));
    },
    Upload(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      let count = 0;
      call.on('data', () => count++);
      call.on('end', () => callback(null, Buffer.from(String(count))));
      call.on('cancelled', () => cancelledCalls.push('Upload'));
    },
  };
  const started = await startServer((s) => addLimitedService(s, SERVICE, LIMITS, handlers), '127.0.0.1', 0, serverCredentials(serverTls));
  server = started.server;
  address = `127.0.0.1:${started.port}`;
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stopServer(server, 500);
});

describe('server-side deadlines', () => {
  test('a unary call without a client deadline ends with DEADLINE_EXCEEDED at its method maximum, and the handler sees the cancellation', async () => {
    const result = await unaryCall(clientAs('org-a'), 'Hold', Buffer.from('wait'));
    expect(result.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(result.details).toBe(`/test.Limits/Hold ran past the server's limit of ${LIMIT_MS} ms for this method`);
    expect(result.ms).toBeGreaterThanOrEqual(LIMIT_MS - 20);
    expect(result.ms).toBeLessThan(LIMIT_MS + 2000);
    await until(() => cancelledCalls.includes('Hold'));
  });

  test('a far client deadline does not lift the server maximum', async () => {
    const result = await unaryCall(clientAs('org-a'), 'Hold', Buffer.from('wait'), { deadline: new Date(Date.now() + 3_600_000) });
    expect(result.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(result.ms).toBeLessThan(LIMIT_MS + 2000);
  });

  test('a response stream is ended with DEADLINE_EXCEEDED after what it already sent', async () => {
    const call = clientAs('org-a').Watch(Buffer.from('go'), {}) as grpc.ClientReadableStream<Buffer>;
    const received: string[] = [];
    call.on('data', (message: Buffer) => received.push(message.toString()));
    const error = await new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    expect(received).toEqual(['first']);
    expect([error.code, error.details]).toEqual([grpc.status.DEADLINE_EXCEEDED, `/test.Limits/Watch ran past the server's limit of ${LIMIT_MS} ms for this method`]);
    await until(() => cancelledCalls.includes('Watch'));
  });

  test('a request stream that never ends is cut off with DEADLINE_EXCEEDED', async () => {
    const result = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = clientAs('org-a').Upload({}, (err: grpc.ServiceError | null) => resolve(err)) as grpc.ClientWritableStream<Buffer>;
      call.write(Buffer.from('one'));
    });
    expect(result?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await until(() => cancelledCalls.includes('Upload'));
  });

  test('a call that finishes in time is answered normally', async () => {
    expect(await unaryCall(clientAs('org-a'), 'Hold', Buffer.from('quick'))).toMatchObject({ code: grpc.status.OK });
  });
});

describe('calls in flight per peer', () => {
  test('one call beyond the limit is refused with RESOURCE_EXHAUSTED naming the peer and the limit; other peers are unaffected', async () => {
    const a = clientAs('org-a');
    const held = [1, 2, 3].map(() => unaryCall(a, 'Park', Buffer.from('p')));
    await until(() => parked.length === 3);
    const refused = await unaryCall(a, 'Park', Buffer.from('p'));
    expect([refused.code, refused.details]).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'participant org-a already has 3 calls in flight to the test.Limits; the limit per peer is 3']);
    // Another connection of the same organisation counts against the same limit.
    expect((await unaryCall(clientAs('org-a'), 'Hold', Buffer.from('quick'))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // org-b has its own count.
    const other = unaryCall(clientAs('org-b'), 'Park', Buffer.from('p'));
    await until(() => parked.length === 4);
    for (const release of parked) release();
    expect((await Promise.all([...held, other])).map((r) => r.code)).toEqual([0, 0, 0, 0]);
    // The slots are free again.
    expect((await unaryCall(a, 'Hold', Buffer.from('quick'))).code).toBe(grpc.status.OK);
  });

  test('calls that time out or are cancelled free their slot', async () => {
    const a = clientAs('org-a');
    await Promise.all([1, 2, 3].map(() => unaryCall(a, 'Hold', Buffer.from('wait'))));
    const cancelled = a.Park(Buffer.from('p'), {}, () => undefined) as grpc.ClientUnaryCall;
    await until(() => parked.length === 1);
    cancelled.cancel();
    await new Promise((r) => setTimeout(r, 100));
    const results = await Promise.all([1, 2, 3].map(() => unaryCall(a, 'Hold', Buffer.from('quick'))));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
  });
});

describe('malformed and oversized requests', () => {
  test('bytes that do not decode are INVALID_ARGUMENT, not INTERNAL', async () => {
    const result = await unaryCall(clientAs('org-a'), 'Hold', Buffer.from([0xff, 1, 2]));
    expect([result.code, result.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'the request to /test.Limits/Hold is not a valid message: invalid wire type 7 at offset 0']);
  });

  test('one undecodable message in a request stream is INVALID_ARGUMENT', async () => {
    const result = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = clientAs('org-a').Upload({}, (err: grpc.ServiceError | null) => resolve(err)) as grpc.ClientWritableStream<Buffer>;
      call.write(Buffer.from('fine'));
      call.write(Buffer.from([0xff]));
      call.end();
    });
    expect([result?.code, result?.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'the request to /test.Limits/Upload is not a valid message: invalid wire type 7 at offset 0']);
  });

  test('a streamed message over MAX_MESSAGE_BYTES is RESOURCE_EXHAUSTED; the server options cap HTTP/2 streams', async () => {
    expect(SERVER_OPTIONS['grpc.max_concurrent_streams']).toBe(MAX_CONCURRENT_STREAMS);
    const result = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = clientAs('org-a').Upload({}, (err: grpc.ServiceError | null) => resolve(err)) as grpc.ClientWritableStream<Buffer>;
      call.write(Buffer.from('small'));
      call.write(Buffer.alloc(MAX_MESSAGE_BYTES + 1));
      call.end();
    });
    expect(result?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(result?.details).toContain(`${MAX_MESSAGE_BYTES}`);
  });
});
