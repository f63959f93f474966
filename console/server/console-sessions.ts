/**
 * Logged-in sessions and the brake on password guessing. Sessions live in
 * the server's memory only: a restarted console asks everyone to log in
 * again, which is the safe direction. A token is 32 random bytes; the
 * cookie carries it, the server keeps only its SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SessionLimits {
  /** A session ends this long after its last use. */
  idleMs: number;
  /** …and this long after login, however busy. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 };

interface Session {
  user: string;
  createdAt: number;
  lastUsedAt: number;
}

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export class ConsoleSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS, private readonly now: () => number = Date.now) {}

  /** A new session for `user`; the returned token goes into the cookie. */
  open(user: string): string {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    this.sessions.set(digest(token), { user, createdAt: at, lastUsedAt: at });
    return token;
  }

  /** The session's user, refreshing its idle time; undefined when unknown or expired. */
  user(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const key = digest(token);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const at = this.now();
    if (at - session.lastUsedAt > this.limits.idleMs || at - session.createdAt > this.limits.absoluteMs) {
      this.sessions.delete(key);
      return undefined;
    }
    session.lastUsedAt = at;
    return session.user;
  }

  close(token: string | undefined): void {
    if (token) this.sessions.delete(digest(token));
  }

  private sweep(): void {
    const at = this.now();
    for (const [key, s] of this.sessions) {
      if (at - s.lastUsedAt > this.limits.idleMs || at - s.createdAt > this.limits.absoluteMs) this.sessions.delete(key);
    }
  }
}

/**
 * After `maxFailures` wrong passwords for one name within `windowMs`, that
 * name is refused for `lockMs` whatever the password; counted per name so a
 * guesser cannot spread attempts over addresses.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly maxFailures = 5, private readonly windowMs = 5 * 60_000, private readonly lockMs = 60_000, private readonly now: () => number = Date.now) {}

  /** Milliseconds until `user` may try again; 0 when allowed now. */
  waitMs(user: string): number {
    const recent = this.recent(user);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(0, recent[recent.length - 1] + this.lockMs - this.now());
  }

  failed(user: string): void {
    this.failures.set(user, [...this.recent(user), this.now()]);
  }

  succeeded(user: string): void {
    this.failures.delete(user);
  }

  private recent(user: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(user) ?? []).filter((t) => t > since);
  }
}
