/**
 * The bus inside one process, for `shoal simulate`: the same semantics as the
 * NATS adapter (wildcards, request/reply, no responders) without a server.
 * Messages are JSON round-tripped so no object is shared between components.
 */
import { BusError } from './bus-errors';
import type { Bus, BusMessage, BusSubscription } from './bus';

function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

class Queue<T> implements BusSubscription<T> {
  private readonly items: BusMessage<T>[] = [];
  private waiting: ((result: IteratorResult<BusMessage<T>>) => void) | undefined;
  private closed = false;

  constructor(readonly pattern: string, private readonly onClose: (queue: Queue<T>) => void) {}

  push(message: BusMessage<T>): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: message, done: false });
    } else {
      this.items.push(message);
    }
  }

  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<BusMessage<T>> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.unsubscribe();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

export class InProcessBus implements Bus {
  private readonly queues = new Set<Queue<unknown>>();
  private closed = false;

  publish(subject: string, data: unknown): void {
    this.deliver(subject, data, undefined);
  }

  subscribe<T = unknown>(subject: string): BusSubscription<T> {
    if (this.closed) throw new BusError('BUS_CLOSED', 'the bus is closed');
    const queue = new Queue<T>(subject, (q) => this.queues.delete(q as Queue<unknown>));
    this.queues.add(queue as Queue<unknown>);
    return queue;
  }

  request<T = unknown>(subject: string, data: unknown, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new BusError('BUS_TIMEOUT', `no answer on ${subject} within ${timeoutMs} ms`)), timeoutMs);
      const delivered = this.deliver(subject, data, (reply) => {
        clearTimeout(timer);
        resolve(reply as T);
      });
      if (delivered === 0) {
        clearTimeout(timer);
        reject(new BusError('BUS_NO_RESPONDERS', `nobody listens on ${subject}`));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of [...this.queues]) queue.unsubscribe();
  }

  private deliver(subject: string, data: unknown, reply: ((data: unknown) => void) | undefined): number {
    if (this.closed) throw new BusError('BUS_CLOSED', 'the bus is closed');
    const json = JSON.stringify(data);
    let count = 0;
    let answered = false;
    for (const queue of this.queues) {
      if (!matches(queue.pattern, subject)) continue;
      count++;
      queue.push({
        subject,
        data: JSON.parse(json),
        respond: (answer) => {
          if (!reply || answered) return false;
          answered = true;
          const copy = JSON.parse(JSON.stringify(answer));
          setImmediate(() => reply(copy));
          return true;
        },
      });
    }
    return count;
  }
}
