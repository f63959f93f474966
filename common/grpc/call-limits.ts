/**
 * Limits every gRPC server here puts on its callers, whatever they send:
 *
 * - a server-side deadline per method: a call still running after its
 *   method's maximum ends with DEADLINE_EXCEEDED, even when the client sent
 *   no deadline or a far one (the handler sees 'cancelled', as for a client
 *   deadline);
 * - a limit on the calls one peer (the organisation and role its certificate
 *   names) may have in flight at once; one more is refused with
 *   RESOURCE_EXHAUSTED naming the peer and the limit;
 * - request bytes that do not decode as the method's message are refused
 *   with INVALID_ARGUMENT (grpc-js alone answers INTERNAL), in streams too.
 *
 * Message sizes are limited by the server options (MAX_MESSAGE_BYTES, per
 * message, streamed ones included) and HTTP/2 streams per connection by
 * 'grpc.max_concurrent_streams' (proto.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { WireFormatError } from '../errors';
import { identityOfCertificate } from '../pki';
import type { AuthenticatedCall } from './peer-auth';
import { toServiceError } from './status-codes';

/** The call as a limit sees it when the call starts (the request is there for unary and server-streaming calls). */
export interface StartingCall {
  request?: unknown;
}

export interface CallLimits {
  /** Longest a call may run, per method name (as in the .proto); a function is asked when the call starts. */
  maxCallMs: Record<string, number | ((call: StartingCall) => number)>;
  /** For methods `maxCallMs` does not name. */
  defaultMaxCallMs: number;
  /** Calls one peer may have in flight on this service at once. */
  maxConcurrentPerPeer: number;
}

/** Marks a request whose bytes did not decode; the wrapped handler refuses it before the servicer sees it. */
const MALFORMED = Symbol('malformed request');
type Malformed = { [MALFORMED]: string };

function isMalformed(value: unknown): value is Malformed {
  return typeof value === 'object' && value !== null && MALFORMED in value;
}

function malformedError(path: string, value: Malformed): Partial<grpc.StatusObject> {
  return toServiceError(new WireFormatError(`the request to ${path} is not a valid message: ${value[MALFORMED]}`));
}

/** Decoding that never throws into grpc-js: a failure becomes a marker the handler wrapper refuses. */
function tolerantDefinition(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const guarded: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    guarded[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (err) {
          return { [MALFORMED]: err instanceof Error ? err.message.slice(0, 200) : 'undecodable bytes' };
        }
      },
    };
  }
  return guarded;
}

/** Who is calling, for counting: the certificate's role and organisation (parsed once per certificate). */
class PeerNames {
  private readonly names = new Map<string, string>();

  of(call: AuthenticatedCall): string {
    let raw: Buffer | undefined;
    try {
      raw = call.getAuthContext().sslPeerCertificate?.raw;
    } catch {
      raw = undefined;
    }
    if (!raw) return 'an unauthenticated peer';
    const key = raw.toString('base64');
    let name = this.names.get(key);
    if (name === undefined) {
      try {
        const identity = identityOfCertificate(raw);
        name = `${identity.role} ${identity.orgId}`;
      } catch {
        name = 'a peer whose certificate names no Shoal identity';
      }
      if (this.names.size >= 1024) this.names.clear();
      this.names.set(key, name);
    }
    return name;
  }
}

/** In-flight calls per peer on one service. */
class PeerSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** A release function, or null when the peer is at its limit. */
  acquire(peer: string): (() => void) | null {
    const count = this.inFlight.get(peer) ?? 0;
    if (count >= this.limit) return null;
    this.inFlight.set(peer, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(peer) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(peer);
      else this.inFlight.set(peer, left);
    };
  }

  count(peer: string): number {
    return this.inFlight.get(peer) ?? 0;
  }
}

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> & AuthenticatedCall & NodeJS.EventEmitter;
type Callback = (error: Partial<grpc.StatusObject> | null, value?: unknown, trailer?: grpc.Metadata, flags?: number) => void;
type AnyHandler = (call: AnyCall, callback?: Callback) => void;

function serviceName(service: grpc.ServiceDefinition): string {
  const first = Object.values(service)[0];
  return first ? first.path.split('/')[1] ?? 'service' : 'service';
}

function maxMsOf(limits: CallLimits, method: string, call: StartingCall): number {
  const limit = limits.maxCallMs[method] ?? limits.defaultMaxCallMs;
  let ms: number;
  try {
    ms = typeof limit === 'function' ? limit(call) : limit;
  } catch {
    ms = limits.defaultMaxCallMs;
  }
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 2 ** 31 - 1) : limits.defaultMaxCallMs;
}

/** One method's handler under the limits. */
function limitedHandler(
  method: string,
  definition: grpc.MethodDefinition<unknown, unknown>,
  handler: AnyHandler,
  limits: CallLimits,
  peers: PeerNames,
  slots: PeerSlots,
  service: string,
): AnyHandler {
  const { path, requestStream, responseStream } = definition;
  return (call, callback) => {
    const peer = peers.of(call);
    const release = slots.acquire(peer);
    const refuse = (status: Partial<grpc.StatusObject>): void => {
      if (callback) callback(status);
      else call.emit('error', status);
    };
    if (!release) {
      refuse({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: `${peer} already has ${slots.count(peer)} calls in flight to the ${service}; the limit per peer is ${limits.maxConcurrentPerPeer}`,
      });
      return;
    }
    let finished = false;
    const maxMs = maxMsOf(limits, method, { request: requestStream ? undefined : call.request });
    const end = (): void => {
      finished = true;
      clearTimeout(timer);
      release();
    };
    const timer = setTimeout(() => {
      if (finished) return;
      const status = { code: grpc.status.DEADLINE_EXCEEDED, details: `${path} ran past the server's limit of ${maxMs} ms for this method` };
      if (callback) guardedCallback(status);
      // A response stream ends with the status once what it already wrote is flushed; the handler then sees 'cancelled'.
      else if (!(call as unknown as { writableEnded?: boolean }).writableEnded) call.emit('error', status);
      end();
    }, maxMs);
    // 'cancelled' comes when the client hangs up, its own deadline passes, or the status has been sent.
    call.once('cancelled', end);
    if (responseStream) {
      call.once('finish', end);
      call.once('close', end);
    }
    const guardedCallback: Callback = (error, value, trailer, flags) => {
      if (finished) return;
      end();
      callback?.(error, value, trailer, flags);
    };
    if (requestStream) {
      // Each streamed message is checked as grpc-js hands it to the stream.
      const readable = call as unknown as { push(chunk: unknown): boolean };
      const push = readable.push.bind(readable);
      readable.push = (chunk: unknown): boolean => {
        if (isMalformed(chunk)) {
          const status = malformedError(path, chunk);
          if (callback) guardedCallback(status);
          else call.emit('error', status);
          return false;
        }
        return push(chunk);
      };
    } else if (isMalformed(call.request)) {
      const status = malformedError(path, call.request);
      if (callback) guardedCallback(status);
      else {
        call.emit('error', status);
        end();
      }
      return;
    }
    try {
      handler(call, callback ? guardedCallback : undefined);
    } catch (err) {
      const status = toServiceError(err);
      if (callback) guardedCallback(status);
      else call.emit('error', status);
    }
  };
}

/**
 * `service` and `handlers` with the limits applied: add both to a server
 * (`server.addService(...withCallLimits(service, handlers, limits))`).
 */
export function withCallLimits<H extends object>(service: grpc.ServiceDefinition, handlers: H, limits: CallLimits): [grpc.ServiceDefinition, H] {
  const peers = new PeerNames();
  const slots = new PeerSlots(limits.maxConcurrentPerPeer);
  const name = serviceName(service);
  const implementation = handlers as unknown as Record<string, AnyHandler>;
  const limited: Record<string, AnyHandler> = {};
  for (const [method, definition] of Object.entries(service)) {
    const handler = implementation[method] ?? (definition.originalName ? implementation[definition.originalName] : undefined);
    if (typeof handler !== 'function') continue;
    limited[method] = limitedHandler(method, definition as grpc.MethodDefinition<unknown, unknown>, handler.bind(handlers), limits, peers, slots, name);
  }
  return [tolerantDefinition(service), limited as unknown as H];
}

/** Adds `service` with the limits applied: the one line a server's wiring changes. */
export function addLimitedService<H extends object>(server: grpc.Server, service: grpc.ServiceDefinition, limits: CallLimits, handlers: H): void {
  server.addService(...(withCallLimits(service, handlers, limits) as [grpc.ServiceDefinition, grpc.UntypedServiceImplementation]));
}

export { aggregatorCallLimits, COORDINATOR_CALL_LIMITS, MAX_CALLS_PER_PEER } from './call-limits-services';
