import { ShoalError } from '../errors';
import type { BusMessage, BusSubscription } from './bus';
import { InProcessBus } from './in-process-bus';

/** The next `count` messages of a subscription, in arrival order. */
async function take<T>(subscription: BusSubscription<T>, count: number): Promise<Array<BusMessage<T>>> {
  const received: Array<BusMessage<T>> = [];
  if (count === 0) return received;
  for await (const message of subscription) {
    received.push(message);
    if (received.length === count) break;
  }
  return received;
}

async function rejectionOf(promise: Promise<unknown>): Promise<ShoalError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(ShoalError);
  return outcome as ShoalError;
}

describe('InProcessBus', () => {
  let bus: InProcessBus;

  beforeEach(() => {
    bus = new InProcessBus();
  });

  afterEach(async () => {
    await bus.close();
  });

  describe('publish and subscribe', () => {
    it('delivers to a subscriber of the exact subject, in order', async () => {
      const subscription = bus.subscribe<{ n: number }>('jobs.j1.round');

      bus.publish('jobs.j1.round', { n: 1 });
      bus.publish('jobs.j1.round', { n: 2 });
      const received = await take(subscription, 2);

      expect(received.map((m) => [m.subject, m.data])).toEqual([['jobs.j1.round', { n: 1 }], ['jobs.j1.round', { n: 2 }]]);
    });

    it('lets * stand for exactly one token', async () => {
      const subscription = bus.subscribe<string>('jobs.*.status');

      bus.publish('jobs.status', 'too short');
      bus.publish('jobs.j1.x.status', 'too long');
      bus.publish('jobs.j1.state', 'other last token');
      bus.publish('orgs.j1.status', 'other first token');
      bus.publish('jobs.j1.status', 'match');
      bus.publish('jobs.j2.status', 'another match');
      const received = await take(subscription, 2);

      expect(received.map((m) => [m.subject, m.data])).toEqual([['jobs.j1.status', 'match'], ['jobs.j2.status', 'another match']]);
    });

    it('lets > stand for one or more trailing tokens', async () => {
      const subscription = bus.subscribe<string>('jobs.>');

      bus.publish('jobs', 'no token after the prefix');
      bus.publish('orgs.a', 'other prefix');
      bus.publish('jobs.a', 'one');
      bus.publish('jobs.a.b.c', 'three');
      const received = await take(subscription, 2);

      expect(received.map((m) => m.subject)).toEqual(['jobs.a', 'jobs.a.b.c']);
    });

    it('does not match a subject that only shares a prefix of a token', async () => {
      const subscription = bus.subscribe<string>('jobs.j1');

      bus.publish('jobs.j10', 'different token');
      bus.publish('jobs.j1', 'match');
      const [message] = await take(subscription, 1);

      expect(message.data).toBe('match');
    });

    it('delivers one message to every matching subscriber', async () => {
      const exact = bus.subscribe<number>('a.b');
      const star = bus.subscribe<number>('a.*');
      const tail = bus.subscribe<number>('>');

      bus.publish('a.b', 7);

      const [fromExact, fromStar, fromTail] = await Promise.all([take(exact, 1), take(star, 1), take(tail, 1)]);
      expect([fromExact[0].data, fromStar[0].data, fromTail[0].data]).toEqual([7, 7, 7]);
    });

    it('wakes a subscriber that is already waiting', async () => {
      const subscription = bus.subscribe<string>('late');
      const pending = take(subscription, 1);

      bus.publish('late', 'arrived');

      expect((await pending)[0].data).toBe('arrived');
    });

    it('gives each subscriber its own copy', async () => {
      const first = bus.subscribe<{ weights: number[] }>('model');
      const second = bus.subscribe<{ weights: number[] }>('model');
      const sent = { weights: [1, 2, 3] };

      bus.publish('model', sent);
      sent.weights.push(99);
      const [toFirst] = await take(first, 1);
      toFirst.data.weights[0] = -1;
      const [toSecond] = await take(second, 1);

      expect(toSecond.data).toEqual({ weights: [1, 2, 3] });
      expect(sent).toEqual({ weights: [1, 2, 3, 99] });
    });

    it('answers false to respond on a message that was not a request', async () => {
      const subscription = bus.subscribe('events');

      bus.publish('events', {});
      const [message] = await take(subscription, 1);

      expect(message.respond('ignored')).toBe(false);
    });
  });

  describe('request and reply', () => {
    it('returns the responder\'s answer', async () => {
      const responder = bus.subscribe<{ a: number; b: number }>('math.add');
      void (async () => {
        for await (const message of responder) message.respond({ sum: message.data.a + message.data.b });
      })();

      const answer = await bus.request<{ sum: number }>('math.add', { a: 2, b: 40 }, 1000);

      expect(answer).toEqual({ sum: 42 });
    });

    it('takes the first answer and refuses a second', async () => {
      const responder = bus.subscribe('echo');
      const request = bus.request<string>('echo', 'hello', 1000);

      const [message] = await take(responder, 1);
      const firstAccepted = message.respond('first');
      const secondAccepted = message.respond('second');

      expect(firstAccepted).toBe(true);
      expect(secondAccepted).toBe(false);
      expect(await request).toBe('first');
    });

    it('copies the answer, so the responder cannot change it afterwards', async () => {
      const responder = bus.subscribe('state');
      const request = bus.request<{ round: number }>('state', null, 1000);

      const [message] = await take(responder, 1);
      const answer = { round: 3 };
      message.respond(answer);
      answer.round = 4;

      expect(await request).toEqual({ round: 3 });
    });

    it('rejects with BUS_NO_RESPONDERS when nobody listens on the subject', async () => {
      bus.subscribe('other.subject');

      const error = await rejectionOf(bus.request('nobody.here', {}, 1000));

      expect(error.code).toBe('BUS_NO_RESPONDERS');
      expect(error.message).toBe('nobody listens on nobody.here');
    });

    it('rejects with BUS_TIMEOUT when a listener never answers', async () => {
      const silent = bus.subscribe('slow');
      const started = Date.now();

      const error = await rejectionOf(bus.request('slow', {}, 30));

      expect(error.code).toBe('BUS_TIMEOUT');
      expect(error.message).toBe('no answer on slow within 30 ms');
      expect(Date.now() - started).toBeGreaterThanOrEqual(25);
      expect((await take(silent, 1))[0].data).toEqual({});
    });
  });

  describe('ending subscriptions', () => {
    it('ends a waiting for-await loop on unsubscribe', async () => {
      const subscription = bus.subscribe<number>('ticks');
      const seen: number[] = [];
      const loop = (async () => {
        for await (const message of subscription) seen.push(message.data);
        return 'ended';
      })();

      bus.publish('ticks', 1);
      await new Promise((resolve) => setImmediate(resolve));
      subscription.unsubscribe();

      expect(await loop).toBe('ended');
      expect(seen).toEqual([1]);
    });

    it('stops delivering to a subscription after unsubscribe', async () => {
      const gone = bus.subscribe<number>('ticks');
      const kept = bus.subscribe<number>('ticks');

      gone.unsubscribe();
      bus.publish('ticks', 5);

      expect(await take(gone, 1)).toEqual([]);
      expect((await take(kept, 1))[0].data).toBe(5);
    });

    it('counts an unsubscribed listener as gone for requests', async () => {
      bus.subscribe('rpc').unsubscribe();

      const error = await rejectionOf(bus.request('rpc', {}, 1000));

      expect(error.code).toBe('BUS_NO_RESPONDERS');
    });

    it('ends every loop on close, after delivering what was already published', async () => {
      const first = bus.subscribe<string>('a');
      const second = bus.subscribe<string>('b.>');
      const drain = async (subscription: BusSubscription<string>): Promise<string[]> => {
        const seen: string[] = [];
        for await (const message of subscription) seen.push(message.data);
        return seen;
      };
      const loops = Promise.all([drain(first), drain(second)]);

      bus.publish('a', 'one');
      bus.publish('b.c', 'two');
      bus.publish('b.c.d', 'three');
      await bus.close();

      expect(await loops).toEqual([['one'], ['two', 'three']]);
    });

    it('refuses new subscriptions, publications and requests once closed', async () => {
      await bus.close();

      expect(() => bus.subscribe('a')).toThrow(expect.objectContaining({ code: 'BUS_CLOSED' }));
      expect(() => bus.publish('a', 1)).toThrow(expect.objectContaining({ code: 'BUS_CLOSED' }));
      expect((await rejectionOf(bus.request('a', 1, 100))).code).toBe('BUS_CLOSED');
    });
  });
});
