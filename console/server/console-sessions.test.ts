import { ConsoleSessions, DEFAULT_SESSION_LIMITS, LoginThrottle } from './console-sessions';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => { at += ms; } };
}

const LIMITS = { idleMs: 1_000, absoluteMs: 10_000 };

describe('ConsoleSessions', () => {
  test('a token names its user until the session is closed', () => {
    const clock = manualClock();
    const sessions = new ConsoleSessions(LIMITS, clock.now);

    const alice = sessions.open('alice');
    const bob = sessions.open('bob');

    expect(alice).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bob).not.toBe(alice);
    expect(sessions.user(alice)).toBe('alice');
    expect(sessions.user(bob)).toBe('bob');

    sessions.close(alice);

    expect(sessions.user(alice)).toBeUndefined();
    expect(sessions.user(bob)).toBe('bob');
  });

  test('no token, an unknown token and closing nothing answer no user', () => {
    const sessions = new ConsoleSessions(LIMITS, manualClock().now);
    const token = sessions.open('alice');

    sessions.close(undefined);
    sessions.close('not-a-token');

    expect(sessions.user(undefined)).toBeUndefined();
    expect(sessions.user('')).toBeUndefined();
    expect(sessions.user('not-a-token')).toBeUndefined();
    expect(sessions.user(token)).toBe('alice');
  });

  test('a session ends once unused for longer than the idle limit, and stays ended', () => {
    const clock = manualClock();
    const sessions = new ConsoleSessions(LIMITS, clock.now);
    const token = sessions.open('alice');

    clock.advance(1_000);
    expect(sessions.user(token)).toBe('alice');

    clock.advance(1_001);
    expect(sessions.user(token)).toBeUndefined();

    clock.advance(-1_001);
    expect(sessions.user(token)).toBeUndefined();
  });

  test('each use restarts the idle time', () => {
    const clock = manualClock();
    const sessions = new ConsoleSessions(LIMITS, clock.now);
    const token = sessions.open('alice');

    const seen: Array<string | undefined> = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(900);
      seen.push(sessions.user(token));
    }

    expect(seen).toEqual(['alice', 'alice', 'alice', 'alice', 'alice']);
  });

  test('a session ends after the absolute limit however busy it is', () => {
    const clock = manualClock();
    const sessions = new ConsoleSessions(LIMITS, clock.now);
    const token = sessions.open('alice');
    for (let i = 0; i < 11; i++) {
      clock.advance(900);
      expect(sessions.user(token)).toBe('alice');
    }

    clock.advance(900);

    expect(sessions.user(token)).toBeUndefined();
  });

  test('opening a session leaves the other live sessions alone', () => {
    const clock = manualClock();
    const sessions = new ConsoleSessions(LIMITS, clock.now);
    const stale = sessions.open('alice');
    clock.advance(600);
    const live = sessions.open('bob');
    clock.advance(600);

    sessions.open('carol');

    expect(sessions.user(live)).toBe('bob');
    expect(sessions.user(stale)).toBeUndefined();
  });

  test('the defaults are 30 minutes idle and 12 hours in all', () => {
    expect(DEFAULT_SESSION_LIMITS).toEqual({ idleMs: 1_800_000, absoluteMs: 43_200_000 });
  });
});

describe('LoginThrottle', () => {
  const WINDOW = 60_000;
  const LOCK = 10_000;
  const throttle = (clock: { now: () => number }) => new LoginThrottle(5, WINDOW, LOCK, clock.now);
  const fail = (t: LoginThrottle, user: string, times: number) => {
    for (let i = 0; i < times; i++) t.failed(user);
  };

  test('four failures leave the name free; the fifth locks it for lockMs, that name only', () => {
    const clock = manualClock();
    const t = throttle(clock);

    fail(t, 'alice', 4);
    expect(t.waitMs('alice')).toBe(0);

    t.failed('alice');

    expect(t.waitMs('alice')).toBe(10_000);
    expect(t.waitMs('bob')).toBe(0);
    clock.advance(4_000);
    expect(t.waitMs('alice')).toBe(6_000);
  });

  test('the lock ends lockMs after the last failure', () => {
    const clock = manualClock();
    const t = throttle(clock);
    fail(t, 'alice', 5);

    clock.advance(9_999);
    expect(t.waitMs('alice')).toBe(1);

    clock.advance(1);
    expect(t.waitMs('alice')).toBe(0);
  });

  test('one more failure while five are still in the window locks the name again', () => {
    const clock = manualClock();
    const t = throttle(clock);
    fail(t, 'alice', 5);
    clock.advance(LOCK);

    t.failed('alice');

    expect(t.waitMs('alice')).toBe(10_000);
  });

  test('failures older than the window do not count', () => {
    const clock = manualClock();
    const t = throttle(clock);
    fail(t, 'alice', 4);
    clock.advance(WINDOW);

    fail(t, 'alice', 4);

    expect(t.waitMs('alice')).toBe(0);
    t.failed('alice');
    expect(t.waitMs('alice')).toBe(10_000);
  });

  test('a success forgets the failures so far', () => {
    const clock = manualClock();
    const t = throttle(clock);
    fail(t, 'alice', 4);

    t.succeeded('alice');
    fail(t, 'alice', 4);

    expect(t.waitMs('alice')).toBe(0);
    t.failed('alice');
    expect(t.waitMs('alice')).toBe(10_000);
  });
});
