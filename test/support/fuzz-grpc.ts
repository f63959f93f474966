/**
 * Raw-bytes gRPC fuzzing of the Coordinator and Aggregator services: a
 * generic client whose serializers pass bytes through, so a case can send
 * random bytes, a valid message truncated or with bytes flipped, an oversized
 * message, or a stream in the wrong shape. Valid messages are encoded with
 * the services' own serializers. Randomness is seeded (common/random).
 */
import * as grpc from '@grpc/grpc-js';
import { channelOptionsFor, MAX_MESSAGE_BYTES } from '../../common/grpc/proto';
import type { Rng } from '../../common/random';

export interface RawMethod {
  service: 'Coordinator' | 'Aggregator';
  name: string;
  requestStream: boolean;
  responseStream: boolean;
  /** Encodes a request object with the service's own serializer. */
  encode(request: object): Buffer;
}

export interface CaseOutcome {
  code: grpc.status;
  details: string;
}

export interface FuzzCase {
  target: string;
  kind: string;
  /** Messages sent in order (one for unary and server-streaming methods). */
  messages: Buffer[];
  /** For request streams: leave the stream open (a stalled sender). */
  hold?: boolean;
}

type RawClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
const passThrough = (b: Buffer): Buffer => b;

/** The methods of a loaded service, for raw calls. */
export function rawMethods(serviceName: RawMethod['service'], service: grpc.ServiceDefinition): RawMethod[] {
  return Object.entries(service).map(([name, m]) => ({
    service: serviceName,
    name,
    requestStream: m.requestStream,
    responseStream: m.responseStream,
    encode: (request: object) => m.requestSerialize(request),
  }));
}

/** A generic client for `service` that sends and receives raw bytes. */
export function rawClient(service: grpc.ServiceDefinition, address: string, credentials: grpc.ChannelCredentials): RawClient {
  const raw: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  for (const [name, m] of Object.entries(service)) {
    raw[name] = { path: m.path, requestStream: m.requestStream, responseStream: m.responseStream, requestSerialize: passThrough, requestDeserialize: passThrough, responseSerialize: passThrough, responseDeserialize: passThrough };
  }
  const Client = grpc.makeGenericClientConstructor(raw, 'Raw') as unknown as new (a: string, c: grpc.ChannelCredentials, o: grpc.ChannelOptions) => RawClient;
  return new Client(address, credentials, { ...channelOptionsFor(address), 'grpc.max_send_message_length': -1 });
}

/** Sends one case and resolves with the final status (OK when the server answered normally). */
export function sendCase(client: RawClient, method: RawMethod, fuzz: FuzzCase, timeoutMs: number): Promise<CaseOutcome> {
  const deadline = new Date(Date.now() + timeoutMs);
  return new Promise((resolve) => {
    let settled = false;
    const done = (err: grpc.ServiceError | null): void => {
      if (settled) return;
      settled = true;
      resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' });
    };
    const call = client[method.name] as (...args: unknown[]) => grpc.ClientWritableStream<Buffer> & grpc.ClientReadableStream<Buffer>;
    if (!method.requestStream && !method.responseStream) {
      call.call(client, fuzz.messages[0], { deadline }, (err: grpc.ServiceError | null) => done(err));
    } else if (!method.requestStream) {
      const stream = call.call(client, fuzz.messages[0], { deadline });
      stream.on('data', () => undefined);
      stream.on('error', (err: grpc.ServiceError) => done(err));
      stream.on('status', (status: grpc.StatusObject) => done(status.code === grpc.status.OK ? null : (status as unknown as grpc.ServiceError)));
    } else {
      const stream = call.call(client, { deadline }, (err: grpc.ServiceError | null) => done(err));
      stream.on('error', () => undefined);
      for (const message of fuzz.messages) stream.write(message);
      if (!fuzz.hold) stream.end();
    }
  });
}

/** Mutations of valid encoded messages and of nothing at all. */
export const mutate = {
  random(rng: Rng, maxLength = 256): Buffer {
    const length = Math.floor(rng() * maxLength);
    return Buffer.from(Array.from({ length }, () => Math.floor(rng() * 256)));
  },
  truncated(rng: Rng, valid: Buffer): Buffer {
    return valid.subarray(0, Math.max(0, Math.floor(rng() * valid.length)));
  },
  flipped(rng: Rng, valid: Buffer): Buffer {
    const copy = Buffer.from(valid);
    const flips = 1 + Math.floor(rng() * 4);
    for (let i = 0; i < flips && copy.length > 0; i++) copy[Math.floor(rng() * copy.length)] ^= 1 + Math.floor(rng() * 255);
    return copy;
  },
  /** A length-delimited field (number 15, unknown to every message) just over the limit. */
  oversized(): Buffer {
    const payload = Buffer.alloc(MAX_MESSAGE_BYTES + 16);
    const header = Buffer.from([0x7a, ...varint(payload.length)]);
    return Buffer.concat([header, payload]);
  },
  /** A field whose declared length runs past the end of the message. */
  overlong(): Buffer {
    return Buffer.from([0x0a, ...varint(2 ** 28), 0x41, 0x42]);
  },
  /** Nested groups/messages far deeper than any schema. */
  deep(depth = 2000): Buffer {
    let inner = Buffer.alloc(0);
    for (let i = 0; i < depth; i++) inner = Buffer.concat([Buffer.from([0x0a, ...varint(inner.length)]), inner]);
    return inner;
  },
};

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}

/** The statuses a refused hostile request may get: anything that says what was wrong, never OK/UNKNOWN/INTERNAL. */
export const CLEAR_REFUSALS: ReadonlySet<grpc.status> = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.ALREADY_EXISTS,
  grpc.status.RESOURCE_EXHAUSTED,
]);

/** Runs `cases` with at most `concurrency` in flight. */
export async function runPool<T, R>(items: T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
