/**
 * The bus over a real NATS server. JSON payloads; request/reply maps NATS's
 * "no responders" and timeout errors to the bus's own codes.
 */
import { connect, ErrorCode, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { errorMessage } from '../errors';
import { readFileSync } from 'node:fs';
import { identityOfCertificate, type TlsFiles } from '../pki';
import { regulatorInboxPrefix } from './nats-permissions';
import { BusError } from './bus-errors';
import type { Bus, BusMessage, BusSubscription } from './bus';

const codec = JSONCodec();

/** A regulator's replies come to inboxes only its certificate may read (see nats-permissions.ts); others make no requests. */
function inboxPrefixFor(tls: TlsFiles): string | undefined {
  const identity = identityOfCertificate(readFileSync(tls.cert));
  return identity.role === 'regulator' ? regulatorInboxPrefix(identity.orgId) : undefined;
}

export class NatsBus implements Bus {
  private constructor(private readonly connection: NatsConnection) {}

  /**
   * `tls`: this party's certificate from the federation's CA; the server maps
   * it to the subjects this party may use. Only `shoal simulate --nats`
   * connects without it.
   */
  static async connect(url: string, name: string, tls?: TlsFiles): Promise<NatsBus> {
    try {
      const connection = await connect({
        servers: url,
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ...(tls ? { tls: { caFile: tls.ca, certFile: tls.cert, keyFile: tls.key }, inboxPrefix: inboxPrefixFor(tls) } : {}),
      });
      return new NatsBus(connection);
    } catch (err) {
      throw new BusError('BUS_CONNECT', `cannot connect to NATS at ${url}: ${errorMessage(err)}`, err);
    }
  }

  publish(subject: string, data: unknown): void {
    this.connection.publish(subject, codec.encode(data));
  }

  subscribe<T = unknown>(subject: string): BusSubscription<T> {
    const subscription: Subscription = this.connection.subscribe(subject);
    const messages = async function* (): AsyncGenerator<BusMessage<T>> {
      for await (const message of subscription) {
        let data: T;
        try {
          data = codec.decode(message.data) as T;
        } catch {
          continue; // Not JSON: not ours to interpret. Dropped rather than crashing the consumer.
        }
        yield { subject: message.subject, data, respond: (answer) => message.respond(codec.encode(answer)) };
      }
    };
    const iterable = messages();
    return {
      unsubscribe: () => subscription.unsubscribe(),
      [Symbol.asyncIterator]: () => iterable,
    };
  }

  async request<T = unknown>(subject: string, data: unknown, timeoutMs: number): Promise<T> {
    try {
      const reply = await this.connection.request(subject, codec.encode(data), { timeout: timeoutMs });
      return codec.decode(reply.data) as T;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === ErrorCode.NoResponders) throw new BusError('BUS_NO_RESPONDERS', `nobody listens on ${subject}`, err);
      if (code === ErrorCode.Timeout) throw new BusError('BUS_TIMEOUT', `no answer on ${subject} within ${timeoutMs} ms`, err);
      throw new BusError('BUS_CLOSED', `request on ${subject} failed: ${errorMessage(err)}`, err);
    }
  }

  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain();
  }
}
